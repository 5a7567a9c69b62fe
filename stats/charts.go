package stats

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Table names of the dashboard's definition sheets.
const (
	TableCharts      = "Charts"
	TableChartSeries = "Chart series"
	TableText        = "Text"
)

// Chart kinds. A kind sets the default role of a chart's series; a series
// row may still give its own role (a line over bars in a mixed chart).
const (
	KindLine       = "line"
	KindBar        = "bar"
	KindStackedBar = "stacked bar"
	KindMixed      = "mixed"
	KindDot        = "dot"
	KindMap        = "map"
	// KindTable shows its series as a table of years by series instead of
	// a drawing; its axes are not used.
	KindTable = "table"
)

// ChartKinds are the kinds a chart row may name.
var ChartKinds = []string{KindLine, KindBar, KindStackedBar, KindMixed, KindDot, KindMap, KindTable}

// Series roles on a chart.
const (
	RoleBar    = "bar"
	RoleLine   = "line"
	RoleMarker = "marker"
)

// ChartRoles are the roles a chart series row may name.
var ChartRoles = []string{RoleBar, RoleLine, RoleMarker}

// Colours are the palette slots a chart series may use, by name. The
// palette itself (chosen to stay distinguishable for common colour-vision
// deficiencies) belongs to the chart builder.
var Colours = []string{"blue", "orange", "purple", "teal", "red", "grey", "gold"}

// Geometries are the region geometries shipped for map charts: each names
// the regions of one country, matched against the Projects sheet's State
// column.
var Geometries = []string{"us-states"}

// AxisNumbers are the values of a chart series' Axis column.
var AxisNumbers = []string{"1", "2"}

// Axis is a value axis of a chart.
type Axis struct {
	Name string // shown at the top of the axis, usually the unit
	// Unit, when given, is the unit every series on the axis must have.
	Unit string
	// Min and Max fix the axis range; blank lets the chart choose. They are
	// text so that a blank is not a zero; Validate checks they are numbers.
	Min, Max string
	// Inverted ("yes") puts the smallest value at the top (ranks).
	Inverted string
	// Integer ("yes") allows whole-number ticks only.
	Integer string
}

// IsInverted reports whether the axis runs from the top down.
func (a Axis) IsInverted() bool { return a.Inverted == "yes" }

// IsInteger reports whether the axis shows whole numbers only.
func (a Axis) IsInteger() bool { return a.Integer == "yes" }

// Used reports whether the axis has any setting.
func (a Axis) Used() bool { return a != Axis{} }

// ChartDef defines one chart of the dashboard. Its ID is the chart's URL
// (/charts/{id}); renaming its title keeps the URL.
type ChartDef struct {
	ID      string
	Section string // the Text sheet's section the chart sits beside
	Order   float64
	Kind    string
	Title   string
	// Subtitle gives units and basis.
	Subtitle string
	// FromYear and ToYear limit the years shown; 0 is open.
	FromYear, ToYear int
	// Summary is one sentence saying what the chart shows, the start of its
	// text alternative.
	Summary string
	// Notes are shown under the chart on its own page.
	Notes string
	// Alt, when given, replaces the text alternative generated from the data.
	Alt          string
	Axis1, Axis2 Axis
	// Geometry names the regions of a map chart (see Geometries).
	Geometry string
}

// ChartSeries places one stored or computed series on a chart.
type ChartSeries struct {
	Chart  string
	Series string // a series ID; for a computed series, a new ID for it
	// Computed makes the row a computed series: "sum:a,b" (a plus b) or
	// "diff:a,b" (a minus b), in the years where both are published.
	Computed string
	Role     string // bar, line or marker; blank follows the chart's kind
	Axis     string // "1" or "2"; blank is 1
	Colour   string // a palette slot; blank takes the next free one
	Label    string // legend label; blank is the series' name
}

// Sections of the Text sheet that the page shows in their own places and
// styles: the headline numbers (one block each: Heading the label, Body
// one figure reference), the opening under the title, and the notes on
// the data at the end.
const (
	SectionKeyFigures = "key-figures"
	SectionOverview   = "overview"
	SectionAbout      = "about"
)

// Block is one block of the dashboard's narrative.
type Block struct {
	Section string
	Order   float64
	Heading string
	// Menu is the section's label in the page's navigation; blank keeps
	// the section out of it.
	Menu string
	// Body is Markdown (paragraphs, emphasis, links, lists) with figure
	// references such as {{value SERIES YEAR}}; see ParseRefs.
	Body  string
	Chart string // the chart the block discusses; blank for none
}

// ComputedOp is a parsed computed-series formula.
type ComputedOp struct {
	Op   string // "sum" or "diff"
	A, B string
}

