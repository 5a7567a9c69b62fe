package xlsx

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Table is a flat table for download: the data behind one chart.
type Table struct {
	Title    string
	Subtitle string
	Columns  []string
	Rows     [][]Cell
}

// Cell is one table cell; numeric cells are written as numbers with every
// stored digit, text cells as text.
type Cell struct {
	Text   string
	Number bool
	Value  float64
}

// WriteTable writes t as a one-sheet workbook: a title line, a subtitle
// line, then a frozen header row and the rows. Text cells are written as
// strings, never as formulas, whatever they start with.
func WriteTable(w io.Writer, t Table) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Data"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("xlsx: table: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	if err != nil {
		return fmt.Errorf("xlsx: table: %w", err)
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:   &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border: []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
	})
	if err != nil {
		return fmt.Errorf("xlsx: table: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("xlsx: table: %w", err)
	}
	widths := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], min(utf8.RuneCountInString(c.Text), 60))
			}
		}
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, float64(max(wd, 6))+2); err != nil {
			return fmt.Errorf("xlsx: table: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("xlsx: table: %w", err)
	}
	row := 1
	put := func(vals []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, vals)
	}
	if err := put([]any{excelize.Cell{StyleID: bold, Value: t.Title}}); err != nil {
		return fmt.Errorf("xlsx: table: %w", err)
	}
	if err := put([]any{t.Subtitle}); err != nil {
		return fmt.Errorf("xlsx: table: %w", err)
	}
	hdr := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		hdr[i] = excelize.Cell{StyleID: head, Value: c}
	}
	if err := put(hdr); err != nil {
		return fmt.Errorf("xlsx: table: %w", err)
	}
	for _, r := range t.Rows {
		vals := make([]any, len(r))
		for i, c := range r {
			switch {
			case c.Number:
				vals[i] = c.Value
			case c.Text == "":
				vals[i] = nil
			default:
				// The stream writer stores strings as inline strings, so
				// text that looks like a formula stays text.
				vals[i] = strings.ToValidUTF8(c.Text, "\uFFFD")
			}
		}
		if err := put(vals); err != nil {
			return fmt.Errorf("xlsx: table: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: table: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx: table: %w", err)
	}
	return nil
}
