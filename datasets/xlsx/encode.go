package xlsx

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/stats"
)

// Encode writes the dataset as a workbook in the format Decode reads: a
// README sheet explaining every column, one sheet per table with a frozen
// header row, drop-down lists for IDs and fixed values, and a hidden Lists
// sheet behind them. Decode(Encode(d)) returns a dataset equal to d when d
// holds trimmed text and dates at UTC midnight, as decoded datasets do.
func Encode(w io.Writer, d *stats.Dataset) error {
	return EncodeWith(w, d, EncodeOptions{})
}

// EncodeOptions adds to a workbook what is not part of its dataset.
type EncodeOptions struct {
	// ExportedFrom, when not zero, is written as the Metadata sheet's
	// schema.ExportedFromField row: the version the workbook is a
	// download of, which Decode returns as Result.ExportedFrom so that an
	// upload made from an older version can be told apart.
	ExportedFrom int
}

// EncodeWith is Encode with options.
func EncodeWith(w io.Writer, d *stats.Dataset, opts EncodeOptions) error {
	if d == nil {
		return errors.New("xlsx: encode: nil dataset")
	}
	f := excelize.NewFile()
	defer f.Close()
	e := &encoder{f: f, opts: opts}
	if err := e.styles(); err != nil {
		return fmt.Errorf("xlsx: styles: %w", err)
	}
	type step struct {
		sheet string
		fn    func() error
	}
	steps := []step{{sheetREADME, e.readme}}
	for _, sh := range schema.Sheets {
		steps = append(steps, step{sh.Name, func() error { return e.sheet(sh, d) }})
	}
	steps = append(steps, step{sheetLists, e.lists})
	for i, s := range steps {
		var err error
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.sheet)
		} else {
			_, err = f.NewSheet(s.sheet)
		}
		if err == nil {
			err = s.fn()
		}
		if err != nil {
			return fmt.Errorf("xlsx: sheet %q: %w", s.sheet, err)
		}
	}
	if err := e.validations(d); err != nil {
		return fmt.Errorf("xlsx: data validation: %w", err)
	}
	for sheet, x := range e.extent {
		if err := f.SetSheetDimension(sheet, "A1:"+cellName(x[0], x[1])); err != nil {
			return fmt.Errorf("xlsx: sheet %q: dimension: %w", sheet, err)
		}
	}
	if err := f.SetSheetVisible(sheetLists, false); err != nil {
		return fmt.Errorf("xlsx: sheet %q: %w", sheetLists, err)
	}
	f.SetActiveSheet(0)
	props := &excelize.DocProperties{
		Title:       d.Meta.Title,
		Description: d.Meta.Description,
		Creator:     "bilateral",
	}
	if !d.Meta.AsOf.IsZero() {
		// Stamping the data's own date keeps the properties free of the
		// time of download.
		props.Created = d.Meta.AsOf.UTC().Format(time.RFC3339)
		props.Modified = props.Created
	}
	if err := f.SetDocProps(props); err != nil {
		return fmt.Errorf("xlsx: document properties: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx: write workbook: %w", err)
	}
	return nil
}

// encoder holds the workbook being written and its style ids.
type encoder struct {
	f                              *excelize.File
	opts                           EncodeOptions
	header, text, year, date, wrap int
	// extent is the last row and column written on each sheet, for the
	// sheet's dimension: readers such as openpyxl in read-only mode trust
	// it, and excelize leaves it at A1.
	extent map[string][2]int
}

// grow records that a cell at row, col of sheet holds something.
func (e *encoder) grow(sheet string, row, col int) {
	if e.extent == nil {
		e.extent = map[string][2]int{}
	}
	x := e.extent[sheet]
	e.extent[sheet] = [2]int{max(x[0], row), max(x[1], col)}
}

// styles registers the styles the sheets use.
func (e *encoder) styles() error {
	var err error
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = e.f.NewStyle(s)
		return id
	}
	dateFmt := "yyyy-mm-dd"
	e.header = mk(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
		NumFmt:    49, // text, so a header is never read as a number or date
	})
	// Text columns are formatted as text so that Excel keeps what is typed
	// ("1-2" stays text, not the 1st of February; "007" keeps its zeros).
	e.text = mk(&excelize.Style{NumFmt: 49})
	e.year = mk(&excelize.Style{NumFmt: 1}) // "0": no thousands separator in 2,023
	e.date = mk(&excelize.Style{CustomNumFmt: &dateFmt})
	e.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	return err
}

