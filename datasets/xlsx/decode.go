package xlsx

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/stats"
)

// Result is a decoded workbook.
type Result struct {
	// Dataset is the decoded dataset; nil when Decode returns an error.
	Dataset *stats.Dataset
	// Warnings are things ignored on the way that the analyst may want to
	// know about, such as a sheet or column that is not part of the format.
	Warnings []schema.Warning
	// ExportedFrom is the version the workbook was downloaded from, from
	// the Metadata sheet's schema.ExportedFromField row; 0 when the
	// workbook has no such row (made by a script, or by hand). It is
	// never part of Dataset.
	ExportedFrom int
	// Formulas is the number of cells holding a formula whose saved value
	// was used; each one up to a limit is also a schema.WarnFormulaCell
	// warning.
	Formulas int
}

// maxIssues bounds the issues kept for one upload: enough to fix a
// workbook by, and small enough that a sheet of 200,000 bad rows does not
// turn into 200,000 messages held in memory and shown on one page.
const maxIssues = 1000

// maxWarnings bounds the warnings kept for one upload.
const maxWarnings = 100

// Decode reads a workbook in the format Encode writes. It returns every
// problem it finds, in all sheets and rows, as an *Error holding located
// Issues; the dataset is returned only when there are none, and it has then
// passed stats.Dataset.Validate.
//
// When the returned error is non-nil the Result, if not nil, still carries
// the warnings (a renamed sheet shows up as a missing sheet and an ignored
// one, and the analyst needs both to see why).
//
// Decode never panics: a crash while reading the file is reported as an
// issue, since it can only come from the file. It returns an error that is
// not an *Error only when the server cannot work, such as when no
// temporary directory can be made. It is safe to call concurrently.
func Decode(data []byte, lim Limits) (res *Result, err error) {
	d := &decoder{lim: lim.withDefaults(), reported: map[string]bool{}}
	defer func() {
		if r := recover(); r != nil {
			res = nil
			err = &Error{
				Issues: []Issue{{Message: "the file could not be read: it may be damaged, or made by a program whose workbooks cannot be read here; " + msgSaveAgain}},
				cause:  fmt.Errorf("xlsx: decode panicked: %v\n%s", r, debug.Stack()),
			}
		}
	}()
	ds, err := d.decode(data)
	if err != nil {
		return nil, err
	}
	res = &Result{Warnings: d.warnings, ExportedFrom: d.exportedFrom, Formulas: d.formulas}
	if len(d.issues) > 0 {
		return res, &Error{Issues: d.sortedIssues()}
	}
	res.Dataset = ds
	return res, nil
}

// afterOpen, when set by a test, is called once excelize has opened the
// workbook, with the import's temporary directory: tests use it to see
// that large parts were spilled there, and to crash the parse on purpose.
var afterOpen func(tmpDir string)

// decoder holds the state of one Decode call.
type decoder struct {
	lim      Limits
	date1904 bool
	issues   []located
	dropped  int // issues found beyond maxIssues
	warnings []schema.Warning
	// reported holds "Sheet!Cell" of cells that already have an issue and
	// "Sheet#Header" of missing columns, so that stats.Validate's view of
	// the same mistake is not reported twice.
	reported map[string]bool
	sheets   []*sheetState // parallel to schema.Sheets
	// exportedFrom is the Metadata sheet's ExportedFromField value.
	exportedFrom int
	// formulas counts cells whose formula's saved value was used.
	formulas int
}

// located is an issue with its position, for sorting.
type located struct {
	Issue
	order, row, col int
}

// sheetState is what Decode learned about one data sheet of the upload.
type sheetState struct {
	spec    *schema.Sheet
	order   int
	name    string // the sheet's name in the workbook
	present bool
	// broken means the sheet could not be read reliably (damaged, cut
	// short, no header): its records are not checked further, since every
	// check would only repeat the one problem.
	broken bool
	header int   // worksheet row of the header
	col    []int // per spec column: 1-based worksheet column, 0 when absent
	rows   []int // per record: worksheet row it came from
	merges []area
	named  map[int]bool // columns whose header cell has text, known or not
	// fieldRow is, on a field sheet, the worksheet row of each field read.
	fieldRow map[string]int
}

