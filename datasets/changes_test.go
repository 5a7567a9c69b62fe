package datasets

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/stats"
)

// TestChangeWarnings: what the dry run and the preview warn about when an
// upload changes the dashboard's shape or words.
func TestChangeWarnings(t *testing.T) {
	old := MustDefault()
	if ws := schema.ChangeWarnings(old, MustDefault()); len(ws) != 0 {
		t.Fatalf("ChangeWarnings(same) = %v, want none", ws)
	}
	has := func(ws []schema.Warning, code, sheet, cell, text string) bool {
		return slices.ContainsFunc(ws, func(w schema.Warning) bool {
			return w.Code == code && w.Sheet == sheet && w.Cell == cell && strings.Contains(w.Message, text)
		})
	}

	// A series a chart uses is removed (with its values and its chart row).
	d := MustDefault()
	d.Series = slices.DeleteFunc(d.Series, func(s stats.Series) bool { return s.ID == "us_goods_imports" })
	d.Observations = slices.DeleteFunc(d.Observations, func(o stats.Observation) bool { return o.Series == "us_goods_imports" })
	d.ChartSeries = slices.DeleteFunc(d.ChartSeries, func(c stats.ChartSeries) bool {
		return c.Series == "us_goods_imports" || c.Computed == "sum:us_goods_exports,us_goods_imports"
	})
	ws := schema.ChangeWarnings(old, d)
	if !has(ws, schema.WarnSeriesRemoved, "Series", "", "shown on chart mirror-goods-total, us-goods-trade") ||
		!has(ws, schema.WarnChartLostSeries, "Charts", "A2", "us-goods-trade (U.S. goods trade with Korea) no longer shows series us_goods_imports") {
		t.Errorf("removing a series: warnings %v", ws)
	}

	// A new series, a new chart, a retitled chart, a latest value dropped,
	// a changed figure and a new section.
	d = MustDefault()
	d.Series = append(d.Series, stats.Series{ID: "new_series", Name: "New", Unit: "USD billion", ReportedBy: "US"})
	d.Charts[0].Title = "Goods trade"
	last, _ := d.Latest("us_goods_balance")
	d.Observations = slices.DeleteFunc(d.Observations, func(o stats.Observation) bool { return o.Series == "us_goods_balance" && o.Year == last.Year })
	d.Charts = append(d.Charts, stats.ChartDef{ID: "extra", Section: "trade", Order: 99, Kind: "bar", Title: "Extra"})
	d.Text = append(d.Text, stats.Block{Section: "outlook", Order: 1, Heading: "Outlook", Body: "x"})
	ws = schema.ChangeWarnings(old, d)
	for _, w := range []struct{ code, sheet, cell, text string }{
		{schema.WarnSeriesAdded, "Series", "A" + strconv.Itoa(len(d.Series)+1), "no chart shows it"},
		{schema.WarnChartRenamed, "Charts", "E2", `from "U.S. goods trade with Korea" to "Goods trade"`},
		{schema.WarnChartLostValue, "Charts", "A2", "us_goods_balance loses its latest value"},
		{schema.WarnChartAdded, "Charts", "A" + strconv.Itoa(len(d.Charts)+1), "/charts/extra"},
		{schema.WarnSectionAdded, "Text", "A" + strconv.Itoa(len(d.Text)+1), "outlook"},
		{schema.WarnFigureChanged, "Text", "E12", "{{latest us_goods_balance abs}} will show"},
	} {
		if !has(ws, w.code, w.sheet, w.cell, w.text) {
			t.Errorf("no warning %s at %s!%s containing %q; got:\n%v", w.code, w.sheet, w.cell, w.text, ws)
		}
	}
}