// ParseComputed parses "sum:a,b" or "diff:a,b".
func ParseComputed(s string) (ComputedOp, error) {
	op, args, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || (op != "sum" && op != "diff") {
		return ComputedOp{}, fmt.Errorf(`write sum:SERIES,SERIES or diff:SERIES,SERIES`)
	}
	a, b, ok := strings.Cut(args, ",")
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if !ok || a == "" || b == "" || strings.Contains(b, ",") {
		return ComputedOp{}, fmt.Errorf(`name exactly two series after %q, separated by a comma`, op+":")
	}
	return ComputedOp{Op: op, A: a, B: b}, nil
}

// ChartByID returns the chart definition with the given id.
func (d *Dataset) ChartByID(id string) (ChartDef, bool) {
	for _, c := range d.Charts {
		if c.ID == id {
			return c, true
		}
	}
	return ChartDef{}, false
}

// SeriesOfChart returns the series rows of one chart, in sheet order.
func (d *Dataset) SeriesOfChart(id string) []ChartSeries {
	var out []ChartSeries
	for _, s := range d.ChartSeries {
		if s.Chart == id {
			out = append(out, s)
		}
	}
	return out
}

// SectionOrder returns the narrative's section ids in page order: the
// order of their first block by Order, then sheet order.
func (d *Dataset) SectionOrder() []string {
	blocks := d.Blocks()
	var out []string
	seen := map[string]bool{}
	for _, b := range blocks {
		if !seen[b.Section] {
			seen[b.Section] = true
			out = append(out, b.Section)
		}
	}
	return out
}

// Blocks returns the text blocks sorted by section (in order of each
// section's first appearance on the sheet) and then by Order.
func (d *Dataset) Blocks() []Block {
	first := map[string]int{}
	for i, b := range d.Text {
		if _, ok := first[b.Section]; !ok {
			first[b.Section] = i
		}
	}
	out := append([]Block(nil), d.Text...)
	sort.SliceStable(out, func(i, j int) bool {
		if fi, fj := first[out[i].Section], first[out[j].Section]; fi != fj {
			return fi < fj
		}
		return out[i].Order < out[j].Order
	})
	return out
}

// OrderedCharts returns the chart definitions in page order: by section
// (in text order; charts of sections without text last) then Order.
func (d *Dataset) OrderedCharts() []ChartDef {
	pos := map[string]int{}
	for i, s := range d.SectionOrder() {
		pos[s] = i
	}
	rank := func(s string) int {
		if p, ok := pos[s]; ok {
			return p
		}
		return len(pos)
	}
	out := append([]ChartDef(nil), d.Charts...)
	sort.SliceStable(out, func(i, j int) bool {
		if ri, rj := rank(out[i].Section), rank(out[j].Section); ri != rj {
			return ri < rj
		}
		return out[i].Order < out[j].Order
	})
	return out
}