// usable reports whether the sheet was read and has column i of its spec,
// so that references to it can be checked.
func (st *sheetState) usable(i int) bool {
	return st.present && !st.broken && st.col[i] != 0
}

// cellName returns the A1 reference of a cell, or "" for row 0.
func cellName(row, col int) string {
	if row <= 0 {
		return ""
	}
	if col <= 0 {
		return fmt.Sprint(row)
	}
	n, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return ""
	}
	return n
}

// fail records an issue at a cell (row and col 0 for the whole sheet).
func (d *decoder) fail(st *sheetState, row, col int, value, format string, args ...any) {
	sheet, order := "", -1
	if st != nil {
		sheet, order = st.spec.Name, st.order
		if st.name != "" {
			sheet = st.name
		}
	}
	if len(d.issues) >= maxIssues {
		d.dropped++
		return
	}
	ref := cellName(row, col)
	if ref != "" {
		d.reported[sheet+"!"+ref] = true
	}
	d.issues = append(d.issues, located{
		Issue: Issue{Sheet: sheet, Cell: ref, Value: value, Message: fmt.Sprintf(format, args...)},
		order: order, row: row, col: col,
	})
}

// warn records a warning with its code (one of the schema.Warn
// constants) at a cell (row and col 0 for the whole sheet).
func (d *decoder) warn(sheet string, row, col int, code, format string, args ...any) {
	if len(d.warnings) >= maxWarnings {
		return
	}
	d.warnings = append(d.warnings, schema.Warning{Sheet: sheet, Cell: cellName(row, col), Code: code, Message: fmt.Sprintf(format, args...)})
}

// sortedIssues returns the issues in reading order: the file, then each
// sheet in workbook order, whole-sheet problems before cells, cells by row
// and column.
func (d *decoder) sortedIssues() []Issue {
	slices.SortStableFunc(d.issues, func(a, b located) int {
		if a.order != b.order {
			return a.order - b.order
		}
		if a.row != b.row {
			return a.row - b.row
		}
		return a.col - b.col
	})
	out := make([]Issue, 0, len(d.issues)+1)
	for _, l := range d.issues {
		out = append(out, l.Issue)
	}
	if d.dropped > 0 {
		out = append(out, Issue{Message: fmt.Sprintf("%d more problems were found but are not listed: fix the ones above and upload the workbook again", d.dropped)})
	}
	return out
}

// decode does the work of Decode. Problems with the file become issues;
// the error is for the server's own failures.
func (d *decoder) decode(data []byte) (*stats.Dataset, error) {
	p, iss := openPackage(data, d.lim)
	if iss != nil {
		d.issues = append(d.issues, located{Issue: *iss, order: -1})
		return nil, nil
	}
	// Every import gets its own temporary directory, removed afterwards
	// whatever happens, a panic included: excelize spills large parts to
	// temporary files, and leaves them behind when opening fails.
	tmpDir, err := os.MkdirTemp("", tempPrefix)
	if err != nil {
		return nil, fmt.Errorf("xlsx: temporary directory: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    d.lim.UnzipSizeLimit,
		UnzipXMLSizeLimit: d.lim.UnzipXMLSizeLimit,
		TmpDir:            tmpDir,
	})
	if f != nil {
		// excelize returns the file along with some errors; closing it
		// removes what it spilled before Decode removes the directory.
		defer f.Close()
	}
	if err != nil {
		d.fail(nil, 0, 0, "", "the file could not be read as a workbook (%v): %s", err, msgSaveAgain)
		return nil, nil
	}
	if afterOpen != nil {
		afterOpen(tmpDir)
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		d.fail(nil, 0, 0, "", "the workbook's settings could not be read (%v): open it in Excel or LibreOffice, save it again as .xlsx, and upload the saved copy", err)
		return nil, nil
	}
	d.date1904 = props.Date1904 != nil && *props.Date1904

	d.matchSheets(f.GetSheetList())
	ds := &stats.Dataset{}
	for _, st := range d.sheets {
		if st.present {
			d.readSheet(f, p, st, func(r *rowReader) { d.record(ds, r) })
		}
	}
	d.checkFieldRows()
	ds.StripBidiControls() // directional controls would reverse text on every surface
	for _, prob := range ds.Validate() {
		d.addProblem(prob)
	}
	if len(d.issues) == 0 {
		for _, prob := range ds.Quality() {
			d.addQuality(prob)
		}
	}
	return ds, nil
}

