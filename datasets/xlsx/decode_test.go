package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/stats"
)

// The tests here build unusual workbooks with excelize, cell by cell, the
// way an analyst's edits would leave them, and check that Decode points at
// the right cell with the right advice.

// formula is a cell holding a formula; cached is its saved result, or nil
// for a formula that was never calculated.
type formula struct {
	expr   string
	cached any
}

// sheetRows is one sheet of a test workbook, row by row from row 1.
type sheetRows struct {
	name string
	rows [][]any
}

// book is a test workbook as data, so a case can change a cell by its
// reference before the file is built.
type book []sheetRows

// miniBook is a small valid workbook; miniDataset is what it decodes to.
func miniBook() book {
	return book{
		{"Metadata", [][]any{
			{"Field", "Value"},
			{"Title", "Mini"},
			{"Description", ""},
			{"Reporter code", "US"},
			{"Reporter name", "United States"},
			{"Partner code", "KR"},
			{"Partner name", "Korea"},
			{"As of", "2025-03-31"},
		}},
		{"Sources", [][]any{
			{"ID", "Organisation", "Title", "Published", "URL", "Note"},
			{"bea", "BEA", "Trade", "n.d.", "https://www.bea.gov/", nil},
			{"kita", "KITA", "Stats", "2024-06-20", "https://stat.kita.net/", "in USD"},
		}},
		{"Series", [][]any{
			{"ID", "Name", "Unit", "Basis", "Reported by", "Description"},
			{"exports", "Exports", "USD billion", "BOP", "US", nil},
			{"imports", "Imports", "USD billion", "BOP", "US", "BEA and KITA figures on one basis."},
		}},
		{"Observations", [][]any{
			{"Series", "Year", "Value", "Source", "Note"},
			{"exports", 2020, 51.2, "bea", nil},
			{"exports", 2021, 65.3, "bea", nil},
			{"imports", 2020, 76.0, "bea", nil},
			{"imports", 2021, 95.1, "kita", "prelim"},
		}},
		{"Projects", [][]any{
			{"Company", "Amount (USD million)", "City", "State", "Year announced", "Sector", "Jobs", "In state totals", "Source", "Note"},
			{"Hyundai", 5540, "Ellabell", "Georgia", 2022, "EV", "8,100", "yes", "kita", nil},
		}},
		{"Facts", [][]any{
			{"Key", "Label", "Value", "Qualifier", "Unit", "Year", "Source", "Note"},
			{"us-companies", "American companies in Korea", 800, "more than", "companies", 2024, "kita", nil},
		}},
		{"Charts", [][]any{
			chartsHeader(),
			{"trade", "trade", 10, "bar", "Trade", "USD billion"},
		}},
		{"Chart series", [][]any{
			{"Chart", "Series", "Computed", "Role", "Axis", "Colour", "Label"},
			{"trade", "exports", nil, nil, nil, "blue", "Exports"},
		}},
		{"Text", [][]any{
			{"Section", "Order", "Heading", "Menu label", "Body", "Chart"},
			{"trade", 1, "Trade", "Trade", "Exports were {{latest exports}}.", "trade"},
		}},
	}
}

// chartsHeader is the header row of the Charts sheet.
func chartsHeader() []any {
	var h []any
	for _, c := range schema.Lookup("Charts").Columns {
		h = append(h, c.Header)
	}
	return h
}

