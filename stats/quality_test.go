package stats

import (
	"math"
	"strings"
	"testing"
)

func TestValidateStatus(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(d *Dataset)
		field  string
		msg    string
	}{
		{"gap without value", func(d *Dataset) {
			d.Observations[1].Status, d.Observations[1].Value, d.Observations[1].Note = StatusGap, math.NaN(), "source not found"
		}, "", ""},
		{"gap without source", func(d *Dataset) {
			d.Observations[1].Status, d.Observations[1].Value, d.Observations[1].Note, d.Observations[1].Source = StatusGap, math.NaN(), "source not found", ""
		}, "", ""},
		{"gap with a value", func(d *Dataset) { d.Observations[1].Status, d.Observations[1].Note = StatusGap, "x" }, "Value", "a gap has no value"},
		{"gap without a reason", func(d *Dataset) { d.Observations[1].Status, d.Observations[1].Value = StatusGap, math.NaN() }, "Note", "say in the note why"},
		{"blank value", func(d *Dataset) { d.Observations[1].Value = math.NaN() }, "Value", "write gap in Status"},
		{"unknown status", func(d *Dataset) { d.Observations[1].Status = "final" }, "Status", "status must be one of"},
		{"commercial in official series", func(d *Dataset) {
			d.Series[0].Official = true
			d.Observations[1].Status = StatusCommercial
		}, "Status", "cannot hold a commercial figure"},
		{"estimate in official series", func(d *Dataset) {
			d.Series[0].Official = true
			d.Observations[1].Status = StatusEstimate
		}, "Status", "cannot hold an estimate"},
		{"commercial in unofficial series", func(d *Dataset) { d.Observations[1].Status = StatusCommercial }, "", ""},
		{"partial dates", func(d *Dataset) { d.Sources[0].Published = "2018-03" }, "", ""},
		{"n.d.", func(d *Dataset) { d.Sources[0].Published = "n.d." }, "", ""},
		{"bad date", func(d *Dataset) { d.Sources[0].Published = "March 2018" }, "Published", "yyyy-mm-dd, yyyy-mm or yyyy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := validDataset()
			tc.mutate(d)
			ps := d.Validate()
			if tc.msg == "" {
				if len(ps) != 0 {
					t.Errorf("Validate() = %v, want none", ps)
				}
				return
			}
			if len(ps) != 1 || ps[0].Field != tc.field || !strings.Contains(ps[0].Message, tc.msg) {
				t.Errorf("Validate() = %v, want one problem in %s containing %q", ps, tc.field, tc.msg)
			}
		})
	}
}

func TestQuality(t *testing.T) {
	d := validDataset()
	d.Sources = append(d.Sources, Source{ID: "s2", Organisation: "Yonhap", CompiledBy: "U.S. Census Bureau (via Commerce)", Title: "T", Published: "2020"})
	d.Sources[0].Organisation = "U.S. Census Bureau"
	d.Observations[1].Source = "s2"
	if ps := d.Quality(); len(ps) != 2 || ps[0].Code != QualitySourceTitle || ps[1].Code != QualitySourceDate {
		t.Errorf("Quality() = %v, want a missing title and date on the first source only (one compiler)", ps)
	}
	d.Sources[0].Title, d.Sources[0].Published = "T", "n.d."
	d.Sources[1].CompiledBy = "USTR; Bank of Korea (services)"
	ps := d.Quality()
	if len(ps) != 1 || ps[0].Code != QualityMixedCompilers || ps[0].Table != TableSeries || !strings.Contains(ps[0].Message, "Bank of Korea, U.S. Census Bureau and USTR") {
		t.Fatalf("Quality() = %v, want one mixed-compilers warning naming Bank of Korea, U.S. Census Bureau and USTR", ps)
	}
	d.Series[0].Description = "U.S. Census Bureau figures, restated by USTR and the Bank of Korea."
	if ps := d.Quality(); len(ps) != 0 {
		t.Errorf("Quality() with a description naming every compiler = %v, want none", ps)
	}
}

func TestMixedStatusAndGaps(t *testing.T) {
	d := validDataset()
	d.Series = append(d.Series, Series{ID: "imp", Name: "Imports", Unit: "USD billion", ReportedBy: "US"})
	d.Observations = append(d.Observations,
		Observation{Series: "imp", Year: 2019, Value: 77.5, Status: StatusPreliminary, Source: "s1"},
		Observation{Series: "imp", Year: 2020, Value: math.NaN(), Status: StatusGap, Note: "not found"},
		Observation{Series: "imp", Year: 2021, Value: math.NaN(), Status: StatusGap, Note: "not found"},
	)
	if got := d.MixedStatus("exp", "imp"); len(got) != 1 || got[0] != (StatusPair{2019, StatusOfficial, StatusPreliminary}) {
		t.Errorf("MixedStatus = %v, want 2019 official/preliminary", got)
	}
	if got := Total(d.Points("exp"), d.Points("imp")); len(got) != 1 || got[0].Year != 2019 {
		t.Errorf("Total across a gap = %v, want 2019 only", got)
	}
	if o, ok := d.Latest("imp"); !ok || o.Year != 2019 {
		t.Errorf("Latest(imp) = %v, %v; want 2019, passing over the gaps", o, ok)
	}
	if got := WeakerStatus(StatusOfficial, StatusCommercial); got != StatusCommercial {
		t.Errorf("WeakerStatus = %s, want commercial", got)
	}
}

func TestPublishedText(t *testing.T) {
	for in, want := range map[string]string{"2020-10-16": "16 October 2020", "2018-03": "March 2018", "2018": "2018", "n.d.": "n.d.", "": "", "soon": "soon"} {
		if got := (Source{Published: in}).PublishedText(); got != want {
			t.Errorf("PublishedText(%q) = %q, want %q", in, got, want)
		}
	}
}