// addQuality reports a data-quality finding (stats.Dataset.Quality) as a
// warning at the cell it concerns.
func (d *decoder) addQuality(p stats.Problem) {
	for _, st := range d.sheets {
		if st.spec.Name != p.Table || !st.present || st.broken {
			continue
		}
		var row, col int
		if i := columnIndex(st.spec, p.Field); i >= 0 {
			col = st.col[i]
		}
		if p.Index >= 0 && p.Index < len(st.rows) {
			row = st.rows[p.Index]
		}
		d.warn(st.name, row, col, p.Code, "%s", p.Message)
		return
	}
	d.warn("", 0, 0, p.Code, "%s", p.Message)
}

// matchSheets pairs the workbook's sheets with the format's, tolerating
// case and spacing in names, and reports missing and unknown sheets.
func (d *decoder) matchSheets(names []string) {
	byName := map[string]string{}
	for _, n := range names {
		byName[normalize(n)] = n
	}
	known := map[string]bool{normalize(sheetREADME): true, normalize(sheetLists): true}
	for i, spec := range schema.Sheets {
		st := &sheetState{spec: spec, order: i, col: make([]int, len(spec.Columns)), named: map[int]bool{}, fieldRow: map[string]int{}}
		d.sheets = append(d.sheets, st)
		known[normalize(spec.Name)] = true
		for _, n := range names {
			if normalize(n) != normalize(spec.Name) {
				continue
			}
			if st.present {
				d.fail(st, 0, 0, n, "two sheets are named %s: delete or rename one of them", spec.Name)
				st.broken = true
				continue
			}
			st.present, st.name = true, n
		}
		if !st.present && (spec.Name == stats.TableCharts || spec.Name == stats.TableChartSeries || spec.Name == stats.TableText) {
			// The definition sheets came later: a workbook without them is
			// an export from before, whose charts and text would be lost.
			d.fail(st, 0, 0, "", "the workbook has no sheet named %s: it was probably downloaded before the charts and text of the dashboard became part of the workbook. Download the current workbook (/data/dataset.xlsx), copy your changes into it and upload that", spec.Name)
		} else if !st.present {
			d.fail(st, 0, 0, "", "the workbook has no sheet named %s (it has %s): add the sheet, or rename yours to %s; download a fresh workbook to see the format", spec.Name, quoteList(names), spec.Name)
		}
	}
	for _, n := range names {
		if !known[normalize(n)] {
			d.warn(n, 0, 0, schema.WarnUnknownSheet, "this sheet is not part of the format and was ignored")
		}
	}
}