func miniDataset() *stats.Dataset {
	return &stats.Dataset{
		Meta: stats.Metadata{
			Title:    "Mini",
			Reporter: stats.Country{Code: "US", Name: "United States"},
			Partner:  stats.Country{Code: "KR", Name: "Korea"},
			AsOf:     civil(2025, time.March, 31),
		},
		Sources: []stats.Source{
			{ID: "bea", Organisation: "BEA", Title: "Trade", Published: "n.d.", URL: "https://www.bea.gov/"},
			{ID: "kita", Organisation: "KITA", Title: "Stats", Published: "2024-06-20", URL: "https://stat.kita.net/", Note: "in USD"},
		},
		Series: []stats.Series{
			{ID: "exports", Name: "Exports", Unit: "USD billion", Basis: "BOP", ReportedBy: "US"},
			{ID: "imports", Name: "Imports", Unit: "USD billion", Basis: "BOP", ReportedBy: "US", Description: "BEA and KITA figures on one basis."},
		},
		Observations: []stats.Observation{
			{Series: "exports", Year: 2020, Value: 51.2, Source: "bea"},
			{Series: "exports", Year: 2021, Value: 65.3, Source: "bea"},
			{Series: "imports", Year: 2020, Value: 76, Source: "bea"},
			{Series: "imports", Year: 2021, Value: 95.1, Source: "kita", Note: "prelim"},
		},
		Projects: []stats.Project{
			{Company: "Hyundai", AmountUSDm: 5540, City: "Ellabell", State: "Georgia", Year: 2022, Sector: "EV", Jobs: "8,100", Counted: true, Source: "kita"},
		},
		Facts: []stats.Fact{
			{Key: "us-companies", Label: "American companies in Korea", Value: 800, Qualifier: "more than", Unit: "companies", Year: 2024, Source: "kita"},
		},
		Charts:      []stats.ChartDef{{ID: "trade", Section: "trade", Order: 10, Kind: "bar", Title: "Trade", Subtitle: "USD billion"}},
		ChartSeries: []stats.ChartSeries{{Chart: "trade", Series: "exports", Colour: "blue", Label: "Exports"}},
		Text:        []stats.Block{{Section: "trade", Order: 1, Heading: "Trade", Menu: "Trade", Body: "Exports were {{latest exports}}.", Chart: "trade"}},
	}
}

// set puts v in a cell of the book, growing the sheet as needed.
func (b book) set(t testing.TB, sheet, ref string, v any) {
	t.Helper()
	col, row, err := excelize.CellNameToCoordinates(ref)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		if b[i].name != sheet {
			continue
		}
		for len(b[i].rows) < row {
			b[i].rows = append(b[i].rows, nil)
		}
		r := b[i].rows[row-1]
		for len(r) < col {
			r = append(r, nil)
		}
		r[col-1] = v
		b[i].rows[row-1] = r
		return
	}
	t.Fatalf("book has no sheet %s", sheet)
}

