package xlsx

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/bilateral/bilateral/stats"
)

// Result is a decoded workbook.
type Result struct {
	// Dataset is the decoded dataset; nil when Decode returns an error.
	Dataset *stats.Dataset
	// Warnings are things ignored on the way that the analyst may want to
	// know about, such as a sheet or column that is not part of the format.
	Warnings []Issue
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
	d := &decoder{lim: lim.withDefaults(), reported: map[string]bool{}, metaRow: map[string]int{}}
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
	res = &Result{Warnings: d.warnings}
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
	warnings []Issue
	// reported holds "Sheet!Cell" of cells that already have an issue and
	// "Sheet#Header" of missing columns, so that stats.Validate's view of
	// the same mistake is not reported twice.
	reported map[string]bool
	sheets   []*sheetState // parallel to dataSheets
	metaRow  map[string]int
}

// located is an issue with its position, for sorting.
type located struct {
	Issue
	order, row, col int
}

// sheetState is what Decode learned about one data sheet of the upload.
type sheetState struct {
	spec    *sheetSpec
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
}

// usable reports whether the sheet was read and has the given column, so
// that references to it can be checked.
func (st *sheetState) usable(header string) bool {
	return st.present && !st.broken && st.col[st.spec.index(header)] != 0
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
		sheet, order = st.spec.name, st.order
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

// warn records a warning.
func (d *decoder) warn(sheet string, row, col int, value, format string, args ...any) {
	if len(d.warnings) >= maxWarnings {
		return
	}
	d.warnings = append(d.warnings, Issue{Sheet: sheet, Cell: cellName(row, col), Value: value, Message: fmt.Sprintf(format, args...)})
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
	readers := []func(r *rowReader){
		d.readMetadataRow(ds),
		func(r *rowReader) {
			ds.Sources = append(ds.Sources, stats.Source{
				ID:           r.text("ID"),
				Organisation: r.text("Organisation"),
				Title:        r.text("Title"),
				Published:    r.date("Published"),
				URL:          r.text("URL"),
				Note:         r.text("Note"),
			})
		},
		func(r *rowReader) {
			ds.Series = append(ds.Series, stats.Series{
				ID:          r.text("ID"),
				Name:        r.text("Name"),
				Unit:        r.text("Unit"),
				Basis:       r.text("Basis"),
				ReportedBy:  r.text("Reported by"),
				Description: r.text("Description"),
			})
		},
		func(r *rowReader) {
			ds.Observations = append(ds.Observations, stats.Observation{
				Series: r.text("Series"),
				Year:   r.year("Year"),
				Value:  r.number("Value"),
				Source: r.text("Source"),
				Note:   r.text("Note"),
			})
		},
		func(r *rowReader) {
			ds.Projects = append(ds.Projects, stats.Project{
				Company:    r.text("Company"),
				AmountUSDm: r.number("Amount (USD million)"),
				City:       r.text("City"),
				State:      r.text("State"),
				Year:       r.year("Year announced"),
				Sector:     r.text("Sector"),
				Jobs:       r.text("Jobs"),
				Counted:    r.yesNo("In state totals"),
				Source:     r.text("Source"),
				Note:       r.text("Note"),
			})
		},
		func(r *rowReader) {
			ds.Facts = append(ds.Facts, stats.Fact{
				Key:       r.text("Key"),
				Label:     r.text("Label"),
				Value:     r.number("Value"),
				Qualifier: r.qualifier("Qualifier"),
				Unit:      r.text("Unit"),
				Year:      r.year("Year"),
				Source:    r.text("Source"),
				Note:      r.text("Note"),
			})
		},
	}
	for i, st := range d.sheets {
		if st.present {
			d.readSheet(f, p, st, readers[i])
		}
	}
	d.checkMetadataRows()
	ds.StripBidiControls() // directional controls would reverse text on every surface
	for _, prob := range ds.Validate() {
		d.addProblem(prob)
	}
	return ds, nil
}

// matchSheets pairs the workbook's sheets with the format's, tolerating
// case and spacing in names, and reports missing and unknown sheets.
func (d *decoder) matchSheets(names []string) {
	byName := map[string]string{}
	for _, n := range names {
		byName[normalize(n)] = n
	}
	known := map[string]bool{normalize(sheetREADME): true, normalize(sheetLists): true}
	for i, spec := range dataSheets {
		st := &sheetState{spec: spec, order: i, col: make([]int, len(spec.columns)), named: map[int]bool{}}
		d.sheets = append(d.sheets, st)
		known[normalize(spec.name)] = true
		for _, n := range names {
			if normalize(n) != normalize(spec.name) {
				continue
			}
			if st.present {
				d.fail(st, 0, 0, n, "two sheets are named %s: delete or rename one of them", spec.name)
				st.broken = true
				continue
			}
			st.present, st.name = true, n
		}
		if !st.present {
			d.fail(st, 0, 0, "", "the workbook has no sheet named %s (it has %s): add the sheet, or rename yours to %s; download a fresh workbook to see the format", spec.name, quoteList(names), spec.name)
		}
	}
	for _, n := range names {
		if !known[normalize(n)] {
			d.warn(n, 0, 0, "", "this sheet is not part of the format and was ignored")
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
				d.warn(st.name, st.header, c+1, "", "column %s has values but no header, so they were ignored", cellColumn(c+1))
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
func headerList(spec *sheetSpec) string {
	h := make([]string, len(spec.columns))
	for i, c := range spec.columns {
		h[i] = c.header
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
		idx := st.spec.index(h)
		if idx < 0 {
			d.warn(st.name, row, c, trim(v), "this column is not part of the %s sheet and was ignored", st.spec.name)
			continue
		}
		st.col[idx] = c
	}
	for i, col := range st.spec.columns {
		if st.col[i] != 0 || col.omittable {
			continue
		}
		d.reported[st.spec.name+"#"+col.header] = true
		d.fail(st, 0, 0, "", "the column %q is missing: add a column headed %q to the header row (row %d)", col.header, col.header, row)
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

// at returns the spec index of a header; an unknown header is a bug in
// this package, not in the upload.
func (r *rowReader) at(header string) int {
	i := r.st.spec.index(header)
	if i < 0 {
		panic(fmt.Sprintf("xlsx: sheet %s has no column %q", r.st.spec.name, header))
	}
	return i
}

// fail reports a problem with the value of column i.
func (r *rowReader) fail(i int, format string, args ...any) {
	r.bad[i] = true
	r.d.fail(r.st, r.row, r.st.col[i], r.vals[i], format, args...)
}

// text returns a text value with surrounding white space removed.
func (r *rowReader) text(header string) string {
	return r.vals[r.at(header)]
}

// number returns a numeric value. A required number left blank is an
// issue: a blank must never silently become zero.
func (r *rowReader) number(header string) float64 {
	i := r.at(header)
	return r.numberAt(i, r.st.spec.columns[i].required)
}

func (r *rowReader) numberAt(i int, required bool) float64 {
	s := r.vals[i]
	switch {
	case r.bad[i] || r.st.col[i] == 0:
		return 0
	case s == "":
		if required {
			r.fail(i, "%s is missing: type the number; if there is no figure, delete the row", r.st.spec.columns[i].header)
		}
		return 0
	}
	v, ok := parseNumber(s)
	if !ok {
		r.fail(i, "%s must be a number, such as 1234.5; use a dot for decimals and commas only between thousands", r.st.spec.columns[i].header)
	}
	return v
}

// year returns a year, 0 when an optional year is left blank.
func (r *rowReader) year(header string) int {
	i := r.at(header)
	col := r.st.spec.columns[i]
	s := r.vals[i]
	switch {
	case r.bad[i] || r.st.col[i] == 0:
		return 0
	case s == "":
		if col.required {
			r.fail(i, "%s is missing: type the year as four digits, such as 2023", col.header)
		}
		return 0
	}
	v, ok := parseNumber(s)
	switch {
	case !ok:
		r.fail(i, "%s must be a year written as four digits, such as 2023", col.header)
		return 0
	case v != math.Trunc(v):
		r.fail(i, "%s must be a whole number, such as 2023", col.header)
		return 0
	case v < stats.MinYear || v > stats.MaxYear:
		r.fail(i, "%s must be between %d and %d", col.header, stats.MinYear, stats.MaxYear)
		return 0
	}
	return int(v)
}

// date returns a civil date from a date cell (a serial number in the
// workbook's date system) or from yyyy-mm-dd text; the zero time when blank.
func (r *rowReader) date(header string) time.Time {
	return r.dateAt(r.at(header))
}

func (r *rowReader) dateAt(i int) time.Time {
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

// yesNo returns a yes/no value.
func (r *rowReader) yesNo(header string) bool {
	i := r.at(header)
	if r.bad[i] || r.st.col[i] == 0 {
		return false
	}
	v, ok := parseYesNo(r.vals[i])
	if !ok {
		if r.vals[i] == "" {
			r.fail(i, "%s is missing: write yes or no", r.st.spec.columns[i].header)
		} else {
			r.fail(i, "%s must be yes or no", r.st.spec.columns[i].header)
		}
	}
	return v
}

// qualifier returns a Fact's qualifier in its canonical spelling.
func (r *rowReader) qualifier(header string) string {
	i := r.at(header)
	if r.bad[i] || r.st.col[i] == 0 {
		return ""
	}
	q, ok := parseQualifier(r.vals[i])
	if !ok {
		r.fail(i, "%s must be left blank or be one of: %s", r.st.spec.columns[i].header, strings.Join(qualifiers, ", "))
	}
	return q
}

// readMetadataRow returns the record function of the Metadata sheet, whose
// rows are fields of one record rather than records.
func (d *decoder) readMetadataRow(ds *stats.Dataset) func(r *rowReader) {
	return func(r *rowReader) {
		fi, vi := r.at("Field"), r.at("Value")
		name := r.vals[fi]
		if name == "" {
			if r.vals[vi] != "" {
				r.fail(fi, "this row has a value but no field name: write the field name, such as Title, or delete the row")
			}
			return
		}
		k := metaFieldIndex(name)
		if k < 0 {
			d.warn(r.st.name, r.row, r.st.col[fi], name, "this field is not part of the Metadata sheet and was ignored")
			return
		}
		m := metaFields[k]
		if prev := d.metaRow[m.name]; prev != 0 {
			r.fail(fi, "the field %s appears twice (also in row %d): keep one of the rows", m.name, prev)
			return
		}
		d.metaRow[m.name] = r.row
		switch m.name {
		case "Title":
			ds.Meta.Title = r.vals[vi]
		case "Description":
			ds.Meta.Description = r.vals[vi]
		case "Reporter code":
			ds.Meta.Reporter.Code = r.vals[vi]
		case "Reporter name":
			ds.Meta.Reporter.Name = r.vals[vi]
		case "Partner code":
			ds.Meta.Partner.Code = r.vals[vi]
		case "Partner name":
			ds.Meta.Partner.Name = r.vals[vi]
		case "As of":
			ds.Meta.AsOf = r.dateAt(vi)
		}
	}
}

// checkMetadataRows reports Metadata fields that have no row at all.
func (d *decoder) checkMetadataRows() {
	st := d.sheets[0]
	if st.present && (st.col[0] == 0 || st.col[1] == 0) {
		// Without both columns no field can be read; the missing column
		// is the one thing to fix.
		st.broken = true
	}
	if !st.present || st.broken {
		return
	}
	for _, m := range metaFields {
		if m.optional || d.metaRow[m.name] != 0 {
			continue
		}
		d.reported[st.spec.name+"#"+m.name] = true
		d.fail(st, 0, 0, "", "the row for %s is missing: add a row with %s in the Field column and its value in the Value column", m.name, m.name)
	}
}

// addProblem translates a problem found by stats.Dataset.Validate into an
// issue at the cell it came from, unless that cell, column or sheet already
// has an issue saying the same thing in other words.
func (d *decoder) addProblem(p stats.Problem) {
	var st *sheetState
	for _, s := range d.sheets {
		if s.spec.name == p.Table {
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
	// A reference to a sheet that could not be read would fail in every
	// row; the sheet's own issue already says what to fix.
	if p.Value != "" {
		switch {
		case p.Field == "Source" && p.Table != stats.TableSources && !d.sheets[1].usable("ID"),
			p.Field == "Series" && p.Table == stats.TableObservations && !d.sheets[2].usable("ID"),
			p.Field == "Reported by" && (d.metaRow["Reporter code"] == 0 || d.metaRow["Partner code"] == 0):
			return
		}
	}
	var row, col int
	if p.Table == stats.TableMetadata {
		if d.reported[st.spec.name+"#"+p.Field] {
			return
		}
		row, col = d.metaRow[p.Field], st.col[st.spec.index("Value")]
		if row == 0 {
			// Validate complains about an optional row's absence only when
			// it is not optional after all; say so on the sheet.
			d.fail(st, 0, 0, p.Value, "%s: %s", p.Field, p.Message)
			return
		}
	} else {
		if d.reported[st.spec.name+"#"+p.Field] {
			return
		}
		i := st.spec.index(p.Field)
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