// quoteList writes names for a message.
func quoteList(names []string) string {
	if len(names) == 0 {
		return "no sheets"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return "sheets " + strings.Join(q, ", ")
}

// readSheet reads one data sheet row by row with excelize's streaming
// iterator, checks what the scan of its XML found, and passes each
// non-empty row below the header to record.
func (d *decoder) readSheet(f *excelize.File, p *pkg, st *sheetState, record func(*rowReader)) {
	part, ok := p.parts[st.name]
	if !ok {
		d.fail(st, 0, 0, "", "the sheet's data could not be found in the file, so the file may be damaged: open it in Excel or LibreOffice, save it again as .xlsx, and upload the saved copy")
		st.broken = true
		return
	}
	scan := scanSheet(p, part)
	if scan.damage != "" {
		d.damaged(st, scan.damage)
		return
	}
	rows, err := f.Rows(st.name)
	if err != nil {
		d.damaged(st, err.Error())
		return
	}
	defer rows.Close()

	var (
		rowNum     int  // excelize's Next visits every row number in turn
		capped     bool // stopped at the row limit
		wideWarned bool
		blankCols  = map[int]bool{}
		opts       = excelize.Options{RawCellValue: true}
	)
	for rows.Next() {
		rowNum++
		if rowNum > d.lim.MaxRows {
			capped = true
			break
		}
		cells, err := rows.Columns(opts)
		if err != nil {
			d.damaged(st, fmt.Sprintf("row %d could not be read (%v)", rowNum, err))
			return
		}
		if len(cells) > d.lim.MaxCols {
			for c := d.lim.MaxCols; c < len(cells); c++ {
				if trim(cells[c]) != "" && !wideWarned {
					wideWarned = true
					d.fail(st, rowNum, c+1, trim(cells[c]), "the sheet has data beyond column %s: only %d columns are read; delete what is to the right of them", cellColumn(d.lim.MaxCols), d.lim.MaxCols)
				}
			}
			cells = cells[:d.lim.MaxCols]
		}
		if st.header == 0 {
			if isBlank(cells) && !hasFlag(scan, rowNum, len(cells)) {
				continue
			}
			st.header = rowNum
			d.readHeader(st, scan, rowNum, cells)
			continue
		}
		r := &rowReader{d: d, st: st, row: rowNum, vals: make([]string, len(st.col)), bad: make([]bool, len(st.col))}
		blank := true
		for i, c := range st.col {
			if c == 0 {
				continue
			}
			if c <= len(cells) {
				r.vals[i] = trim(cells[c-1])
			}
			if fl, ok := scan.flags[cellKey{rowNum, c}]; ok {
				d.flagged(st, rowNum, c, fl)
				r.bad[i] = true
			}
			if r.vals[i] != "" || r.bad[i] {
				blank = false
			}
		}
		for c, v := range cells {
			if trim(v) != "" && !slices.Contains(st.col, c+1) && !blankCols[c+1] && !st.named[c+1] {
				blankCols[c+1] = true
				d.warn(st.name, st.header, c+1, schema.WarnUnnamedColumn, "column %s has values but no header, so they were ignored", cellColumn(c+1))
			}
		}
		if blank {
			continue
		}
		st.rows = append(st.rows, rowNum)
		record(r)
	}
	if st.header == 0 {
		d.fail(st, 0, 0, "", "the sheet is empty: it needs the header row (%s) in row 1; download a fresh workbook to see the format", headerList(st.spec))
		st.broken = true
		return
	}
	switch {
	case capped && scan.lastContentRow > d.lim.MaxRows:
		d.fail(st, 0, 0, "", "the sheet has more than %d rows, more than an upload may hold: delete rows that are not needed, or ask for the limit to be raised", d.lim.MaxRows)
		st.broken = true
	case capped:
		// Only empty rows lie beyond the limit; nothing was missed.
	case rows.Error() != nil:
		d.damaged(st, rows.Error().Error())
	case scan.lastRow > rowNum:
		d.damaged(st, fmt.Sprintf("only %d of its %d rows could be read", rowNum, scan.lastRow))
	}
	for _, m := range scan.merges {
		if m.bottom > st.header {
			st.merges = append(st.merges, m)
			d.fail(st, m.top, m.left, "", "merged cells are not allowed in data rows: unmerge %s (select the cells and choose Unmerge Cells) and give each cell its own value", m.ref)
		}
	}
	if scan.mergesDropped > 0 {
		d.fail(st, 0, 0, "", "the sheet has %d more merged ranges than are listed: unmerge all cells below the header row", scan.mergesDropped)
	}
	d.formulas += len(scan.formulas) + scan.formulasDropped
	for _, fo := range scan.formulas {
		text := fo.text
		if text == "" {
			text = "(part of a shared formula)"
		} else {
			text = "=" + text
		}
		d.warn(st.name, fo.row, fo.col, schema.WarnFormulaCell, "cell holds the formula %s; its saved value was used as it is, not recalculated: check it, or type the value instead", strconvQuote(text))
	}
	if scan.formulasDropped > 0 {
		d.warn(st.name, 0, 0, schema.WarnFormulaCell, "%d more cells hold formulas than are listed; their saved values were used", scan.formulasDropped)
	}
	if scan.flagsDropped > 0 {
		d.fail(st, 0, 0, "", "%d more cells hold formulas without saved results or error values than are listed: open the file in Excel or LibreOffice, let it recalculate, fix the errors and save it again", scan.flagsDropped)
	}
}

// damaged reports a sheet that cannot be read completely. Its records are
// not used: a silently truncated sheet would publish a dataset that looks
// valid and is not.
func (d *decoder) damaged(st *sheetState, why string) {
	d.fail(st, 0, 0, "", "the sheet is damaged and could not be read completely (%s): open the file in Excel or LibreOffice, save it again as .xlsx, and upload the saved copy", why)
	st.broken = true
}

// flagged reports a cell the scan found a formula without result or an
// error value in.
func (d *decoder) flagged(st *sheetState, row, col int, fl cellFlag) {
	if fl.formula {
		d.fail(st, row, col, "", "cell has a formula but no saved result: open the file in Excel or LibreOffice, let it recalculate, and save it again, or type the value instead of the formula")
		return
	}
	d.fail(st, row, col, fl.errText, "cell shows an error instead of a value: fix the formula, or type the value")
}

// hasFlag reports whether any of the first n cells of a row is flagged.
func hasFlag(scan *sheetScan, row, n int) bool {
	for c := 1; c <= n; c++ {
		if _, ok := scan.flags[cellKey{row, c}]; ok {
			return true
		}
	}
	return false
}

// isBlank reports whether every cell is empty or white space.
func isBlank(cells []string) bool {
	for _, c := range cells {
		if trim(c) != "" {
			return false
		}
	}
	return true
}

// cellColumn returns the letters of a 1-based column number.
func cellColumn(c int) string {
	n, err := excelize.ColumnNumberToName(c)
	if err != nil {
		return fmt.Sprint(c)
	}
	return n
}

// headerList lists a sheet's headers for a message.
func headerList(spec *schema.Sheet) string {
	h := make([]string, len(spec.Columns))
	for i, c := range spec.Columns {
		h[i] = c.Header
	}
	return strings.Join(h, ", ")
}

// readHeader maps the header row's cells to the format's columns,
// tolerating case, spacing and order.
func (d *decoder) readHeader(st *sheetState, scan *sheetScan, row int, cells []string) {
	seen := map[string]int{}
	for i, v := range cells {
		c := i + 1
		if fl, ok := scan.flags[cellKey{row, c}]; ok {
			d.flagged(st, row, c, fl)
			continue
		}
		h := normalize(v)
		if h == "" {
			continue
		}
		st.named[c] = true
		if prev, dup := seen[h]; dup {
			d.fail(st, row, c, trim(v), "the column %q appears twice (also in %s): delete one of them or rename it", trim(v), cellName(row, prev))
			continue
		}
		seen[h] = c
		idx := columnIndex(st.spec, h)
		if idx < 0 {
			d.warn(st.name, row, c, schema.WarnUnknownColumn, "the column %q is not part of the %s sheet and was ignored", trim(v), st.spec.Name)
			continue
		}
		st.col[idx] = c
	}
	for i, col := range st.spec.Columns {
		if st.col[i] != 0 || col.Omittable {
			continue
		}
		d.reported[st.spec.Name+"#"+col.Header] = true
		d.fail(st, 0, 0, "", "the column %q is missing: add a column headed %q to the header row (row %d)", col.Header, col.Header, row)
	}
}

// rowReader reads the typed values of one data row, reporting each value
// that cannot be read at its cell.
type rowReader struct {
	d    *decoder
	st   *sheetState
	row  int
	vals []string // trimmed text per spec column; "" when absent
	bad  []bool   // per spec column: the cell already has an issue
}

// fail reports a problem with the value of column i.
func (r *rowReader) fail(i int, format string, args ...any) {
	r.bad[i] = true
	r.d.fail(r.st, r.row, r.st.col[i], r.vals[i], format, args...)
}

// header returns the header of column i, for messages.
func (r *rowReader) header(i int) string {
	return r.st.spec.Columns[i].Header
}

// record reads one data row into ds: a record of a record sheet, or a
// field of a field sheet.
func (d *decoder) record(ds *stats.Dataset, r *rowReader) {
	spec := r.st.spec
	if spec.IsFieldSheet() {
		d.readField(ds, r)
		return
	}
	rec := spec.Append(ds)
	for i := range spec.Columns {
		c := &spec.Columns[i]
		if c.BlankIsGap && r.st.col[i] != 0 && !r.bad[i] && r.vals[i] == "" {
			// No value: a gap row, which Validate checks has status gap
			// and a reason.
			*c.Field(rec).(*float64) = math.NaN()
			continue
		}
		r.read(i, c.Kind, c.Required, c.Choices, c.Field(rec))
	}
}

// read reads the value of column i as kind k into the field p points to,
// of the type schema.Kind gives. A value that cannot be read is reported
// at its cell and leaves the field zero.
func (r *rowReader) read(i int, k schema.Kind, required bool, choices []string, p any) {
	switch k {
	case schema.Number:
		*p.(*float64) = r.number(i, required)
	case schema.Year:
		*p.(*int) = r.year(i, required)
	case schema.Date:
		*p.(*time.Time) = r.date(i)
	case schema.YesNo:
		*p.(*bool) = r.yesNo(i)
	case schema.Choice:
		*p.(*string) = r.choice(i, required, choices)
	case schema.PartialDate:
		*p.(*string) = r.partialDate(i)
	default:
		*p.(*string) = r.vals[i]
	}
}

// number returns a numeric value. A required number left blank is an
// issue: a blank must never silently become zero.
func (r *rowReader) number(i int, required bool) float64 {
	s := r.vals[i]
	switch {
	case r.bad[i] || r.st.col[i] == 0:
		return 0
	case s == "":
		if required {
			r.fail(i, "%s is missing: type the number; if there is no figure, delete the row", r.header(i))
		}
		return 0
	}
	v, ok := parseNumber(s)
	if !ok {
		r.fail(i, "%s must be a number, such as 1234.5; use a dot for decimals and commas only between thousands", r.header(i))
	}
	return v
}

// year returns a year, 0 when an optional year is left blank.
func (r *rowReader) year(i int, required bool) int {
	h, s := r.header(i), r.vals[i]
	switch {
	case r.bad[i] || r.st.col[i] == 0:
		return 0
	case s == "":
		if required {
			r.fail(i, "%s is missing: type the year as four digits, such as 2023", h)
		}
		return 0
	}
	v, ok := parseNumber(s)
	switch {
	case !ok:
		r.fail(i, "%s must be a year written as four digits, such as 2023", h)
		return 0
	case v != math.Trunc(v):
		r.fail(i, "%s must be a whole number, such as 2023", h)
		return 0
	case v < stats.MinYear || v > stats.MaxYear:
		r.fail(i, "%s must be between %d and %d", h, stats.MinYear, stats.MaxYear)
		return 0
	}
	return int(v)
}

// date returns a civil date from a date cell (a serial number in the
// workbook's date system) or from yyyy-mm-dd text; the zero time when blank.
func (r *rowReader) date(i int) time.Time {
	s := r.vals[i]
	if r.bad[i] || r.st.col[i] == 0 || s == "" {
		return time.Time{}
	}
	if v, ok := parseNumber(s); ok && !strings.Contains(s, ",") {
		// A bare year typed into a date cell reads as a serial in 1905;
		// no source of this dataset is that old, so say what happened.
		if v == math.Trunc(v) && v >= stats.MinYear && v <= stats.MaxYear {
			r.fail(i, "this looks like a year, not a date: give the full date, such as %d-06-30", int(v))
			return time.Time{}
		}
		if t, ok := serialToDate(v, r.d.date1904); ok {
			return t
		}
		r.fail(i, "this number is not a date Excel can show: type the date as yyyy-mm-dd, such as 2024-06-30")
		return time.Time{}
	}
	if t, ok := parseTextDate(s); ok {
		return t
	}
	r.fail(i, "must be a date: make it a date cell, or type it as yyyy-mm-dd, such as 2024-06-30")
	return time.Time{}
}

// partialDate returns a date as a source states it: yyyy-mm-dd (also from
// a date cell), yyyy-mm, yyyy or n.d.; "" when blank.
func (r *rowReader) partialDate(i int) string {
	s := r.vals[i]
	if r.bad[i] || r.st.col[i] == 0 || s == "" {
		return ""
	}
	if _, _, ok := stats.ParsePublished(s); ok {
		if strings.EqualFold(s, stats.NoDate) {
			return stats.NoDate
		}
		return s
	}
	if v, ok := parseNumber(s); ok && !strings.Contains(s, ",") {
		if t, ok := serialToDate(v, r.d.date1904); ok {
			return formatDate(t)
		}
	}
	if t, ok := parseTextDate(s); ok {
		return formatDate(t)
	}
	r.fail(i, "%s must be a date as the source gives it: a date cell, or text written as yyyy-mm-dd, yyyy-mm or yyyy, or n.d. when the source gives no date", r.header(i))
	return ""
}

// yesNo returns a yes/no value; blank is an issue, since no is a value.
func (r *rowReader) yesNo(i int) bool {
	if r.bad[i] || r.st.col[i] == 0 {
		return false
	}
	v, ok := parseYesNo(r.vals[i])
	if !ok {
		if r.vals[i] == "" {
			r.fail(i, "%s is missing: write yes or no", r.header(i))
		} else {
			r.fail(i, "%s must be yes or no", r.header(i))
		}
	}
	return v
}

// choice returns one of choices in its canonical spelling.
func (r *rowReader) choice(i int, required bool, choices []string) string {
	if r.bad[i] || r.st.col[i] == 0 {
		return ""
	}
	q, ok := parseChoice(r.vals[i], choices)
	switch {
	case !ok && required:
		r.fail(i, "%s must be one of: %s", r.header(i), strings.Join(choices, ", "))
	case !ok:
		r.fail(i, "%s must be left blank or be one of: %s", r.header(i), strings.Join(choices, ", "))
	case q == "" && required:
		r.fail(i, "%s is missing: write one of: %s", r.header(i), strings.Join(choices, ", "))
	}
	return q
}

// readField reads a row of a field sheet, such as Metadata, whose rows
// are fields of one record: the field's name in the first column, its
// value in the second.
func (d *decoder) readField(ds *stats.Dataset, r *rowReader) {
	const fi, vi = 0, 1
	st, spec := r.st, r.st.spec
	name := r.vals[fi]
	if name == "" {
		if r.vals[vi] != "" {
			r.fail(fi, "this row has a value but no field name: write the field name, such as %s, or delete the row", spec.Fields[0].Name)
		}
		return
	}
	k := fieldIndex(spec, name)
	if k < 0 && spec.Name == stats.TableMetadata && strings.EqualFold(name, schema.ExportedFromField) {
		d.readExportedFrom(r, vi)
		return
	}
	if k < 0 {
		d.warn(st.name, r.row, st.col[fi], schema.WarnUnknownField, "the field %q is not part of the %s sheet and was ignored", name, spec.Name)
		return
	}
	f := &spec.Fields[k]
	if prev := st.fieldRow[f.Name]; prev != 0 {
		r.fail(fi, "the field %s appears twice (also in row %d): keep one of the rows", f.Name, prev)
		return
	}
	st.fieldRow[f.Name] = r.row
	r.read(vi, f.Kind, !f.Optional, nil, f.Value(spec.Record(ds)))
}

// readExportedFrom reads the Metadata row that names the version a
// workbook was downloaded from.
func (d *decoder) readExportedFrom(r *rowReader, vi int) {
	if prev := r.st.fieldRow[schema.ExportedFromField]; prev != 0 {
		r.fail(0, "the field %s appears twice (also in row %d): keep one of the rows", schema.ExportedFromField, prev)
		return
	}
	r.st.fieldRow[schema.ExportedFromField] = r.row
	v := r.vals[vi]
	if v == "" {
		return // blank: treated as a workbook without a base
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v, ".0"))
	if err != nil || n < 1 {
		r.fail(vi, "%s must be the whole version number the workbook was downloaded from: leave it as it was written, or delete the row", schema.ExportedFromField)
		return
	}
	d.exportedFrom = n
}

