package xlsx

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/bilateral/bilateral/stats"
)

// Encode writes the dataset as a workbook in the format Decode reads: a
// README sheet explaining every column, one sheet per table with a frozen
// header row, drop-down lists for IDs and fixed values, and a hidden Lists
// sheet behind them. Decode(Encode(d)) returns a dataset equal to d when d
// holds trimmed text and dates at UTC midnight, as decoded datasets do.
func Encode(w io.Writer, d *stats.Dataset) error {
	if d == nil {
		return errors.New("xlsx: encode: nil dataset")
	}
	f := excelize.NewFile()
	defer f.Close()
	e := &encoder{f: f}
	if err := e.styles(); err != nil {
		return fmt.Errorf("xlsx: styles: %w", err)
	}
	steps := []struct {
		sheet string
		fn    func() error
	}{
		{sheetREADME, e.readme},
		{"Metadata", func() error { return e.metadata(d.Meta) }},
		{"Sources", func() error { return e.sources(d.Sources) }},
		{"Series", func() error { return e.series(d.Series) }},
		{"Observations", func() error { return e.observations(d.Observations) }},
		{"Projects", func() error { return e.projects(d.Projects) }},
		{"Facts", func() error { return e.facts(d.Facts) }},
		{sheetLists, e.lists},
	}
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
func (e *encoder) columnStyle(k kind) int {
	switch k {
	case kindYear:
		return e.year
	case kindDate:
		return e.date
	case kindNumber:
		return 0
	default:
		return e.text
	}
}

// layout writes a sheet's header row and sets up its columns: styles,
// widths and a frozen header.
func (e *encoder) layout(sheet string, cols []column) error {
	for i, c := range cols {
		name := cellColumn(i + 1)
		if st := e.columnStyle(c.kind); st != 0 {
			if err := e.f.SetColStyle(sheet, name, st); err != nil {
				return err
			}
		}
		if err := e.f.SetColWidth(sheet, name, name, c.width); err != nil {
			return err
		}
		e.grow(sheet, 1, i+1)
		if err := e.f.SetCellStr(sheet, cellName(1, i+1), c.header); err != nil {
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
	if math.IsNaN(v) || math.IsInf(v, 0) {
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
		return w.text("yes")
	}
	return w.text("no")
}

// readme writes the README sheet from the format description.
func (e *encoder) readme() error {
	const sheet = sheetREADME
	cols := []column{
		{header: "Sheet", width: 16},
		{header: "Column", width: 22},
		{header: "Required", width: 10},
		{header: "What it means", width: 60},
		{header: "Allowed values", width: 44},
		{header: "Example", width: 30},
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
	for _, p := range readmeIntro {
		if err := put("About", "", "", p); err != nil {
			return err
		}
	}
	for _, s := range dataSheets {
		if err := put(s.name, "(the sheet)", "", s.about); err != nil {
			return err
		}
		for _, c := range s.columns {
			req := "optional"
			if c.required {
				req = "required"
			}
			if c.omittable {
				req = "optional; the column may be left out"
			}
			if err := put(s.name, c.header, req, c.meaning, c.allowed, c.example); err != nil {
				return err
			}
		}
		if s.name != "Metadata" {
			continue
		}
		for _, m := range metaFields {
			req := "required"
			if m.optional {
				req = "optional"
			}
			if err := put("Metadata", "Field: "+m.name, req, m.meaning, m.allowed, m.example); err != nil {
				return err
			}
		}
	}
	return nil
}

// metadata writes the Metadata sheet, one field per row.
func (e *encoder) metadata(m stats.Metadata) error {
	const sheet = "Metadata"
	if err := e.layout(sheet, dataSheets[0].columns); err != nil {
		return err
	}
	vals := map[string]string{
		"Title":         m.Title,
		"Description":   m.Description,
		"Reporter code": m.Reporter.Code,
		"Reporter name": m.Reporter.Name,
		"Partner code":  m.Partner.Code,
		"Partner name":  m.Partner.Name,
	}
	for i, f := range metaFields {
		w := e.row(sheet, i+2).text(f.name)
		if f.kind == kindDate {
			w.date(m.AsOf)
		} else {
			w.text(vals[f.name])
		}
		if w.err != nil {
			return w.err
		}
	}
	return nil
}

func (e *encoder) sources(ss []stats.Source) error {
	const sheet = "Sources"
	if err := e.layout(sheet, dataSheets[1].columns); err != nil {
		return err
	}
	for i, s := range ss {
		w := e.row(sheet, i+2).text(s.ID).text(s.Organisation).text(s.Title).date(s.Published).text(s.URL).text(s.Note)
		if w.err != nil {
			return w.err
		}
	}
	return nil
}

func (e *encoder) series(ss []stats.Series) error {
	const sheet = "Series"
	if err := e.layout(sheet, dataSheets[2].columns); err != nil {
		return err
	}
	for i, s := range ss {
		w := e.row(sheet, i+2).text(s.ID).text(s.Name).text(s.Unit).text(s.Basis).text(s.ReportedBy).text(s.Description)
		if w.err != nil {
			return w.err
		}
	}
	return nil
}

func (e *encoder) observations(obs []stats.Observation) error {
	const sheet = "Observations"
	if err := e.layout(sheet, dataSheets[3].columns); err != nil {
		return err
	}
	for i, o := range obs {
		w := e.row(sheet, i+2).text(o.Series).year(o.Year).number(o.Value).text(o.Source).text(o.Note)
		if w.err != nil {
			return w.err
		}
	}
	return nil
}

func (e *encoder) projects(ps []stats.Project) error {
	const sheet = "Projects"
	if err := e.layout(sheet, dataSheets[4].columns); err != nil {
		return err
	}
	for i, p := range ps {
		w := e.row(sheet, i+2).text(p.Company).number(p.AmountUSDm).text(p.City).text(p.State).
			year(p.Year).text(p.Sector).text(p.Jobs).yesNo(p.Counted).text(p.Source).text(p.Note)
		if w.err != nil {
			return w.err
		}
	}
	return nil
}

func (e *encoder) facts(fs []stats.Fact) error {
	const sheet = "Facts"
	if err := e.layout(sheet, dataSheets[5].columns); err != nil {
		return err
	}
	for i, f := range fs {
		w := e.row(sheet, i+2).text(f.Key).text(f.Label).number(f.Value).text(f.Qualifier).
			text(f.Unit).year(f.Year).text(f.Source).text(f.Note)
		if w.err != nil {
			return w.err
		}
	}
	return nil
}

// Columns of the hidden Lists sheet.
const (
	listsQualifierCol = "A"
	listsYesNoCol     = "B"
)

// lists writes the hidden sheet the fixed drop-down lists read from.
func (e *encoder) lists() error {
	const sheet = sheetLists
	cols := []column{{header: "Qualifier", width: 14}, {header: "In state totals", width: 14}}
	if err := e.layout(sheet, cols); err != nil {
		return err
	}
	for i, q := range qualifiers {
		if err := e.f.SetCellStr(sheet, cellName(i+2, 1), q); err != nil {
			return err
		}
	}
	for i, v := range yesNoValues {
		if err := e.f.SetCellStr(sheet, cellName(i+2, 2), v); err != nil {
			return err
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
	idRange := func(spec *sheetSpec, n int) string {
		col := cellColumn(spec.index("ID") + 1)
		return fmt.Sprintf("%s!$%s$2:$%s$%d", spec.name, col, col, max(5000, n+1000))
	}
	sourceIDs := idRange(dataSheets[1], len(d.Sources))
	seriesIDs := idRange(dataSheets[2], len(d.Series))
	qualifierList := fmt.Sprintf("%s!$%s$2:$%s$%d", sheetLists, listsQualifierCol, listsQualifierCol, len(qualifiers)+1)
	yesNoList := fmt.Sprintf("%s!$%s$2:$%s$%d", sheetLists, listsYesNoCol, listsYesNoCol, len(yesNoValues)+1)

	for _, s := range dataSheets[1:] {
		for i, c := range s.columns {
			col := cellColumn(i + 1)
			dv := excelize.NewDataValidation(true)
			dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, lastValidatedRow)
			switch {
			case c.header == "Source":
				dv.SetSqrefDropList(sourceIDs)
				dv.SetError(excelize.DataValidationErrorStyleWarning, "Unknown source", "This is not an ID from the Sources sheet. Add the source there first, or pick one from the list.")
			case s.name == "Observations" && c.header == "Series":
				dv.SetSqrefDropList(seriesIDs)
				dv.SetError(excelize.DataValidationErrorStyleWarning, "Unknown series", "This is not an ID from the Series sheet. Add the series there first, or pick one from the list.")
			case c.kind == kindQualifier:
				dv.SetSqrefDropList(qualifierList)
				dv.SetError(excelize.DataValidationErrorStyleStop, "Qualifier", "Leave the cell blank or pick a qualifier from the list.")
			case c.kind == kindYesNo:
				dv.SetSqrefDropList(yesNoList)
				dv.SetError(excelize.DataValidationErrorStyleStop, "Yes or no", "Write yes or no.")
			case c.kind == kindYear:
				if err := dv.SetRange(stats.MinYear, stats.MaxYear, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
					return err
				}
				dv.SetError(excelize.DataValidationErrorStyleStop, "Year", fmt.Sprintf("Type a year from %d to %d as four digits.", stats.MinYear, stats.MaxYear))
			default:
				continue
			}
			if err := e.f.AddDataValidation(s.name, dv); err != nil {
				return fmt.Errorf("sheet %q column %q: %w", s.name, c.header, err)
			}
		}
	}
	return nil
}
