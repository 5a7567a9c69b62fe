package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/stats"
)

// sampleDataset is a representative dataset: several sources (one without
// a publication date), series with gaps, projects with and without a year,
// facts with and without qualifiers, Hangul, and text that would be markup
// if anything downstream forgot to escape it.
func sampleDataset() *stats.Dataset {
	return &stats.Dataset{
		Meta: stats.Metadata{
			Title:       "United States and Korea: trade and investment",
			Description: "Goods trade, investment and announced projects <script>alert(1)</script> & more.",
			Reporter:    stats.Country{Code: "US", Name: "United States"},
			Partner:     stats.Country{Code: "KR", Name: "대한민국"},
			AsOf:        civil(2025, time.March, 31),
		},
		Sources: []stats.Source{
			{ID: "bea-itrade", Organisation: "U.S. Bureau of Economic Analysis", Title: "International Transactions, Table 1.3", Published: "2024-06-20", URL: "https://www.bea.gov/data/intl-trade-investment", Note: "Revised every June."},
			{ID: "census-ft900", Organisation: "U.S. Census Bureau", Title: "U.S. International Trade in Goods and Services", Published: "n.d.", URL: "https://www.census.gov/foreign-trade/"},
			{ID: "kita", Organisation: "한국무역협회 (KITA)", Title: `Trade statistics </script><img src=x onerror=alert(1)>`, Published: "1999-12-31", URL: "https://stat.kita.net/", Note: "Korean-language site; figures in USD."},
			{ID: "amcham.2024", Organisation: "AMCHAM Korea", Title: "Annual report", Published: "2024-02-29"},
		},
		Series: []stats.Series{
			{ID: "goods-exports", Name: "Goods exports to Korea", Unit: "USD billion", Basis: "Census basis", ReportedBy: "US", Description: "Merchandise exports, not seasonally adjusted: U.S. Census Bureau figures, 2023 as restated by the U.S. Bureau of Economic Analysis."},
			{ID: "goods-imports", Name: "Goods imports from Korea", Unit: "USD billion", Basis: "Census basis", ReportedBy: "US"},
			{ID: "kr-exports", Name: "대한민국 수출 (to the U.S.)", Unit: "USD billion", Basis: "Customs", ReportedBy: "KR"},
			{ID: "fdi_stock", Name: "Direct investment position", Unit: "USD million", ReportedBy: "US", Description: "Historical-cost basis."},
		},
		Observations: []stats.Observation{
			{Series: "goods-exports", Year: 2015, Value: 43.4, Source: "census-ft900"},
			{Series: "goods-exports", Year: 2016, Value: 42.3, Source: "census-ft900"},
			// 2017 is a gap.
			{Series: "goods-exports", Year: 2018, Value: 56.9, Source: "census-ft900", Note: "Revised."},
			{Series: "goods-exports", Year: 2023, Value: 65.3, Source: "bea-itrade"},
			{Series: "goods-imports", Year: 2015, Value: 71.8, Source: "census-ft900"},
			{Series: "goods-imports", Year: 2023, Value: 116.15, Source: "census-ft900"},
			{Series: "kr-exports", Year: 2022, Value: 109.8, Source: "kita", Note: "잠정치 (preliminary)"},
			{Series: "kr-exports", Year: 2023, Value: 112.983456789012, Source: "kita"},
			{Series: "fdi_stock", Year: 2021, Value: 33655, Source: "bea-itrade"},
			{Series: "fdi_stock", Year: 2022, Value: -15.25, Source: "bea-itrade"},
			{Series: "fdi_stock", Year: 2023, Value: 0.1 + 0.2, Source: "bea-itrade"},
			{Series: "fdi_stock", Year: 1900, Value: 1e-7, Source: "bea-itrade"},
			{Series: "fdi_stock", Year: 2100, Value: 123456789.125, Source: "bea-itrade"},
		},
		Projects: []stats.Project{
			{Company: "Hyundai Motor Group", AmountUSDm: 5540, City: "Ellabell", State: "Georgia", Year: 2022, Sector: "Electric vehicles", Jobs: "8,100", Counted: true, Source: "kita"},
			{Company: "Samsung Electronics", AmountUSDm: 17000, City: "Taylor", State: "Texas", Sector: "Semiconductors", Jobs: "2,000+", Counted: true, Source: "kita", Note: "Year not given by the source."},
			{Company: "SK On & Ford <JV>", AmountUSDm: 0.5, State: "Kentucky", Year: 2021, Counted: false, Source: "amcham.2024", Note: "Overlaps the 2022 announcement."},
		},
		Facts: []stats.Fact{
			{Key: "us-companies-in-kr", Label: "American companies operating in Korea", Value: 800, Qualifier: "more than", Unit: "companies", Year: 2024, Source: "amcham.2024"},
			{Key: "kr-students", Label: "한국 유학생 in the U.S.", Value: 43847, Unit: "students", Year: 2023, Source: "kita", Note: "<b>not bold</b>"},
			{Key: "jobs", Label: "Jobs created", Value: 1.5, Qualifier: "about", Unit: "thousand", Year: 2022, Source: "kita"},
		},
	}
}