// checkFieldRows reports fields of field sheets that have no row at all.
func (d *decoder) checkFieldRows() {
	for _, st := range d.sheets {
		if !st.spec.IsFieldSheet() {
			continue
		}
		if st.present && (st.col[0] == 0 || st.col[1] == 0) {
			// Without both columns no field can be read; the missing
			// column is the one thing to fix.
			st.broken = true
		}
		if !st.present || st.broken {
			continue
		}
		for _, f := range st.spec.Fields {
			if f.Optional || st.fieldRow[f.Name] != 0 {
				continue
			}
			d.reported[st.spec.Name+"#"+f.Name] = true
			d.fail(st, 0, 0, "", "the row for %s is missing: add a row with %s in the %s column and its value in the %s column", f.Name, f.Name, st.spec.Columns[0].Header, st.spec.Columns[1].Header)
		}
	}
}

// refsReadable reports whether the keys that a value of column field of
// spec refers to (Column.Ref) could be read. A reference to a sheet or
// field that could not be read would fail in every row; that sheet's own
// issue already says what to fix.
func (d *decoder) refsReadable(spec *schema.Sheet, field string) bool {
	i := spec.Column(field)
	if i < 0 || spec.Columns[i].Ref == "" {
		return true
	}
	for _, t := range d.sheets {
		if t.spec.Name != spec.Columns[i].Ref {
			continue
		}
		if !t.spec.IsFieldSheet() {
			return t.usable(0)
		}
		for _, f := range t.spec.Fields {
			if f.Key && t.fieldRow[f.Name] == 0 {
				return false
			}
		}
	}
	return true
}