// columnStyle returns the style a column of the given kind is formatted
// with; numbers keep General so that no digit is hidden or rounded.
func (e *encoder) columnStyle(k schema.Kind) int {
	switch k {
	case schema.Year:
		return e.year
	case schema.Date:
		return e.date
	case schema.Number:
		return 0
	default:
		return e.text
	}
}

// layout writes a sheet's header row and sets up its columns: styles,
// widths and a frozen header.
func (e *encoder) layout(sheet string, cols []schema.Column) error {
	for i, c := range cols {
		name := cellColumn(i + 1)
		if st := e.columnStyle(c.Kind); st != 0 {
			if err := e.f.SetColStyle(sheet, name, st); err != nil {
				return err
			}
		}
		if err := e.f.SetColWidth(sheet, name, name, c.Width); err != nil {
			return err
		}
		e.grow(sheet, 1, i+1)
		if err := e.f.SetCellStr(sheet, cellName(1, i+1), c.Header); err != nil {
			return err
		}
	}
	last := cellName(1, len(cols))
	if err := e.f.SetCellStyle(sheet, "A1", last, e.header); err != nil {
		return err
	}
	return e.f.SetPanes(sheet, &excelize.Panes{
		Freeze:      true,
		YSplit:      1,
		TopLeftCell: "A2",
		ActivePane:  "bottomLeft",
		Selection:   []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	})
}

// cellWriter writes one row of typed values, column by column, leaving
// empty values as empty cells.
type cellWriter struct {
	e     *encoder
	sheet string
	row   int
	col   int
	err   error
}

func (e *encoder) row(sheet string, row int) *cellWriter {
	return &cellWriter{e: e, sheet: sheet, row: row}
}

func (w *cellWriter) next() (string, bool) {
	w.col++
	w.e.grow(w.sheet, w.row, w.col)
	return cellName(w.row, w.col), w.err == nil
}

// maxCellChars is the most UTF-16 units a cell holds; excelize would
// silently cut longer text, so Encode refuses it instead.
const maxCellChars = excelize.TotalCellChars

func (w *cellWriter) text(s string) *cellWriter {
	ref, ok := w.next()
	if !ok || s == "" {
		return w
	}
	if len(utf16.Encode([]rune(s))) > maxCellChars {
		w.err = fmt.Errorf("cell %s: text is longer than the %d characters a cell holds", ref, maxCellChars)
		return w
	}
	w.err = w.e.f.SetCellStr(w.sheet, ref, s)
	return w
}

func (w *cellWriter) number(v float64) *cellWriter {
	ref, ok := w.next()
	if !ok {
		return w
	}
	if math.IsNaN(v) {
		return w // a gap: no value, a blank cell
	}
	if math.IsInf(v, 0) {
		w.err = fmt.Errorf("cell %s: %v is not a finite number", ref, v)
		return w
	}
	w.err = w.e.f.SetCellDefault(w.sheet, ref, formatNumber(v))
	return w
}

// formatNumber writes the shortest text that reads back as the same
// float64, so no digit is lost or invented. SetCellFloat is not used: since
// excelize 2.11 it rounds to Excel's 15 displayed digits.
func formatNumber(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if len(s) > 24 {
		// 1e-300 would otherwise be written out in 300 digits.
		s = strconv.FormatFloat(v, 'E', -1, 64)
	}
	return s
}

func (w *cellWriter) year(y int) *cellWriter {
	ref, ok := w.next()
	if !ok || y == 0 {
		return w
	}
	w.err = w.e.f.SetCellInt(w.sheet, ref, int64(y))
	return w
}

func (w *cellWriter) date(t time.Time) *cellWriter {
	ref, ok := w.next()
	if !ok || t.IsZero() {
		return w
	}
	if v, ok := dateToSerial(t); ok {
		if w.err = w.e.f.SetCellDefault(w.sheet, ref, formatNumber(v)); w.err == nil {
			w.err = w.e.f.SetCellStyle(w.sheet, ref, ref, w.e.date)
		}
		return w
	}
	// Dates Excel cannot hold as serials go in as text, which Decode reads.
	w.err = w.e.f.SetCellStr(w.sheet, ref, formatDate(t))
	return w
}