// encode is Encode for tests.
func encode(t *testing.T, d *stats.Dataset) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, d); err != nil {
		t.Fatalf("Encode() = %v, want nil", err)
	}
	return buf.Bytes()
}

// diffDataset describes how two datasets differ, record by record, so a
// failed round trip says where.
func diffDataset(got, want *stats.Dataset) string {
	if got == nil || want == nil {
		return fmt.Sprintf("got %v, want %v", got, want)
	}
	var b strings.Builder
	if !reflect.DeepEqual(got.Meta, want.Meta) {
		fmt.Fprintf(&b, "Meta:\n got  %+v\n want %+v\n", got.Meta, want.Meta)
	}
	cmp := func(name string, g, w any) {
		gv, wv := reflect.ValueOf(g), reflect.ValueOf(w)
		if gv.Len() != wv.Len() {
			fmt.Fprintf(&b, "%s: %d records, want %d\n", name, gv.Len(), wv.Len())
		}
		for i := 0; i < min(gv.Len(), wv.Len()); i++ {
			if !reflect.DeepEqual(gv.Index(i).Interface(), wv.Index(i).Interface()) {
				fmt.Fprintf(&b, "%s[%d]:\n got  %+v\n want %+v\n", name, i, gv.Index(i).Interface(), wv.Index(i).Interface())
			}
		}
		if gv.IsNil() != wv.IsNil() {
			fmt.Fprintf(&b, "%s: nil %v, want nil %v\n", name, gv.IsNil(), wv.IsNil())
		}
	}
	cmp("Sources", got.Sources, want.Sources)
	cmp("Series", got.Series, want.Series)
	cmp("Observations", got.Observations, want.Observations)
	cmp("Projects", got.Projects, want.Projects)
	cmp("Facts", got.Facts, want.Facts)
	return b.String()
}

// mustDecode decodes a workbook that must be valid.
func mustDecode(t *testing.T, data []byte, lim Limits) *Result {
	t.Helper()
	res, err := Decode(data, lim)
	if err != nil {
		var xe *Error
		if errors.As(err, &xe) {
			for _, i := range xe.Issues {
				t.Errorf("issue: %s", i)
			}
		}
		t.Fatalf("Decode() = %v, want nil error", err)
	}
	return res
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    *stats.Dataset
	}{
		{"sample", sampleDataset()},
		{"no projects or facts", func() *stats.Dataset {
			d := sampleDataset()
			d.Projects, d.Facts = nil, nil
			return d
		}()},
		// Every float64 comes back bit for bit, beyond the 15 digits Excel
		// shows (LibreOffice 7.4 keeps only those 15 when it saves, so the
		// sample dataset stays within them).
		{"full float64 precision", func() *stats.Dataset {
			d := sampleDataset()
			// Values stay within stats.MaxMagnitude, the largest a
			// dataset may hold.
			for i, v := range []float64{1.0 / 3, 1e-300, 5e-324, 999999999999999.9, -math.SmallestNonzeroFloat64, 1 << 49, 0.30000000000000004, -123456789012345.67} {
				d.Observations[i].Value = v
			}
			d.Facts[0].Value = math.Pi
			d.Projects[0].AmountUSDm = stats.MaxMagnitude
			return d
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ps := tc.d.Validate(); len(ps) > 0 {
				t.Fatalf("test dataset is invalid: %v", ps)
			}
			res := mustDecode(t, encode(t, tc.d), DefaultLimits())
			if !reflect.DeepEqual(res.Dataset, tc.d) {
				t.Errorf("Decode(Encode(d)) differs from d:\n%s", diffDataset(res.Dataset, tc.d))
			}
			if len(res.Warnings) > 0 {
				t.Errorf("Decode(Encode(d)).Warnings = %v, want none", res.Warnings)
			}
		})
	}
}

