package stats

import (
	"strings"
	"testing"
	"time"
)

func chartsDataset() *Dataset {
	return &Dataset{
		Meta:    Metadata{Title: "t", Reporter: Country{Code: "US", Name: "U"}, Partner: Country{Code: "KR", Name: "K"}, AsOf: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		Sources: []Source{{ID: "s", Organisation: "S"}},
		Series: []Series{
			{ID: "a", Name: "A", Unit: "USD billion", ReportedBy: "US"},
			{ID: "b", Name: "B", Unit: "USD billion", ReportedBy: "US"},
			{ID: "r", Name: "R", Unit: "rank", ReportedBy: "KR"},
		},
		Observations: []Observation{{Series: "a", Year: 2020, Value: 1, Source: "s"}, {Series: "b", Year: 2021, Value: 2, Source: "s"}, {Series: "r", Year: 2021, Value: 3, Source: "s"}},
		Charts:       []ChartDef{{ID: "c", Section: "x", Order: 1, Kind: KindBar, Title: "C"}},
		ChartSeries:  []ChartSeries{{Chart: "c", Series: "a"}},
		Text:         []Block{{Section: "x", Order: 1, Heading: "X", Body: "ok"}},
	}
}

// TestValidateCharts: every problem of the definition sheets names its
// table, row and column.
func TestValidateCharts(t *testing.T) {
	if ps := chartsDataset().Validate(); len(ps) != 0 {
		t.Fatalf("Validate(valid) = %v", ps)
	}
	tests := []struct {
		name  string
		edit  func(d *Dataset)
		table string
		index int
		field string
		msg   string
	}{
		{"unknown series", func(d *Dataset) { d.ChartSeries[0].Series = "nope" }, TableChartSeries, 0, "Series", "no series has this ID"},
		{"unit mismatch on one axis", func(d *Dataset) {
			d.ChartSeries = append(d.ChartSeries, ChartSeries{Chart: "c", Series: "r"})
		}, TableChartSeries, 1, "Series", "series of different units need separate axes"},
		{"axis unit", func(d *Dataset) { d.Charts[0].Axis1.Unit = "percent" }, TableChartSeries, 0, "Series", "axis 1 of chart c is in percent"},
		{"two units on two axes is fine, so check the next", func(d *Dataset) {
			d.ChartSeries = append(d.ChartSeries, ChartSeries{Chart: "c", Series: "r", Axis: "2"})
			d.Charts[0].Axis1.Min = "low"
		}, TableCharts, 0, "Axis 1 min", "must be a number"},
		{"duplicate id", func(d *Dataset) { d.Charts = append(d.Charts, d.Charts[0]) }, TableCharts, 1, "ID", "used by an earlier chart"},
		{"no data in range", func(d *Dataset) { d.Charts[0].FromYear = 2022 }, TableCharts, 0, "ID", "none of this chart's series has a value"},
		{"no series rows", func(d *Dataset) { d.ChartSeries = nil }, TableCharts, 0, "ID", "no rows on the Chart series sheet"},
		{"unknown geometry", func(d *Dataset) {
			d.Charts[0].Kind, d.Charts[0].Geometry = KindMap, "jp-prefectures"
			d.ChartSeries = nil
			d.Projects = []Project{{Company: "x", State: "Ohio", Source: "s"}}
		}, TableCharts, 0, "Geometry", "no map of this name is shipped"},
		{"map without regional data", func(d *Dataset) {
			d.Charts[0].Kind, d.Charts[0].Geometry = KindMap, "us-states"
			d.ChartSeries = nil
		}, TableCharts, 0, "Kind", "Projects sheet"},
		{"bad computed", func(d *Dataset) {
			d.ChartSeries[0] = ChartSeries{Chart: "c", Series: "t", Computed: "avg:a,b", Label: "T"}
		}, TableChartSeries, 0, "Computed", "sum:SERIES,SERIES"},
		{"computed id taken", func(d *Dataset) {
			d.ChartSeries[0] = ChartSeries{Chart: "c", Series: "a", Computed: "sum:a,b", Label: "T"}
		}, TableChartSeries, 0, "Series", "needs a new ID"},
		{"unknown kind", func(d *Dataset) { d.Charts[0].Kind = "pie" }, TableCharts, 0, "Kind", "must be one of"},
		{"unknown chart in text", func(d *Dataset) { d.Text[0].Chart = "nope" }, TableText, 0, "Chart", "no chart has this ID"},
		{"chart section without text", func(d *Dataset) { d.Charts[0].Section = "y" }, TableCharts, 0, "Section", "no block of the Text sheet"},
		{"section without heading", func(d *Dataset) { d.Text = append(d.Text, Block{Section: "z", Order: 1, Body: "b"}) }, TableText, 1, "Heading", "section z needs a heading"},
		{"key figure with text", func(d *Dataset) {
			d.Text = append(d.Text, Block{Section: SectionKeyFigures, Order: 1, Heading: "A", Body: "about {{latest a}}"})
		}, TableText, 1, "Body", "one figure reference and nothing else"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := chartsDataset()
			tt.edit(d)
			for _, p := range d.Validate() {
				if p.Table == tt.table && p.Index == tt.index && p.Field == tt.field && strings.Contains(p.Message, tt.msg) {
					return
				}
			}
			t.Errorf("Validate() = %v, want %s[%d].%s: …%s…", d.Validate(), tt.table, tt.index, tt.field, tt.msg)
		})
	}
	// A computed sum of two series in one unit is fine.
	d := chartsDataset()
	d.ChartSeries = append(d.ChartSeries, ChartSeries{Chart: "c", Series: "total", Computed: "sum:a,b", Label: "Total"})
	if ps := d.Validate(); len(ps) != 0 {
		t.Errorf("Validate(computed) = %v", ps)
	}
}