// build writes the book with excelize, then lets edit change the file.
func (b book) build(t testing.TB, edit func(f *excelize.File) error) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range b {
		var err error
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.name)
		} else {
			_, err = f.NewSheet(s.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				switch v := v.(type) {
				case nil:
				case string:
					err = f.SetCellStr(s.name, ref, v)
				case formula:
					if v.cached != nil {
						err = f.SetCellValue(s.name, ref, v.cached)
					}
					if err == nil {
						err = f.SetCellFormula(s.name, ref, v.expr)
					}
				default:
					err = f.SetCellValue(s.name, ref, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if edit != nil {
		if err := edit(f); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rewriteSheet changes the XML of one sheet's part in a built workbook, for
// damage excelize cannot be asked to write.
func rewriteSheet(t testing.TB, data []byte, sheet string, change func(string) string) []byte {
	t.Helper()
	p, iss := openPackage(data, DefaultLimits())
	if iss != nil {
		t.Fatal(iss)
	}
	part := p.parts[sheet]
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if partName(f.Name) == part {
			b = []byte(change(string(b)))
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// want is an expected issue: its exact place and a fragment of its message.
type want struct {
	sheet, cell, fragment string
}

func (w want) matches(i Issue) bool {
	return i.Sheet == w.sheet && i.Cell == w.cell && strings.Contains(i.Message, w.fragment)
}

// issuesOf returns the issues in a Decode error.
func issuesOf(t *testing.T, err error) []Issue {
	t.Helper()
	var xe *Error
	if !errors.As(err, &xe) {
		t.Fatalf("Decode() error = %v (%T), want *Error", err, err)
	}
	return xe.Issues
}

func TestDecodeIssues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  func(t *testing.T) []byte
		lim   Limits
		want  []want // every issue, exactly; nil means the workbook is valid
		warns []want // warnings that must be among the warnings
		check func(t *testing.T, d *stats.Dataset)
	}{
		{
			name: "valid",
			data: func(t *testing.T) []byte { return miniBook().build(t, nil) },
			check: func(t *testing.T, d *stats.Dataset) {
				if !reflect.DeepEqual(d, miniDataset()) {
					t.Errorf("Decode(mini) differs:\n%s", diffDataset(d, miniDataset()))
				}
			},
		},
		{
			name: "missing sheet",
			data: func(t *testing.T) []byte {
				return miniBook().build(t, func(f *excelize.File) error { return f.DeleteSheet("Facts") })
			},
			want: []want{{"Facts", "", "no sheet named Facts"}},
		},
		{
			name: "missing required header",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "C1", "Amount")
				return b.build(t, nil)
			},
			want:  []want{{"Observations", "", `column "Value" is missing`}},
			warns: []want{{"Observations", "C1", "not part of the Observations sheet"}},
		},
		{
			name: "duplicate header",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "F1", " value ")
				return b.build(t, nil)
			},
			want: []want{{"Observations", "F1", "appears twice (also in C1)"}},
		},
		{
			name: "headers reordered with odd case and spacing",
			data: func(t *testing.T) []byte {
				b := miniBook()
				obs := b[3].rows
				perm := []int{4, 3, 2, 0, 1} // Note, Source, Value, Series, Year
				headers := []string{" NOTE", "source\u00a0", "VALUE", "  Series ", "year"}
				for r, row := range obs {
					nr := make([]any, len(perm))
					for i, p := range perm {
						nr[i] = row[p]
					}
					if r == 0 {
						for i, h := range headers {
							nr[i] = h
						}
					}
					obs[r] = nr
				}
				b[1].rows[0][1] = "organisation" // Sources
				b[4].rows[0][1] = "Amount  (USD\u00a0million)"
				return b.build(t, nil)
			},
			check: func(t *testing.T, d *stats.Dataset) {
				if !reflect.DeepEqual(d, miniDataset()) {
					t.Errorf("Decode(reordered) differs:\n%s", diffDataset(d, miniDataset()))
				}
			},
		},
		{
			name: "text in number cell",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "C3", "12,5x")
				return b.build(t, nil)
			},
			want: []want{{"Observations", "C3", "Value must be a number"}},
		},
		{
			name: "blank required number",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "C3", "  ")
				return b.build(t, nil)
			},
			want: []want{{"Observations", "C3", "Value is missing"}},
		},
		{
			name: "non-integer year",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "B4", 2020.5)
				return b.build(t, nil)
			},
			want: []want{{"Observations", "B4", "whole number"}},
		},
		{
			name: "unknown series",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "A5", "nope")
				return b.build(t, nil)
			},
			want: []want{{"Observations", "A5", "no series has this ID"}},
		},
		{
			name: "unknown source",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "D2", "nosuch")
				return b.build(t, nil)
			},
			want: []want{{"Observations", "D2", "no source has this ID"}},
		},
		{
			name: "duplicate series and year",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "B3", 2020)
				return b.build(t, nil)
			},
			want: []want{{"Observations", "B3", "already has a value for 2020"}},
		},
		{
			name: "formula without saved result",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "C2", formula{expr: "50+1.2"})
				return b.build(t, nil)
			},
			want: []want{{"Observations", "C2", "formula but no saved result: open the file in Excel or LibreOffice, let it recalculate"}},
		},
		{
			name: "formula with saved result",
			data: func(t *testing.T) []byte {
				b := miniBook()
				// As excelize writes it: t="str" and the result as text.
				b.set(t, "Observations", "C2", formula{expr: "50+1.2", cached: 51.2})
				data := b.build(t, nil)
				// As Excel writes it.
				data = rewriteSheet(t, data, "Observations", func(s string) string {
					return regexp.MustCompile(`<c r="C3"[^>]*>.*?</c>`).ReplaceAllString(s, `<c r="C3"><f>60+5.3</f><v>65.3</v></c>`)
				})
				return rewriteSheet(t, data, "Series", func(s string) string {
					return regexp.MustCompile(`<c r="E3"[^>]*>.*?</c>`).ReplaceAllString(s, `<c r="E3" t="str"><f>"U"&amp;"S"</f><v>US</v></c>`)
				})
			},
			check: func(t *testing.T, d *stats.Dataset) {
				if !reflect.DeepEqual(d, miniDataset()) {
					t.Errorf("Decode(formulas) differs:\n%s", diffDataset(d, miniDataset()))
				}
			},
		},
		{
			name: "error value",
			data: func(t *testing.T) []byte {
				data := miniBook().build(t, nil)
				return rewriteSheet(t, data, "Observations", func(s string) string {
					return regexp.MustCompile(`<c r="C3"[^>]*>.*?</c>`).ReplaceAllString(s, `<c r="C3" t="e"><f>1/0</f><v>#DIV/0!</v></c>`)
				})
			},
			want: []want{{"Observations", "C3", "shows an error"}},
		},
		{
			name: "numbers stored as text",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "B2", " 2020 ")
				b.set(t, "Observations", "C2", " 1,200.5 ")
				b.set(t, "Projects", "B2", "5,540")
				b.set(t, "Projects", "H2", "TRUE")
				b.set(t, "Facts", "D2", "More  Than")
				return b.build(t, nil)
			},
			check: func(t *testing.T, d *stats.Dataset) {
				w := miniDataset()
				w.Observations[0].Value = 1200.5
				if !reflect.DeepEqual(d, w) {
					t.Errorf("Decode(text numbers) differs:\n%s", diffDataset(d, w))
				}
			},
		},
		{
			name: "trailing and inner empty rows",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "A9", " ")
				b.set(t, "Observations", "C12", "")
				b.set(t, "Observations", "E20", "\u00a0")
				b[3].rows = append(b[3].rows[:3], append([][]any{{nil, " "}}, b[3].rows[3:]...)...)
				return b.build(t, func(f *excelize.File) error {
					style, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
					if err != nil {
						return err
					}
					return f.SetCellStyle("Observations", "A30", "E40", style)
				})
			},
			check: func(t *testing.T, d *stats.Dataset) {
				if !reflect.DeepEqual(d, miniDataset()) {
					t.Errorf("Decode(empty rows) differs:\n%s", diffDataset(d, miniDataset()))
				}
			},
		},
		{
			name: "empty row moves problems down",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b[3].rows = append(b[3].rows[:2], append([][]any{nil}, b[3].rows[2:]...)...)
				b.set(t, "Observations", "D5", "nosuch") // the third record, in row 5
				return b.build(t, nil)
			},
			want: []want{{"Observations", "D5", "no source has this ID"}},
		},
		{
			name: "unknown extra sheet",
			data: func(t *testing.T) []byte {
				b := append(miniBook(), sheetRows{"Scratch", [][]any{{"my notes"}}}, sheetRows{"readme", [][]any{{"anything"}}})
				return b.build(t, nil)
			},
			warns: []want{{"Scratch", "", "ignored"}},
			check: func(t *testing.T, d *stats.Dataset) {
				if !reflect.DeepEqual(d, miniDataset()) {
					t.Errorf("Decode(extra sheet) differs:\n%s", diffDataset(d, miniDataset()))
				}
			},
		},
		{
			name: "merged cells in a data row",
			data: func(t *testing.T) []byte {
				return miniBook().build(t, func(f *excelize.File) error { return f.MergeCell("Observations", "D3", "E3") })
			},
			want: []want{{"Observations", "D3", "unmerge D3:E3"}},
		},
		{
			name: "1904 date system",
			data: func(t *testing.T) []byte {
				b := miniBook()
				// 2020-10-16 is serial 44120 in the 1900 system and 42658 in 1904.
				b.set(t, "Metadata", "B8", 42658.0)
				b.set(t, "Sources", "D3", 42658.75) // a time of day is dropped
				return b.build(t, func(f *excelize.File) error {
					yes := true
					return f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes})
				})
			},
			check: func(t *testing.T, d *stats.Dataset) {
				want := civil(2020, time.October, 16)
				if !d.Meta.AsOf.Equal(want) || d.Sources[1].Published != "2020-10-16" {
					t.Errorf("Decode(1904) dates = %v, %v, want %v", d.Meta.AsOf, d.Sources[1].Published, want)
				}
			},
		},
		{
			name: "1900 date system",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Metadata", "B8", 44120)
				return b.build(t, nil)
			},
			check: func(t *testing.T, d *stats.Dataset) {
				if want := civil(2020, time.October, 16); !d.Meta.AsOf.Equal(want) {
					t.Errorf("Decode(1900) AsOf = %v, want %v", d.Meta.AsOf, want)
				}
			},
		},
		{
			name: "bad dates",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Metadata", "B8", "31/03/2025")
				b.set(t, "Sources", "D3", "March 2024")
				return b.build(t, nil)
			},
			want: []want{
				{"Metadata", "B8", "must be a date"},
				{"Sources", "D3", "yyyy-mm or yyyy, or n.d."},
			},
		},
		{
			name: "sheet over the row limit",
			data: func(t *testing.T) []byte {
				b := miniBook()
				for y := 2010; y < 2017; y++ {
					b[3].rows = append(b[3].rows, []any{"exports", y, 1.5, "bea"})
				}
				return b.build(t, nil)
			},
			lim:  Limits{MaxRows: 10},
			want: []want{{"Observations", "", "more than 10 rows"}},
		},
		{
			name: "only formatted empty rows beyond the row limit",
			data: func(t *testing.T) []byte {
				return miniBook().build(t, func(f *excelize.File) error {
					style, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
					if err != nil {
						return err
					}
					return f.SetCellStyle("Observations", "A9", "E40", style)
				})
			},
			lim: Limits{MaxRows: 8},
			check: func(t *testing.T, d *stats.Dataset) {
				if len(d.Observations) != 4 {
					t.Errorf("Decode() has %d observations, want 4", len(d.Observations))
				}
			},
		},
		{
			name: "data beyond the column limit",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "Z3", "stray")
				return b.build(t, nil)
			},
			lim:  Limits{MaxCols: 25},
			want: []want{{"Observations", "Z3", "beyond column Y"}},
		},
		{
			name: "values without a header",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Observations", "H3", "stray")
				return b.build(t, nil)
			},
			warns: []want{{"Observations", "H1", "no header"}},
		},
		{
			name: "damaged sheet XML",
			data: func(t *testing.T) []byte {
				data := miniBook().build(t, nil)
				return rewriteSheet(t, data, "Observations", func(s string) string {
					// Row 4 breaks off: excelize's iterator silently stops there.
					return strings.Replace(s, `<row r="4"`, `<row r="4"><c r="A4" t="s"<v>`, 1)
				})
			},
			want: []want{{"Observations", "", "damaged"}},
		},
		{
			name: "missing metadata row",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b[0].rows = b[0].rows[:7] // no As of
				return b.build(t, nil)
			},
			want: []want{{"Metadata", "", "row for As of is missing"}},
		},
		{
			name: "not a workbook",
			data: func(t *testing.T) []byte { return []byte("Series,Year,Value\n") },
			want: []want{{"", "", "CSV or text file"}},
		},
		{
			name: "too large unpacked",
			data: func(t *testing.T) []byte { return miniBook().build(t, nil) },
			lim:  Limits{UnzipSizeLimit: 4 << 10},
			want: []want{{"", "", "larger than"}},
		},
		{
			name: "several problems across sheets",
			data: func(t *testing.T) []byte {
				b := miniBook()
				b.set(t, "Metadata", "B2", " ")
				b.set(t, "Sources", "E3", "javascript:alert(1)")
				b.set(t, "Series", "E2", "JP")
				b.set(t, "Observations", "C3", "abc")
				b.set(t, "Projects", "H2", "maybe")
				b.set(t, "Facts", "D2", "roughly")
				b.set(t, "Facts", "F2", 2024.5)
				return b.build(t, nil)
			},
			want: []want{
				{"Metadata", "B2", "needs a title"},
				{"Sources", "E3", "http:// or https://"},
				{"Series", "E2", "reporter's or the partner's"},
				{"Observations", "C3", "must be a number"},
				{"Projects", "H2", "yes or no"},
				{"Facts", "D2", "Qualifier must be left blank or be one of"},
				{"Facts", "F2", "whole number"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Decode(tc.data(t), tc.lim)
			if tc.want == nil {
				if err != nil {
					for _, i := range issuesOf(t, err) {
						t.Errorf("issue: %s", i)
					}
					t.Fatalf("Decode(%s) = %v, want no error", tc.name, err)
				}
				if tc.check != nil {
					tc.check(t, res.Dataset)
				}
			} else {
				if err == nil {
					t.Fatalf("Decode(%s) = nil error, want issues %v", tc.name, tc.want)
				}
				got := issuesOf(t, err)
				t.Logf("issues:\n%s", issueList(got))
				if len(got) != len(tc.want) {
					t.Errorf("Decode(%s) = %d issues, want %d:\n%s", tc.name, len(got), len(tc.want), issueList(got))
				}
				for _, w := range tc.want {
					if !slicesContainsFunc(got, w.matches) {
						t.Errorf("Decode(%s) issues lack %s!%s %q; got:\n%s", tc.name, w.sheet, w.cell, w.fragment, issueList(got))
					}
				}
			}
			for _, w := range tc.warns {
				if res == nil || !slicesContainsFunc(warnIssues(t, res.Warnings), w.matches) {
					var ws []Issue
					if res != nil {
						ws = warnIssues(t, res.Warnings)
					}
					t.Errorf("Decode(%s) warnings lack %s!%s %q; got:\n%s", tc.name, w.sheet, w.cell, w.fragment, issueList(ws))
				}
			}
		})
	}
}