func (w *cellWriter) yesNo(b bool) *cellWriter {
	if b {
		return w.text(schema.YesNoValues[0])
	}
	return w.text(schema.YesNoValues[1])
}

// value writes the field p points to (as schema.Column.Field returns it)
// in the form its type asks for.
func (w *cellWriter) value(p any) *cellWriter {
	switch p := p.(type) {
	case *string:
		return w.text(*p)
	case *float64:
		return w.number(*p)
	case *int:
		return w.year(*p)
	case *time.Time:
		return w.date(*p)
	case *bool:
		return w.yesNo(*p)
	}
	if w.err == nil {
		w.err = fmt.Errorf("a field of type %T cannot be written", p)
	}
	return w
}

// readme writes the README sheet from the schema.
func (e *encoder) readme() error {
	const sheet = sheetREADME
	cols := []schema.Column{
		{Header: "Sheet", Width: 16},
		{Header: "Column", Width: 22},
		{Header: "Required", Width: 10},
		{Header: "What it means", Width: 60},
		{Header: "Allowed values", Width: 44},
		{Header: "Example", Width: 30},
	}
	if err := e.layout(sheet, cols); err != nil {
		return err
	}
	// Long explanations wrap; the header keeps its own style.
	if err := e.f.SetColStyle(sheet, "A:F", e.wrap); err != nil {
		return err
	}
	if err := e.f.SetCellStyle(sheet, "A1", "F1", e.header); err != nil {
		return err
	}
	row := 1
	put := func(vals ...string) error {
		row++
		w := e.row(sheet, row)
		for _, v := range vals {
			w.text(v)
		}
		return w.err
	}
	for _, p := range schema.Intro() {
		if err := put("About", "", "", p); err != nil {
			return err
		}
	}
	for _, s := range schema.Sheets {
		if err := put(s.Name, "(the sheet)", "", s.About); err != nil {
			return err
		}
		for _, c := range s.Columns {
			req := "optional"
			if c.Required {
				req = "required"
			}
			if c.Omittable {
				req = "optional; the column may be left out"
			}
			if err := put(s.Name, c.Header, req, c.Meaning, c.Allowed, c.Example); err != nil {
				return err
			}
		}
		for _, f := range s.Fields {
			req := "required"
			if f.Optional {
				req = "optional"
			}
			if err := put(s.Name, s.Columns[0].Header+": "+f.Name, req, f.Meaning, f.Allowed, f.Example); err != nil {
				return err
			}
		}
		if s.Name == stats.TableMetadata {
			if err := put(s.Name, s.Columns[0].Header+": "+schema.ExportedFromField, "written on download",
				"The version this workbook was downloaded from, written by the server. Leave it as it is: when someone else publishes a version before you upload, it lets the preview show which of their changes your upload would overwrite. It is not part of the data.",
				"A whole version number, or the row left out (the upload then replaces the current version whole).", "7"); err != nil {
				return err
			}
		}
	}
	return nil
}

// sheet writes one data sheet of the schema: its header row, then one row
// per record, or one row per field of a field sheet.
func (e *encoder) sheet(s *schema.Sheet, d *stats.Dataset) error {
	if err := e.layout(s.Name, s.Columns); err != nil {
		return err
	}
	if s.IsFieldSheet() {
		rec := s.Record(d)
		for i := range s.Fields {
			f := &s.Fields[i]
			if w := e.row(s.Name, i+2).text(f.Name).value(f.Value(rec)); w.err != nil {
				return w.err
			}
		}
		if s.Name == stats.TableMetadata && e.opts.ExportedFrom > 0 {
			if w := e.row(s.Name, len(s.Fields)+2).text(schema.ExportedFromField).number(float64(e.opts.ExportedFrom)); w.err != nil {
				return w.err
			}
		}
		return nil
	}
	for i := range s.Len(d) {
		rec := s.Row(d, i)
		w := e.row(s.Name, i+2)
		for j := range s.Columns {
			w.value(s.Columns[j].Field(rec))
		}
		if w.err != nil {
			return w.err
		}
	}
	return nil
}

// dropList is one column of the hidden Lists sheet: the values a Choice
// or YesNo column offers in its drop-down list.
type dropList struct {
	header string
	values []string
}