// TestEncodeLayout checks what an analyst sees on opening the download.
// (Whole-sheet helpers are fine here: the file is our own.)
func TestEncodeLayout(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(encode(t, sampleDataset())))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wantSheets := []string{"README", "Metadata", "Sources", "Series", "Observations", "Projects", "Facts", "Charts", "Chart series", "Text", "Lists"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, wantSheets) {
		t.Errorf("GetSheetList() = %v, want %v", got, wantSheets)
	}
	for _, s := range wantSheets {
		visible, err := f.GetSheetVisible(s)
		if err != nil {
			t.Fatal(err)
		}
		if want := s != "Lists"; visible != want {
			t.Errorf("GetSheetVisible(%s) = %v, want %v", s, visible, want)
		}
		panes, err := f.GetPanes(s)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("GetPanes(%s) = %+v, want header row frozen", s, panes)
		}
	}
	for _, tc := range []struct{ sheet, cell, want string }{
		{"Metadata", "A8", "As of"},
		{"Metadata", "B8", "2025-03-31"}, // formatted: a real date cell
		{"Observations", "A1", "Series"},
		{"Observations", "C2", "43.4"},
		{"Projects", "E3", ""}, // no year announced
		{"Projects", "H4", "no"},
		{"Sources", "D3", "n.d."},   // the source states no date
		{"Lists", "A2", "official"}, // the first drop-down list: Observations Status
	} {
		if got, _ := f.GetCellValue(tc.sheet, tc.cell); got != tc.want {
			t.Errorf("GetCellValue(%s!%s) = %q, want %q", tc.sheet, tc.cell, got, tc.want)
		}
	}
	if typ, _ := f.GetCellType("Metadata", "B8"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("GetCellType(Metadata!B8) = %v, want a number (date serial)", typ)
	}
	dvs, err := f.GetDataValidations("Observations")
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, dv := range dvs {
		refs = append(refs, dv.Sqref+"="+dv.Formula1)
	}
	got := strings.Join(refs, " ")
	for _, want := range []string{"A2:A1048576=Series!$A$2:$A$5000", "B2:B1048576=1900", "D2:D1048576=Sources!$A$2:$A$5000"} {
		if !strings.Contains(got, want) {
			t.Errorf("Observations data validations = %s, want %s among them", got, want)
		}
	}
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Creator != "bilateral" || props.Title != sampleDataset().Meta.Title {
		t.Errorf("GetDocProps() = %+v, want creator bilateral and the dataset title", props)
	}
	readme, err := f.GetRows("README")
	if err != nil {
		t.Fatal(err)
	}
	described := map[string]bool{}
	for _, r := range readme {
		if len(r) > 1 {
			described[r[0]+"/"+r[1]] = true
		}
	}
	for _, s := range schema.Sheets {
		for _, c := range s.Columns {
			if !described[s.Name+"/"+c.Header] {
				t.Errorf("README does not describe %s/%s", s.Name, c.Header)
			}
		}
		for _, f := range s.Fields {
			if !described[s.Name+"/"+s.Columns[0].Header+": "+f.Name] {
				t.Errorf("README does not describe %s field %s", s.Name, f.Name)
			}
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(d *stats.Dataset)
		want string
	}{
		{"infinite value", func(d *stats.Dataset) { d.Observations[0].Value = math.Inf(1) }, "not a finite number"},
		{"text too long", func(d *stats.Dataset) { d.Sources[0].Note = strings.Repeat("x", 40000) }, "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := sampleDataset()
			tc.edit(d)
			err := Encode(&bytes.Buffer{}, d)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Encode() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if err := Encode(&bytes.Buffer{}, nil); err == nil {
		t.Errorf("Encode(nil) = nil, want an error")
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

func TestIssueString(t *testing.T) {
	for _, tc := range []struct {
		in   Issue
		want string
	}{
		{Issue{Sheet: "Observations", Cell: "C12", Value: "12,5x", Message: "value must be a number"}, `Observations!C12: value must be a number (found "12,5x")`},
		{Issue{Sheet: "Facts", Message: "the sheet is missing"}, "Facts: the sheet is missing"},
		{Issue{Message: "not a workbook"}, "not a workbook"},
	} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("Issue%+v.String() = %q, want %q", tc.in, got, tc.want)
		}
	}
	e := &Error{Issues: []Issue{{Sheet: "A", Message: "one"}, {Sheet: "B", Message: "two"}, {Sheet: "C", Message: "three"}, {Sheet: "D", Message: "four"}}}
	if got, want := e.Error(), "xlsx: 4 problems: A: one; B: two; C: three; and 1 more"; got != want {
		t.Errorf("Error.Error() = %q, want %q", got, want)
	}
}

// TestGapRoundTrip: a gap row (status gap, no value, a reason) is written
// with a blank Value cell and read back as a gap; a blank Value on a row
// that is not a gap is a problem at its cell.
func TestGapRoundTrip(t *testing.T) {
	d := sampleDataset()
	d.Observations = append(d.Observations, stats.Observation{Series: "goods-exports", Year: 2017, Value: nan(), Status: stats.StatusGap, Note: "Source not found."})
	var buf bytes.Buffer
	if err := Encode(&buf, d); err != nil {
		t.Fatal(err)
	}
	res, err := Decode(buf.Bytes(), DefaultLimits())
	if err != nil {
		t.Fatalf("Decode(a gap) = %v", err)
	}
	o, ok := res.Dataset.Observation("goods-exports", 2017)
	if !ok || !o.IsGap() || o.Status != stats.StatusGap || o.Note != "Source not found." || o.Source != "" {
		t.Errorf("the gap reads back as %+v, %v", o, ok)
	}

	d.Observations[len(d.Observations)-1].Status = ""
	buf.Reset()
	if err := Encode(&buf, d); err != nil {
		t.Fatal(err)
	}
	_, err = Decode(buf.Bytes(), DefaultLimits())
	var verr *Error
	if !errors.As(err, &verr) || len(verr.Issues) == 0 || verr.Issues[0].Sheet != "Observations" || !strings.Contains(verr.Issues[0].Message, "write gap in Status") {
		t.Errorf("Decode(a blank value without status gap) = %v, want a problem on Observations saying to write gap", err)
	}
}
