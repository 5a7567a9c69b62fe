package datasets

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bilateral/bilateral/internal/golden"
	"github.com/bilateral/bilateral/stats"
)

// smallDataset sets every field the storage format holds, with the edge
// cases stored data has: a zero date, a zero year, a false flag, a
// fraction that is not exact in binary, non-ASCII text and a nil slice.
func smallDataset() *stats.Dataset {
	return &stats.Dataset{
		Meta: stats.Metadata{
			Title: "A & B", Description: "Two economies, \"in figures\"",
			Reporter: stats.Country{Code: "US", Name: "United States"},
			Partner:  stats.Country{Code: "KR", Name: "대한민국"},
			AsOf:     time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC),
		},
		Sources: []stats.Source{
			{ID: "census", Organisation: "U.S. Census Bureau", Title: "Trade in goods", Published: "2025-02-06", URL: "https://www.census.gov/", Note: "goods only"},
			{ID: "ustr", Organisation: "USTR", URL: "http://www.ustr.gov/"},
		},
		Series: []stats.Series{{ID: "goods-exports", Name: "Goods exports", Unit: "USD billion", Basis: "Census", ReportedBy: "US", Description: "<b>not</b> HTML"}},
		Observations: []stats.Observation{
			{Series: "goods-exports", Year: 2023, Value: 65.1, Source: "census"},
			{Series: "goods-exports", Year: 2024, Value: 0.1 + 0.2, Source: "census", Note: "revised — 수정"},
		},
		Projects: []stats.Project{
			{Company: "Hyundai", AmountUSDm: 7590, City: "Ellabell", State: "GA", Year: 2022, Sector: "Automotive", Jobs: "8,100", Counted: true, Source: "ustr", Note: "plant"},
			{Company: "Unknown", AmountUSDm: 1.5, Source: "ustr"},
		},
		Facts: nil,
	}
}

// TestStorageGolden pins the stored bytes of a small dataset. The golden
// files are never regenerated: a difference means the storage format
// changed, which needs a migration of every stored version (see the
// README, "Storage and migrations"), not a new golden file.
//
// stored-dataset.json was written by wave 1's encoding (json.Marshal of
// the stats types), before the Charts, ChartSeries and Text keys existed;
// such a version reads with the built-in definitions it was shown with.
// stored-dataset-charts.json is the format since those keys.
func TestStorageGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/stored-dataset.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := UnmarshalStorage(want)
	if err != nil {
		t.Fatal(err)
	}
	w := smallDataset()
	w.Charts, w.ChartSeries, w.Text = Wave1Definitions()
	if len(w.Charts) != 13 || len(w.Text) == 0 {
		t.Fatalf("Wave1Definitions: %d charts, %d text blocks; want the 13 charts and the narrative", len(w.Charts), len(w.Text))
	}
	if !reflect.DeepEqual(d, w) {
		t.Errorf("the wave-1 golden stored dataset decodes to\n%+v\nwant\n%+v", d, w)
	}

	sd := smallDataset()
	sd.Charts = []stats.ChartDef{{ID: "goods", Section: "trade", Order: 1, Kind: "bar", Title: "Goods <exports>", Axis1: stats.Axis{Name: "USD billion", Inverted: "yes"}}}
	sd.ChartSeries = []stats.ChartSeries{{Chart: "goods", Series: "goods-exports", Role: "bar", Colour: "blue"}}
	sd.Text = []stats.Block{{Section: "trade", Order: 1, Heading: "Trade", Menu: "Trade", Body: "Exports were {{latest goods-exports}}.", Chart: "goods"}}
	got, err := MarshalStorage(sd)
	if err != nil {
		t.Fatal(err)
	}
	want, err = os.ReadFile("testdata/stored-dataset-charts.json")
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, compact.Bytes()) {
		var indented bytes.Buffer
		if err := json.Indent(&indented, got, "", "  "); err != nil {
			t.Fatal(err)
		}
		t.Errorf("the stored form of a dataset changed (-golden +now):\n%s", golden.Diff(string(want), indented.String()+"\n"))
	}
	d, err = UnmarshalStorage(want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d, sd) {
		t.Errorf("the golden stored dataset decodes to\n%+v\nwant\n%+v", d, sd)
	}
	// A dataset stored with no definitions at all keeps none.
	empty := smallDataset()
	b, _ := MarshalStorage(empty)
	if d, err := UnmarshalStorage(b); err != nil || d.Charts != nil || d.Text != nil {
		t.Errorf("a dataset stored without charts reads back with %d charts, %d blocks (err %v); want none", len(d.Charts), len(d.Text), err)
	}
}

