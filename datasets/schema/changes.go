package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bilateral/bilateral/stats"
)

// Codes of the warnings that compare an upload with the current version.
const (
	// WarnSeriesAdded: a new series that no chart shows.
	WarnSeriesAdded = "series_added"
	// WarnSeriesRemoved: a series was removed.
	WarnSeriesRemoved = "series_removed"
	// WarnChartAdded: a new chart.
	WarnChartAdded = "chart_added"
	// WarnChartRemoved: a chart was removed; its address will answer 410 Gone.
	WarnChartRemoved = "chart_removed"
	// WarnChartRenamed: a chart's title changed (its address stays).
	WarnChartRenamed = "chart_renamed"
	// WarnChartLostSeries: a chart no longer shows a series it showed.
	WarnChartLostSeries = "chart_lost_series"
	// WarnChartLostValue: a series on a chart lost its latest value.
	WarnChartLostValue = "chart_lost_value"
	// WarnSectionAdded, WarnSectionRemoved, WarnSectionRenamed: a section
	// of the Text sheet was added, removed, or given a new heading.
	WarnSectionAdded   = "section_added"
	WarnSectionRemoved = "section_removed"
	WarnSectionRenamed = "section_renamed"
	// WarnFigureChanged: a figure reference in the text shows a different
	// value than it does now.
	WarnFigureChanged = "figure_changed"
)

// cell returns the reference of a record sheet's cell: the column headed
// header, in the order the workbook is written, on data row i (0-based).
func cell(sheet, header string, i int) string {
	sh := Lookup(sheet)
	c := 0
	if sh != nil {
		c = max(sh.Column(header), 0)
	}
	col := ""
	for n := c + 1; n > 0; n = (n - 1) / 26 {
		col = string(rune('A'+(n-1)%26)) + col
	}
	return col + strconv.Itoa(i+2)
}

// chartSeriesIDs returns, per chart, the ids of the series it shows (for
// a computed series, its inputs too).
func chartSeriesIDs(d *stats.Dataset) map[string][]string {
	out := map[string][]string{}
	for _, cs := range d.ChartSeries {
		out[cs.Chart] = append(out[cs.Chart], cs.Series)
		if op, err := stats.ParseComputed(cs.Computed); err == nil {
			out[cs.Chart] = append(out[cs.Chart], op.A, op.B)
		}
	}
	return out
}

func valueText(v float64, unit string) string {
	return strconv.FormatFloat(v, 'f', -1, 64) + " " + unit
}

