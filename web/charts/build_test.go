package charts

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/datasets"
)

func TestBuildDefault(t *testing.T) {
	d := datasets.MustDefault()
	cs, err := Build(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		var m map[string]any
		if err := json.Unmarshal(c.OptionJSON, &m); err != nil {
			t.Errorf("%s: option is not JSON: %v", c.ID, err)
		}
		if c.Empty {
			t.Errorf("%s: empty on the default dataset", c.ID)
		}
		t.Logf("%s: %d bytes, %d rows, %d sources\n  %s", c.ID, len(c.OptionJSON), len(c.Table.Rows), len(c.Sources), c.Alt)
	}
}

// TestDataQualityDrawn checks how the charts show data quality on the
// default dataset: a recorded gap is a null item with its reason (never
// zero), a preliminary value is hollow or pale and explained by a legend
// entry, a sparse series of bars is drawn as dots, the table carries each
// value's status, and the coverage lists missing years with their reasons.
func TestDataQualityDrawn(t *testing.T) {
	d := datasets.MustDefault()
	spec, _ := SpecByID(d, "us-goods-trade")
	c, err := BuildOne(d, spec)
	if err != nil {
		t.Fatal(err)
	}
	var opt struct {
		XAxis  []struct{ Data []string } `json:"xAxis"`
		Series []struct {
			Name string
			Type string
			Data []map[string]any
		} `json:"series"`
	}
	if err := json.Unmarshal(c.OptionJSON, &opt); err != nil {
		t.Fatal(err)
	}
	years := opt.XAxis[0].Data
	at := func(series int, year string) map[string]any {
		for i, y := range years {
			if y == year {
				return opt.Series[series].Data[i]
			}
		}
		t.Fatalf("year %s not on the axis %v", year, years)
		return nil
	}
	if g := at(0, "2018"); g == nil || g["value"] != nil || !strings.Contains(g["gap"].(string), "Source not found") {
		t.Errorf("exports 2018 = %v, want a null value with the gap's reason", g)
	}
	if years[len(years)-1] != "2025" {
		t.Errorf("axis ends in %s, want 2025, the recorded gap", years[len(years)-1])
	}
	for _, row := range c.Table.Rows {
		if row[0].Text == "us_goods_exports" && row[2].Text == "2018" && (row[3].Text != "" || row[4].Text != "gap") {
			t.Errorf("table row for the 2018 gap = %v, want no value and status gap", row)
		}
	}
	var cov Coverage
	for _, cv := range c.Coverage {
		if cv.SeriesID == "us_goods_exports" {
			cov = cv
		}
	}
	if cov.LatestYear != 2022 || !strings.Contains(cov.MissingText(), "2018") || !strings.Contains(cov.MissingText(), "2023–2025") {
		t.Errorf("coverage of exports = %+v (missing %s), want latest 2022 and 2018, 2023–2025 missing", cov, cov.MissingText())
	}
	if !strings.Contains(c.ImageNote, "No published figure: Exports 2008, 2010, 2018, 2023–2025") {
		t.Errorf("image note = %q", c.ImageNote)
	}

	spec, _ = SpecByID(d, "rok-oda")
	c, err = BuildOne(d, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(c.OptionJSON, &opt); err != nil {
		t.Fatal(err)
	}
	years = opt.XAxis[0].Data
	last := opt.Series[len(opt.Series)-1]
	if last.Name != LegendNonFinal || len(last.Data) != 0 {
		t.Errorf("last series = %s with %d items, want the legend entry %q with none", last.Name, len(last.Data), LegendNonFinal)
	}
	if opt.Series[1].Type != Scatter {
		t.Errorf("grant-equivalent ODA drawn as %s, want dots (more empty years than values)", opt.Series[1].Type)
	}
	if p := at(1, "2024"); p["status"] != "preliminary" || p["symbol"] != "emptyCircle" {
		t.Errorf("ODA 2024 = %v, want a preliminary, hollow point", p)
	}
	if p := at(1, "2023"); p["status"] != nil || p["symbol"] != nil {
		t.Errorf("ODA 2023 = %v, want an official point drawn plainly", p)
	}
}