// addProblem translates a problem found by stats.Dataset.Validate into an
// issue at the cell it came from, unless that cell, column or sheet already
// has an issue saying the same thing in other words.
// dataReadable reports whether the sheets whose data a definition sheet's
// problems depend on (a chart's values, a text's figures) were read in
// full; when one was not, those problems would only echo its own.
func (d *decoder) dataReadable(table string) bool {
	switch table {
	case stats.TableCharts, stats.TableChartSeries, stats.TableText:
	default:
		return true
	}
	for _, s := range d.sheets {
		if s.spec.Name == table {
			continue
		}
		if !s.present || s.broken {
			return false
		}
	}
	return true
}

func (d *decoder) addProblem(p stats.Problem) {
	var st *sheetState
	for _, s := range d.sheets {
		if s.spec.Name == p.Table {
			st = s
		}
	}
	if st == nil {
		d.fail(nil, 0, 0, p.Value, "%s", p.Error())
		return
	}
	if !st.present || st.broken {
		return
	}
	if !d.dataReadable(p.Table) {
		return
	}
	if p.Value != "" && !d.refsReadable(st.spec, p.Field) {
		return
	}
	var row, col int
	if st.spec.IsFieldSheet() {
		if d.reported[st.spec.Name+"#"+p.Field] {
			return
		}
		row, col = st.fieldRow[p.Field], st.col[1]
		if row == 0 {
			// Validate complains about an optional row's absence only when
			// it is not optional after all; say so on the sheet.
			d.fail(st, 0, 0, p.Value, "%s: %s", p.Field, p.Message)
			return
		}
	} else {
		if d.reported[st.spec.Name+"#"+p.Field] {
			return
		}
		i := columnIndex(st.spec, p.Field)
		if i >= 0 {
			col = st.col[i]
		}
		if p.Index >= 0 && p.Index < len(st.rows) {
			row = st.rows[p.Index]
		}
	}
	if row != 0 {
		ref := cellName(row, col)
		if d.reported[st.name+"!"+ref] {
			return
		}
		for _, m := range st.merges {
			if m.contains(row, col) {
				return
			}
		}
	}
	d.fail(st, row, col, p.Value, "%s", p.Message)
}

// strconvQuote quotes a formula for a message, keeping non-ASCII text
// readable.
func strconvQuote(s string) string { return strconv.Quote(s) }