// ChangeWarnings compares an uploaded dataset with the current one and
// warns about what changes the dashboard's shape or words: series, charts
// and sections added, removed or renamed, a chart that loses a series or
// a series' latest value, and figures in the text whose value changes.
// The cells are those of the workbook as Encode writes it.
func ChangeWarnings(old, new *stats.Dataset) []Warning {
	var ws []Warning
	add := func(sheet, c, code, format string, args ...any) {
		ws = append(ws, Warning{Sheet: sheet, Cell: c, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	oldUse, newUse := chartSeriesIDs(old), chartSeriesIDs(new)
	shown := map[string]bool{}
	for _, ids := range newUse {
		for _, id := range ids {
			shown[id] = true
		}
	}
	usedBy := func(use map[string][]string, series string) []string {
		var cs []string
		for ch, ids := range use {
			if slices.Contains(ids, series) {
				cs = append(cs, ch)
			}
		}
		slices.Sort(cs)
		return cs
	}

	for i, s := range new.Series {
		if _, ok := old.SeriesByID(s.ID); !ok {
			if shown[s.ID] {
				add(stats.TableSeries, cell(stats.TableSeries, "ID", i), WarnSeriesAdded, "series %s is new", s.ID)
			} else {
				add(stats.TableSeries, cell(stats.TableSeries, "ID", i), WarnSeriesAdded, "series %s is new and no chart shows it: add a row for it on the Chart series sheet to show it", s.ID)
			}
		}
	}
	for _, s := range old.Series {
		if _, ok := new.SeriesByID(s.ID); !ok {
			msg := fmt.Sprintf("series %s (%s) is removed", s.ID, s.Name)
			if cs := usedBy(oldUse, s.ID); len(cs) > 0 {
				msg += "; it was shown on chart " + strings.Join(cs, ", ")
			}
			add(stats.TableSeries, "", WarnSeriesRemoved, "%s", msg)
		}
	}

	for i, c := range new.Charts {
		oc, ok := old.ChartByID(c.ID)
		switch {
		case !ok:
			add(stats.TableCharts, cell(stats.TableCharts, "ID", i), WarnChartAdded, "chart %s (%s) is new: it will be at /charts/%s", c.ID, c.Title, c.ID)
			continue
		case oc.Title != c.Title:
			add(stats.TableCharts, cell(stats.TableCharts, "Title", i), WarnChartRenamed, "chart %s is retitled from %q to %q; its address /charts/%s stays", c.ID, oc.Title, c.Title, c.ID)
		}
		for _, id := range oldUse[c.ID] {
			if !slices.Contains(newUse[c.ID], id) {
				add(stats.TableCharts, cell(stats.TableCharts, "ID", i), WarnChartLostSeries, "chart %s (%s) no longer shows series %s", c.ID, c.Title, id)
			}
		}
		for _, id := range newUse[c.ID] {
			ol, ok1 := old.Latest(id)
			nl, ok2 := new.Latest(id)
			if ok1 && (!ok2 || nl.Year < ol.Year) && slices.Contains(oldUse[c.ID], id) {
				now := "no values"
				if ok2 {
					now = "values up to " + strconv.Itoa(nl.Year)
				}
				add(stats.TableCharts, cell(stats.TableCharts, "ID", i), WarnChartLostValue, "chart %s (%s): series %s loses its latest value (%d); it now has %s", c.ID, c.Title, id, ol.Year, now)
			}
		}
	}
	for _, c := range old.Charts {
		if _, ok := new.ChartByID(c.ID); !ok {
			add(stats.TableCharts, "", WarnChartRemoved, "chart %s (%s) is removed: its address /charts/%s will answer that the chart is gone", c.ID, c.Title, c.ID)
		}
	}

	heading := func(d *stats.Dataset) map[string]string {
		h := map[string]string{}
		for _, b := range d.Blocks() {
			if _, ok := h[b.Section]; !ok || h[b.Section] == "" {
				h[b.Section] = b.Heading
			}
		}
		return h
	}
	oh, nh := heading(old), heading(new)
	first := map[string]int{}
	for i, b := range new.Text {
		if _, ok := first[b.Section]; !ok {
			first[b.Section] = i
		}
	}
	for _, id := range new.SectionOrder() {
		o, ok := oh[id]
		switch {
		case !ok:
			add(stats.TableText, cell(stats.TableText, "Section", first[id]), WarnSectionAdded, "section %s is new", id)
		case o != nh[id]:
			add(stats.TableText, cell(stats.TableText, "Section", first[id]), WarnSectionRenamed, "section %s is retitled from %q to %q", id, o, nh[id])
		}
	}
	for _, id := range old.SectionOrder() {
		if _, ok := nh[id]; !ok {
			add(stats.TableText, "", WarnSectionRemoved, "section %s (%s) is removed from the text", id, oh[id])
		}
	}

	for i, b := range new.Text {
		for _, f := range []string{"Heading", "Body"} {
			text := b.Heading
			if f == "Body" {
				text = b.Body
			}
			segs, err := stats.ParseRefs(text)
			if err != nil {
				continue
			}
			for _, sg := range segs {
				if sg.Ref == nil || sg.Ref.Kind == stats.RefSource {
					continue
				}
				if w := figureChange(old, new, sg.Ref); w != "" {
					add(stats.TableText, cell(stats.TableText, f, i), WarnFigureChanged, "%s", w)
				}
			}
		}
	}
	return ws
}

// figureChange describes how a reference's value differs between two
// datasets, or returns "".
func figureChange(old, new *stats.Dataset, r *stats.Ref) string {
	oo, of, ok1 := old.Resolve(r)
	no, nf, ok2 := new.Resolve(r)
	if !ok2 {
		return ""
	}
	if r.Kind == stats.RefFact {
		if ok1 && of.Value == nf.Value && of.Unit == nf.Unit && of.Qualifier == nf.Qualifier {
			return ""
		}
		was := "not available"
		if ok1 {
			was = strings.TrimSpace(of.Qualifier + " " + valueText(of.Value, of.Unit))
		}
		return fmt.Sprintf("%s will show %s (now %s)", r.Text, strings.TrimSpace(nf.Qualifier+" "+valueText(nf.Value, nf.Unit)), was)
	}
	if ok1 && oo.Value == no.Value && oo.Year == no.Year {
		return ""
	}
	s, _ := new.SeriesByID(r.Series)
	was := "not available"
	if ok1 {
		was = fmt.Sprintf("%s for %d", valueText(oo.Value, s.Unit), oo.Year)
	}
	return fmt.Sprintf("%s will show %s for %d (now %s)", r.Text, valueText(no.Value, s.Unit), no.Year, was)
}