func oneOf(v string, list []string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// validateCharts checks the Charts, Chart series and Text sheets.
func (d *Dataset) validateCharts(add func(table string, i int, field, value, format string, args ...any)) {
	charts := map[string]int{}
	for i, c := range d.Charts {
		switch {
		case c.ID == "":
			add(TableCharts, i, "ID", "", "every chart needs an ID: it is the chart's address, /charts/ID")
		case !idPattern.MatchString(c.ID):
			add(TableCharts, i, "ID", c.ID, "IDs use letters, digits, '_', '-' and '.', up to 64 characters")
		case strings.Contains(c.ID, "."):
			// The ID is the chart's address: /charts/ID.png is its image,
			// so a dot would make /charts/ID the image or table of another
			// chart, or of none.
			add(TableCharts, i, "ID", c.ID, "a chart's ID is its address, /charts/ID: use letters, digits, '_' and '-', without '.' (a dot starts a download's extension, such as .png)")
		default:
			if _, dup := charts[c.ID]; dup {
				add(TableCharts, i, "ID", c.ID, "this ID is used by an earlier chart")
			} else {
				charts[c.ID] = i
			}
		}
		if strings.TrimSpace(c.Title) == "" {
			add(TableCharts, i, "Title", "", "every chart needs a title")
		}
		if strings.TrimSpace(c.Section) == "" {
			add(TableCharts, i, "Section", "", "name the section of the Text sheet the chart belongs to")
		}
		if !oneOf(c.Kind, ChartKinds) {
			add(TableCharts, i, "Kind", c.Kind, "must be one of: %s", strings.Join(ChartKinds, ", "))
		}
		if c.FromYear != 0 && c.ToYear != 0 && c.FromYear > c.ToYear {
			add(TableCharts, i, "To year", strconv.Itoa(c.ToYear), "must not be before From year (%d)", c.FromYear)
		}
		for n, ax := range []Axis{c.Axis1, c.Axis2} {
			for _, f := range []struct{ name, v string }{{"min", ax.Min}, {"max", ax.Max}} {
				if f.v == "" {
					continue
				}
				if v, err := strconv.ParseFloat(f.v, 64); err != nil || !finite(v) {
					add(TableCharts, i, fmt.Sprintf("Axis %d %s", n+1, f.name), f.v, "must be a number, or blank to let the chart choose")
				}
			}
		}
		if c.Kind == KindMap {
			switch {
			case c.Geometry == "":
				add(TableCharts, i, "Geometry", "", "a map needs a geometry: one of %s", strings.Join(Geometries, ", "))
			case !oneOf(c.Geometry, Geometries):
				add(TableCharts, i, "Geometry", c.Geometry, "no map of this name is shipped; use one of: %s", strings.Join(Geometries, ", "))
			}
			if len(d.Projects) == 0 {
				add(TableCharts, i, "Kind", c.Kind, "a map shows the Projects sheet by region, and it has no rows")
			}
		} else if c.Geometry != "" {
			add(TableCharts, i, "Geometry", c.Geometry, "only a chart of kind map takes a geometry; leave it blank")
		}
	}

	series := map[string]Series{}
	for _, s := range d.Series {
		series[s.ID] = s
	}
	// unit of each (chart, axis), and whether each chart has data in range
	type axisKey struct {
		chart string
		axis  string
	}
	axisUnit := map[axisKey]string{}
	hasRows := map[string]bool{}
	hasData := map[string]bool{}
	computedIDs := map[string]bool{}
	inRange := func(c ChartDef, ids ...string) bool {
		for _, id := range ids {
			ok := false
			for _, o := range d.ObservationsOf(id) {
				if (c.FromYear == 0 || o.Year >= c.FromYear) && (c.ToYear == 0 || o.Year <= c.ToYear) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}
	for i, cs := range d.ChartSeries {
		ci, chartOK := charts[cs.Chart]
		var c ChartDef
		switch {
		case cs.Chart == "":
			add(TableChartSeries, i, "Chart", "", "give the ID of the chart, from the Charts sheet")
		case !chartOK:
			add(TableChartSeries, i, "Chart", cs.Chart, "no chart has this ID; add it to the Charts sheet or fix the spelling")
		default:
			c = d.Charts[ci]
			hasRows[cs.Chart] = true
			if c.Kind == KindMap {
				add(TableChartSeries, i, "Chart", cs.Chart, "a map shows the Projects sheet and takes no series rows")
			}
		}
		if cs.Role != "" && !oneOf(cs.Role, ChartRoles) {
			add(TableChartSeries, i, "Role", cs.Role, "must be blank or one of: %s", strings.Join(ChartRoles, ", "))
		}
		if cs.Axis != "" && !oneOf(cs.Axis, AxisNumbers) {
			add(TableChartSeries, i, "Axis", cs.Axis, "must be blank, 1 or 2")
		}
		if cs.Colour != "" && !oneOf(cs.Colour, Colours) {
			add(TableChartSeries, i, "Colour", cs.Colour, "must be blank or one of: %s", strings.Join(Colours, ", "))
		}
		var unit string
		var inputs []string
		if cs.Computed != "" {
			op, err := ParseComputed(cs.Computed)
			switch {
			case err != nil:
				add(TableChartSeries, i, "Computed", cs.Computed, "%s", err.Error())
			case series[op.A].ID == "":
				add(TableChartSeries, i, "Computed", op.A, "no series has this ID; add it to the Series sheet or fix the spelling")
			case series[op.B].ID == "":
				add(TableChartSeries, i, "Computed", op.B, "no series has this ID; add it to the Series sheet or fix the spelling")
			case series[op.A].Unit != series[op.B].Unit:
				add(TableChartSeries, i, "Computed", cs.Computed, "%s is in %s and %s in %s: only series in one unit can be added or subtracted", op.A, series[op.A].Unit, op.B, series[op.B].Unit)
			default:
				unit = series[op.A].Unit
				inputs = []string{op.A, op.B}
			}
			switch {
			case cs.Series == "":
				add(TableChartSeries, i, "Series", "", "a computed series needs an ID of its own in the Series column")
			case !idPattern.MatchString(cs.Series):
				add(TableChartSeries, i, "Series", cs.Series, "IDs use letters, digits, '_', '-' and '.', up to 64 characters")
			case series[cs.Series].ID != "":
				add(TableChartSeries, i, "Series", cs.Series, "a computed series needs a new ID, not that of a series on the Series sheet")
			}
			if strings.TrimSpace(cs.Label) == "" {
				add(TableChartSeries, i, "Label", "", "a computed series needs a label")
			}
			computedIDs[cs.Series] = true
		} else {
			switch {
			case cs.Series == "":
				add(TableChartSeries, i, "Series", "", "give a series ID from the Series sheet, or a formula in the Computed column")
			case series[cs.Series].ID == "":
				add(TableChartSeries, i, "Series", cs.Series, "no series has this ID; add it to the Series sheet or fix the spelling")
			default:
				unit = series[cs.Series].Unit
				inputs = []string{cs.Series}
			}
		}
		if !chartOK || unit == "" {
			continue
		}
		if c.Kind == KindTable {
			// A table has no axes: any unit may sit beside any other.
			if inRange(c, inputs...) {
				hasData[cs.Chart] = true
			}
			continue
		}
		axis := cs.Axis
		if axis == "" {
			axis = "1"
		}
		ax := c.Axis1
		if axis == "2" {
			ax = c.Axis2
		}
		col := "Series"
		if cs.Computed != "" {
			col = "Computed"
		}
		k := axisKey{cs.Chart, axis}
		switch {
		case ax.Unit != "" && ax.Unit != unit:
			add(TableChartSeries, i, col, cs.Series, "this series is in %s but axis %s of chart %s is in %s: put it on the other axis or on another chart", unit, axis, cs.Chart, ax.Unit)
		case axisUnit[k] != "" && axisUnit[k] != unit:
			add(TableChartSeries, i, col, cs.Series, "this series is in %s but an earlier series on axis %s of chart %s is in %s: series of different units need separate axes", unit, axis, cs.Chart, axisUnit[k])
		default:
			axisUnit[k] = unit
		}
		if inRange(c, inputs...) {
			hasData[cs.Chart] = true
		}
	}
	for i, c := range d.Charts {
		if c.Kind == KindMap || charts[c.ID] != i || c.ID == "" {
			continue
		}
		switch {
		case !hasRows[c.ID] && c.Kind == KindTable:
			add(TableCharts, i, "ID", c.ID, "a table needs at least one series: add its columns as rows of the Chart series sheet")
		case !hasRows[c.ID]:
			add(TableCharts, i, "ID", c.ID, "this chart has no rows on the Chart series sheet: add the series it shows")
		case !hasData[c.ID]:
			add(TableCharts, i, "ID", c.ID, "none of this chart's series has a value in the years it shows")
		}
	}

	sections := map[string]bool{}
	for i, b := range d.Text {
		switch {
		case b.Section == "":
			add(TableText, i, "Section", "", "every block needs a section ID")
		case !idPattern.MatchString(b.Section):
			add(TableText, i, "Section", b.Section, "section IDs use letters, digits, '_', '-' and '.', up to 64 characters")
		}
		sections[b.Section] = true
		if b.Chart != "" {
			if _, ok := charts[b.Chart]; !ok {
				add(TableText, i, "Chart", b.Chart, "no chart has this ID; add it to the Charts sheet or fix the spelling")
			}
		}
		for _, f := range []struct{ name, v string }{{"Heading", b.Heading}, {"Body", b.Body}} {
			for _, msg := range d.checkText(f.v) {
				add(TableText, i, f.name, "", "%s", msg)
			}
		}
	}
	headed := map[string]bool{}
	firstOf := map[string]int{}
	for i, b := range d.Text {
		if _, ok := firstOf[b.Section]; !ok {
			firstOf[b.Section] = i
		}
		if strings.TrimSpace(b.Heading) != "" {
			headed[b.Section] = true
		}
		if b.Section == SectionKeyFigures {
			segs, err := ParseRefs(b.Body)
			n := 0
			for _, sg := range segs {
				if sg.Ref != nil && (sg.Ref.Kind == RefValue || sg.Ref.Kind == RefLatest || sg.Ref.Kind == RefFact) {
					n++
				} else if strings.TrimSpace(sg.Text) != "" {
					n = 2 // text besides the reference
				}
			}
			if err == nil && n != 1 {
				add(TableText, i, "Body", b.Body, "a key figure's Body is one figure reference and nothing else, such as {{latest SERIES}} or {{fact KEY}}; the label goes in Heading")
			}
		}
	}
	for i, b := range d.Text {
		if id := b.Section; firstOf[id] == i && id != "" && id != SectionKeyFigures && id != SectionOverview && !headed[id] {
			add(TableText, i, "Heading", "", "section %s needs a heading: write it in the Heading of its first block", id)
		}
	}
	if len(d.Text) > 0 {
		for i, c := range d.Charts {
			if c.Section != "" && !sections[c.Section] {
				add(TableCharts, i, "Section", c.Section, "no block of the Text sheet has this section, so the chart would not be shown")
			}
		}
	}
}