// dropLists returns the columns of the Lists sheet: one per distinct list
// of choices, in the order of the sheets, then yes and no.
func dropLists() []dropList {
	var out []dropList
	seen := map[string]bool{}
	add := func(header string, values []string) {
		k := strings.Join(values, "\x00")
		if !seen[k] {
			seen[k] = true
			out = append(out, dropList{header, values})
		}
	}
	var yesNo string
	for _, s := range schema.Sheets {
		for _, c := range s.Columns {
			switch {
			case c.Kind == schema.Choice:
				add(c.Header, c.Choices)
			case c.Kind == schema.YesNo && yesNo == "":
				yesNo = c.Header
			}
		}
	}
	if yesNo != "" {
		add(yesNo, schema.YesNoValues)
	}
	return out
}

// dropListRange returns the range of the Lists sheet that holds the values
// of column c's drop-down list, or "" when it has none.
func dropListRange(c *schema.Column) string {
	values := c.Choices
	if c.Kind == schema.YesNo {
		values = schema.YesNoValues
	}
	for i, l := range dropLists() {
		if slices.Equal(l.values, values) {
			col := cellColumn(i + 1)
			return fmt.Sprintf("%s!$%s$2:$%s$%d", sheetLists, col, col, len(values)+1)
		}
	}
	return ""
}

// lists writes the hidden sheet the fixed drop-down lists read from.
func (e *encoder) lists() error {
	const sheet = sheetLists
	ls := dropLists()
	cols := make([]schema.Column, len(ls))
	for i, l := range ls {
		cols[i] = schema.Column{Header: l.header, Width: 14}
	}
	if err := e.layout(sheet, cols); err != nil {
		return err
	}
	for i, l := range ls {
		for j, v := range l.values {
			if err := e.f.SetCellStr(sheet, cellName(j+2, i+1), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// lastValidatedRow is how far down data validation reaches: the whole
// sheet, so rows an analyst adds are checked too.
const lastValidatedRow = excelize.TotalRows

// validations adds the drop-down lists and year checks. Lists refer to
// ranges rather than spelling the values inline, since an inline list is
// limited to 255 characters.
func (e *encoder) validations(d *stats.Dataset) error {
	// The ranges reach well past the last ID so that IDs the analyst adds
	// are offered too.
	idRange := func(ref *schema.Sheet) string {
		col := cellColumn(1)
		return fmt.Sprintf("%s!$%s$2:$%s$%d", ref.Name, col, col, max(5000, ref.Len(d)+1000))
	}
	for _, s := range schema.Sheets {
		if s.IsFieldSheet() {
			continue
		}
		for i := range s.Columns {
			c := &s.Columns[i]
			col := cellColumn(i + 1)
			dv := excelize.NewDataValidation(true)
			dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, lastValidatedRow)
			ref := schema.Lookup(c.Ref)
			switch {
			case ref != nil && !ref.IsFieldSheet():
				dv.SetSqrefDropList(idRange(ref))
				dv.SetError(excelize.DataValidationErrorStyleWarning, "Unknown "+ref.Noun,
					fmt.Sprintf("This is not an ID from the %s sheet. Add the %s there first, or pick one from the list.", ref.Name, ref.Noun))
			case c.Kind == schema.Choice:
				dv.SetSqrefDropList(dropListRange(c))
				what := "Pick a " + strings.ToLower(c.Header) + " from the list."
				if !c.Required {
					what = "Leave the cell blank or pick a " + strings.ToLower(c.Header) + " from the list."
				}
				dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, what)
			case c.Kind == schema.YesNo:
				dv.SetSqrefDropList(dropListRange(c))
				dv.SetError(excelize.DataValidationErrorStyleStop, "Yes or no", "Write yes or no.")
			case c.Kind == schema.Year:
				if err := dv.SetRange(stats.MinYear, stats.MaxYear, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
					return err
				}
				dv.SetError(excelize.DataValidationErrorStyleStop, "Year", fmt.Sprintf("Type a year from %d to %d as four digits.", stats.MinYear, stats.MaxYear))
			default:
				continue
			}
			if err := e.f.AddDataValidation(s.Name, dv); err != nil {
				return fmt.Errorf("sheet %q column %q: %w", s.Name, c.Header, err)
			}
		}
	}
	return nil
}