// warnIssues returns warnings as issues, for matching with want, and
// checks that each has one of the codes the package documents.
func warnIssues(t *testing.T, ws []schema.Warning) []Issue {
	t.Helper()
	known := []string{schema.WarnUnknownSheet, schema.WarnUnknownColumn, schema.WarnUnnamedColumn, schema.WarnUnknownField}
	out := make([]Issue, len(ws))
	for i, w := range ws {
		if !slices.Contains(known, w.Code) {
			t.Errorf("warning %s has code %q, want one of %v", w, w.Code, known)
		}
		out[i] = Issue{Sheet: w.Sheet, Cell: w.Cell, Message: w.Message}
	}
	return out
}

func slicesContainsFunc(is []Issue, f func(Issue) bool) bool {
	for _, i := range is {
		if f(i) {
			return true
		}
	}
	return false
}

func issueList(is []Issue) string {
	var b strings.Builder
	for _, i := range is {
		b.WriteString("\t" + i.String() + "\n")
	}
	return b.String()
}

// TestDecodeManyIssues checks that every bad row is reported, and that a
// sheet of bad rows is capped rather than turned into unbounded messages.
func TestDecodeManyIssues(t *testing.T) {
	for _, tc := range []struct {
		rows, want int
	}{
		{rows: 50, want: 50},
		{rows: maxIssues + 20, want: maxIssues + 1}, // plus the "more problems" line
	} {
		b := miniBook()
		for i := 0; i < tc.rows; i++ {
			b[3].rows = append(b[3].rows, []any{"exports", 1950 + i%100, "n/a", "bea"})
		}
		_, err := Decode(b.build(t, nil), Limits{})
		got := issuesOf(t, err)
		if len(got) != tc.want {
			t.Errorf("Decode(%d bad rows) = %d issues, want %d", tc.rows, len(got), tc.want)
		}
		if got[0].Cell != "C6" {
			t.Errorf("Decode(%d bad rows) first issue = %s, want Observations!C6", tc.rows, got[0])
		}
	}
}

