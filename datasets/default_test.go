package datasets

import (
	"io/fs"
	"maps"
	"os/exec"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/stats"
)

func TestDefault(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatalf("Default() error: %v", err)
	}
	if d.Meta.Reporter.Code != "US" || d.Meta.Partner.Code != "KR" {
		t.Errorf("Default() reporter/partner = %s/%s, want US/KR", d.Meta.Reporter.Code, d.Meta.Partner.Code)
	}
	// Figures the issue and the fact sheet name explicitly.
	for _, key := range []string{"us_rok_trade_goods_services_2019", "us_companies_in_rok", "rok_masks_donated", "rok_oda_asean_2020"} {
		if _, ok := d.Fact(key); !ok {
			t.Errorf("Default() has no fact %q", key)
		}
	}
	if f, _ := d.Fact("rok_oda_asean_2020"); f.Value != 233 || f.Unit != "USD million" {
		t.Errorf("ASEAN ODA fact = %v %s, want 233 USD million", f.Value, f.Unit)
	}
	// Census-basis goods trade has a row for every year from 2011 to the
	// latest annual release: a value, or a gap that says why.
	for _, id := range []string{"us_goods_exports", "us_goods_imports", "us_goods_balance"} {
		for y := 2011; y <= 2025; y++ {
			o, ok := d.Observation(id, y)
			switch {
			case !ok:
				t.Errorf("%s has no row for %d; give the value or a gap with its reason", id, y)
			case o.IsGap() && strings.TrimSpace(o.Note) == "":
				t.Errorf("%s %d is a gap without a reason", id, y)
			}
		}
	}
	if o, _ := d.Observation("us_goods_exports", 2018); !o.IsGap() {
		t.Errorf("us_goods_exports 2018 = %v; the sources read publish none, it must be a gap", o.Value)
	}
	if o, _ := d.Observation("us_goods_exports", 2024); !o.IsGap() {
		t.Errorf("us_goods_exports 2024 = %v (%s); no official figure was found, it must be a gap", o.Value, o.Status)
	}
	if o, ok := d.Observation("us_goods_balance", 2019); !ok || o.Value != -20.6 {
		t.Errorf("us_goods_balance 2019 = %v, %v; want -20.6", o.Value, ok)
	}
	want := map[string]bool{"Doosan Bobcat|Minnesota": false, "Zinus USA|Georgia": false, "SK Innovation|Georgia": false}
	for _, p := range d.Projects {
		k := p.Company + "|" + p.State
		if _, ok := want[k]; ok {
			want[k] = true
		}
	}
	for k, found := range want {
		if !found {
			t.Errorf("Default() lacks the project %s", k)
		}
	}
	for i, o := range d.Observations {
		if o.IsGap() && o.Source == "" {
			continue
		}
		if _, ok := d.Source(o.Source); !ok {
			t.Errorf("observation %d (%s %d) cites unknown source %q", i, o.Series, o.Year, o.Source)
		}
	}
}

// TestDefaultQuality holds the default dataset to the standard of issue 11:
// every source has organisation, title, URL and a date or n.d. (n.d. for
// at most one source in ten), and the data-quality check finds nothing.
func TestDefaultQuality(t *testing.T) {
	d := MustDefault()
	nd := 0
	for _, s := range d.Sources {
		if s.Organisation == "" || s.Title == "" || s.URL == "" || s.Published == "" {
			t.Errorf("source %s lacks organisation, title, URL or date: %+v", s.ID, s)
		}
		if s.Published == stats.NoDate {
			nd++
		}
	}
	if nd*10 > len(d.Sources) {
		t.Errorf("%d of %d sources are n.d.; at most one in ten may be", nd, len(d.Sources))
	}
	for _, p := range d.Quality() {
		t.Errorf("data-quality warning on the default dataset: %s", p.Message)
	}
}

// TestNoSpreadsheetCode keeps the workbook encoding out of the datasets
// root and the schema: they describe data, and excelize belongs to
// datasets/xlsx alone.
func TestNoSpreadsheetCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".", "./schema").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "excelize") || strings.HasSuffix(p, "/datasets/xlsx") {
			t.Errorf("package datasets or datasets/schema depends on %s", p)
		}
	}
}

// TestLoadCSVErrors checks that a bad value in the CSV files is refused
// with its file, line and column.
func TestLoadCSVErrors(t *testing.T) {
	dir, err := fs.Sub(defaultFS, "default")
	if err != nil {
		t.Fatal(err)
	}
	base := fstest.MapFS{}
	for _, sh := range schema.Sheets {
		b, err := fs.ReadFile(dir, sh.CSVFile())
		if err != nil {
			t.Fatal(err)
		}
		base[sh.CSVFile()] = &fstest.MapFile{Data: b}
	}
	if _, err := loadCSV(base); err != nil {
		t.Fatalf("loadCSV(the default files) = %v", err)
	}
	for _, tc := range []struct {
		file, old, new, want string
	}{
		{"observations.csv", "us_goods_exports,2007,34.7,", "us_goods_exports,2007,34.7x,", `default/observations.csv line 2 column "Value": not a number: "34.7x"`},
		{"observations.csv", "us_goods_exports,2007,34.7,", "us_goods_exports,,34.7,", `default/observations.csv line 2 column "Year": the year is missing`},
		{"projects.csv", ",yes,twincities-2019", ",maybe,twincities-2019", `column "In state totals": want yes or no, found "maybe"`},
		{"facts.csv", ",170,more than,", ",170,roughly,", `column "Qualifier": want one of more than, over, about, up to, less than, found "roughly"`},
		{"metadata.csv", "Title,", "Titel,", `default/metadata.csv line 2 column "Field": unknown Metadata field "Titel"`},
		{"sources.csv", "Organisation,Title,", "Organisation,Name,", `default/sources.csv: missing column "Title"`},
	} {
		files := maps.Clone(base)
		old := string(base[tc.file].Data)
		if !strings.Contains(old, tc.old) {
			t.Fatalf("%s does not contain %q", tc.file, tc.old)
		}
		files[tc.file] = &fstest.MapFile{Data: []byte(strings.Replace(old, tc.old, tc.new, 1))}
		if _, err := loadCSV(files); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("loadCSV with %q in %s = %v, want an error containing %q", tc.new, tc.file, err, tc.want)
		}
	}
}