// TestStorageKeepsEveryDomainField fills every field of every stats type
// in a dataset and checks that it survives a store and load. A field
// added to a stats type and forgotten in the storage format fails here
// instead of vanishing from stored versions.
func TestStorageKeepsEveryDomainField(t *testing.T) {
	d := &stats.Dataset{}
	fill(t, reflect.ValueOf(d).Elem(), "Dataset")
	b, err := MarshalStorage(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnmarshalStorage(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Errorf("a dataset with every field set did not survive storage:\n got %+v\nwant %+v", got, d)
	}
}

// fill sets every field reachable from v to a distinct non-zero value.
func fill(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(time.Date(2001, 2, 3, 0, 0, len(path), 0, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range v.Len() {
			fill(t, v.Index(i), path+"[]"+strings.Repeat("+", i))
		}
	case reflect.String:
		v.SetString(path)
	case reflect.Int:
		v.SetInt(int64(len(path)))
	case reflect.Float64:
		v.SetFloat(float64(len(path)) + 0.25)
	case reflect.Bool:
		v.SetBool(true)
	default:
		t.Fatalf("%s: the test does not know how to fill a %s; teach fill and the storage format", path, v.Type())
	}
}

// TestStorageFieldsAreTagged checks that every field of the storage
// structs names its key, so renaming a Go field there cannot change a
// stored key either.
func TestStorageFieldsAreTagged(t *testing.T) {
	var check func(reflect.Type)
	seen := map[reflect.Type]bool{}
	check = func(typ reflect.Type) {
		for typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == reflect.TypeFor[time.Time]() || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			if tag, ok := f.Tag.Lookup("json"); !ok || tag == "" || strings.Contains(tag, "omitempty") {
				t.Errorf("%s.%s: storage fields need an explicit json key (and no omitempty), got %q", typ.Name(), f.Name, tag)
			}
			check(f.Type)
		}
	}
	check(reflect.TypeFor[storedDataset]())
}

// TestStorageRejectsUnknownKeys: data the format cannot hold is an error,
// never silently dropped.
func TestStorageRejectsUnknownKeys(t *testing.T) {
	for _, in := range []string{
		`{"Meta":{"Title":"x","Subtitle":"y"}}`,
		`{"Observations":[{"Series":"a","Year":1,"Value":2,"Unit":"USD"}]}`,
		`{"Meta":{}} {"Meta":{}}`,
		`not json`,
	} {
		if _, err := UnmarshalStorage([]byte(in)); err == nil {
			t.Errorf("UnmarshalStorage(%s) = nil error, want one", in)
		}
	}
	if _, err := MarshalStorage(nil); err == nil {
		t.Error("MarshalStorage(nil) = nil error, want one")
	}
}

// TestStorageIssue11Fields: the fields added for issue 11 round-trip (a
// gap's NaN value, partial publication dates, status, series metadata),
// and a version stored before them (the wave-1 golden) reads them as
// their defaults: blank status (official), not official, full dates as
// yyyy-mm-dd.
func TestStorageIssue11Fields(t *testing.T) {
	old, err := os.ReadFile("testdata/stored-dataset.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := UnmarshalStorage(old)
	if err != nil {
		t.Fatalf("the wave-1 stored dataset no longer reads: %v", err)
	}
	if s := d.Series[0]; s.Official || s.Measure != "" || s.VintageRule != "" {
		t.Errorf("wave-1 series reads as %+v, want the new fields zero", s)
	}
	if o := d.Observations[0]; o.Status != "" || o.State() != stats.StatusOfficial || o.IsGap() {
		t.Errorf("wave-1 observation reads as %+v, want an official value", o)
	}
	if p := d.Sources[0].Published; p != "2025-02-06" {
		t.Errorf("wave-1 source date reads as %q, want 2025-02-06", p)
	}

	d.Sources[0].Published = "2018-03"
	d.Sources[1].Published = stats.NoDate
	d.Sources[1].CompiledBy = "U.S. Census Bureau"
	d.Series[0].Official = true
	d.Series[0].Measure = "exports"
	d.Series[0].VintageRule = "latest revision found"
	d.Observations[1].Status = stats.StatusGap
	d.Observations[1].Value = math.NaN()
	d.Observations[0].Status = stats.StatusPreliminary
	b, err := MarshalStorage(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnmarshalStorage(b)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Observations[1].IsGap() || !math.IsNaN(got.Observations[1].Value) {
		t.Errorf("a gap reads back as %+v, want status gap and no value", got.Observations[1])
	}
	got.Observations[1].Value, d.Observations[1].Value = 0, 0 // NaN is never equal to itself
	if !reflect.DeepEqual(got, d) {
		t.Errorf("issue 11 fields did not survive storage:\n got %+v\nwant %+v", got, d)
	}
}
