package stats

import (
	"strings"
	"testing"
	"time"
)

func validDataset() *Dataset {
	return &Dataset{
		Meta:    Metadata{Title: "T", Reporter: Country{"US", "United States"}, Partner: Country{"KR", "Korea"}, AsOf: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)},
		Sources: []Source{{ID: "s1", Organisation: "Census", URL: "https://census.gov/x"}},
		Series:  []Series{{ID: "exp", Name: "Exports", Unit: "USD billion", ReportedBy: "US"}},
		Observations: []Observation{
			{Series: "exp", Year: 2019, Value: 56.9, Source: "s1"},
			{Series: "exp", Year: 2020, Value: 51.2, Source: "s1"},
		},
		Projects: []Project{{Company: "Zinus", AmountUSDm: 108, State: "Georgia", Source: "s1"}},
		Facts:    []Fact{{Key: "k", Label: "L", Value: 1, Unit: "u", Year: 2020, Source: "s1"}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(d *Dataset)
		table  string
		index  int
		field  string
		msg    string
	}{
		{"valid", func(d *Dataset) {}, "", 0, "", ""},
		{"unknown source", func(d *Dataset) { d.Observations[1].Source = "nope" }, TableObservations, 1, "Source", "no source has this ID"},
		{"missing source", func(d *Dataset) { d.Facts[0].Source = "" }, TableFacts, 0, "Source", "every figure needs a source"},
		{"unknown series", func(d *Dataset) { d.Observations[0].Series = "imp" }, TableObservations, 0, "Series", "no series has this ID"},
		{"duplicate year", func(d *Dataset) { d.Observations[1].Year = 2019 }, TableObservations, 1, "Year", "already has a value for 2019"},
		{"year out of range", func(d *Dataset) { d.Observations[0].Year = 19 }, TableObservations, 0, "Year", "between 1900 and 2100"},
		{"project year optional", func(d *Dataset) { d.Projects[0].Year = 0 }, "", 0, "", ""},
		{"project year bad", func(d *Dataset) { d.Projects[0].Year = 20200 }, TableProjects, 0, "Year announced", "between"},
		{"negative amount", func(d *Dataset) { d.Projects[0].AmountUSDm = -1 }, TableProjects, 0, "Amount (USD million)", "zero or more"},
		{"javascript URL", func(d *Dataset) { d.Sources[0].URL = "javascript:alert(1)" }, TableSources, 0, "URL", "http:// or https://"},
		{"duplicate source", func(d *Dataset) { d.Sources = append(d.Sources, Source{ID: "s1", Organisation: "x"}) }, TableSources, 1, "ID", "used by an earlier source"},
		{"bad series id", func(d *Dataset) { d.Series[0].ID = "a b"; d.Observations = nil }, TableSeries, 0, "ID", "IDs use letters"},
		{"reported by other", func(d *Dataset) { d.Series[0].ReportedBy = "JP" }, TableSeries, 0, "Reported by", "US or KR"},
		{"same countries", func(d *Dataset) { d.Meta.Partner.Code = "US" }, TableMetadata, -1, "Partner code", "different countries"},
		{"lower-case code", func(d *Dataset) { d.Meta.Reporter.Code = "us"; d.Series[0].ReportedBy = "us" }, TableMetadata, -1, "Reporter code", "two-letter ISO"},
		{"huge value", func(d *Dataset) { d.Observations[1].Value = 1e308 }, TableObservations, 1, "Value", "no larger than 10^15"},
		{"huge fact", func(d *Dataset) { d.Facts[0].Value = -2e15 }, TableFacts, 0, "Value", "no larger than 10^15"},
		{"huge amount", func(d *Dataset) { d.Projects[0].AmountUSDm = 1e300 }, TableProjects, 0, "Amount (USD million)", "zero or more"},
		{"no as-of", func(d *Dataset) { d.Meta.AsOf = time.Time{} }, TableMetadata, -1, "As of", "date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDataset()
			tt.mutate(d)
			ps := d.Validate()
			if tt.table == "" {
				if len(ps) != 0 {
					t.Fatalf("Validate() = %v, want no problems", ps)
				}
				return
			}
			if len(ps) != 1 {
				t.Fatalf("Validate() = %v, want exactly one problem", ps)
			}
			p := ps[0]
			if p.Table != tt.table || p.Index != tt.index || p.Field != tt.field || !strings.Contains(p.Message, tt.msg) {
				t.Errorf("Validate() = %+v, want %s[%d].%s containing %q", p, tt.table, tt.index, tt.field, tt.msg)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	d := validDataset()
	d.Observations[0].Source = "x"
	d.Observations[1].Series = "y"
	d.Facts[0].Unit = ""
	if ps := d.Validate(); len(ps) != 3 {
		t.Errorf("Validate() found %d problems (%v), want 3", len(ps), ps)
	}
}