// checkDecoded asserts Decode's contract: a valid dataset and no error, or
// an *Error with at least one issue and no dataset.
func checkDecoded(t *testing.T, res *Result, err error) {
	t.Helper()
	if err != nil {
		var xe *Error
		if !errors.As(err, &xe) || len(xe.Issues) == 0 {
			t.Fatalf("Decode() error = %v (%T), want *Error with issues", err, err)
		}
		if res != nil && res.Dataset != nil {
			t.Fatalf("Decode() returned a dataset with an error")
		}
		return
	}
	if res == nil || res.Dataset == nil {
		t.Fatalf("Decode() = nil dataset and nil error")
	}
	if ps := res.Dataset.Validate(); len(ps) > 0 {
		t.Fatalf("Decode() returned a dataset that fails Validate: %v", ps)
	}
}

// TestDecodeCorrupt feeds cut and bit-flipped workbooks: each must give
// issues, never a panic and never a partial dataset.
func TestDecodeCorrupt(t *testing.T) {
	good := miniBook().build(t, nil)
	cases := map[string][]byte{
		"empty":       {},
		"zip magic":   []byte("PK\x03\x04"),
		"ole magic":   append(append([]byte{}, oleMagic...), make([]byte, 512)...),
		"cut in half": good[:len(good)/2],
		"cut at end":  good[:len(good)-1],
		"header lower": func() []byte {
			b := miniBook()
			b[3].rows = append([][]any{nil, nil}, b[3].rows...)
			return b.build(t, nil)
		}(),
	}
	for i := 100; i < len(good)-100; i += len(good) / 25 {
		b := bytes.Clone(good)
		b[i] ^= 0x55
		cases["flipped byte "+string(rune('a'+i%26))+strings.Repeat("'", i/1000)] = b
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := Decode(data, DefaultLimits())
			if name == "header lower" {
				// Not corrupt: a header row moved down is still read, as
				// the first non-empty row.
				if err != nil || !reflect.DeepEqual(res.Dataset, miniDataset()) {
					t.Fatalf("Decode(%s) = %v, want the mini dataset", name, err)
				}
				return
			}
			if err == nil {
				// A flipped byte in an unused part (a style, a property)
				// can leave a valid workbook; it must then be the right one.
				if !reflect.DeepEqual(res.Dataset, miniDataset()) {
					t.Fatalf("Decode(%s) = a different dataset without error:\n%s", name, diffDataset(res.Dataset, miniDataset()))
				}
				return
			}
			checkDecoded(t, res, err)
		})
	}
}

// FuzzDecodeSheet replaces the Observations sheet's XML, where the
// scan and excelize's iterator must agree, and checks Decode's contract.
func FuzzDecodeSheet(f *testing.F) {
	base := miniBook().build(f, nil)
	var seed string
	rewriteSheet(f, base, "Observations", func(s string) string { seed = s; return s })
	f.Add(seed)
	f.Add(strings.Replace(seed, `<row r="3"`, `<row r="9"`, 1))
	f.Add(strings.Replace(seed, `</sheetData>`, `</sheetData><mergeCells><mergeCell ref="A2:B2"/></mergeCells>`, 1))
	f.Add(strings.Replace(seed, `<v>65.3</v>`, `<f>1+1</f>`, 1))
	f.Fuzz(func(t *testing.T, xml string) {
		data := rewriteSheet(t, base, "Observations", func(string) string { return xml })
		res, err := Decode(data, Limits{MaxRows: 1000, MaxCols: 32, UnzipSizeLimit: 1 << 20, UnzipXMLSizeLimit: 1 << 20})
		checkDecoded(t, res, err)
	})
}
