// Package charts turns a dataset into chart specifications: an ECharts
// option built with go-echarts' option types, the table of data behind it,
// the sources it cites and a text alternative. Builders are pure functions
// of the dataset; chart ids are stable because URLs and scripts rely on them.
package charts

import (
	"strconv"

	"github.com/bilateral/bilateral/stats"
)

// Plot types of a series.
const (
	Bar     = "bar"
	Line    = "line"
	Scatter = "scatter"
)

// Palette colours, chosen to stay distinguishable for common colour-vision
// deficiencies and readable on light and dark backgrounds; decal patterns
// (aria) add a second cue.
const (
	colorBlue   = "#2f6db5"
	colorOrange = "#d9822b"
	colorPurple = "#8a5cb8"
	colorTeal   = "#1a9a8a"
	colorRed    = "#c8443c"
	colorGrey   = "#7d8590"
	colorGold   = "#b8961e"
)

// SeriesRef places one stored (or computed) series on a chart.
type SeriesRef struct {
	ID    string // stats series id; for a computed series, a new id
	Label string // legend label; empty means the series' own name
	Type  string // Bar, Line or Scatter
	Axis  int    // index of the y-axis
	Color string
	// Sum, when set, makes this a computed series: the sum of two stored
	// series in the years where both are published (stats.Total), or their
	// difference when Diff is set.
	Sum  *[2]string
	Diff bool
	// Stack names the stack of a stacked bar.
	Stack string
}

// Axis is a y-axis.
type Axis struct {
	Name    string // usually the unit
	Inverse bool   // ranks: 1 at the top
	Integer bool   // ranks: whole numbers only
	Min     *float64
	Max     *float64
}

// Spec defines a chart. The dataset supplies everything else.
type Spec struct {
	ID       string
	Title    string
	Subtitle string // units and basis
	Section  string
	// Summary is one sentence saying what the chart shows, used in the text
	// alternative before the data-derived description.
	Summary string
	Series  []SeriesRef
	Axes    []Axis
	Map     bool // a map of investment projects by region
	Tall    bool // needs a taller box (maps)
	// Def is the chart's row on the Charts sheet.
	Def stats.ChartDef
}

// palette maps the colour slots a chart series row may name to colours.
var palette = map[string]string{
	"blue": colorBlue, "orange": colorOrange, "purple": colorPurple, "teal": colorTeal,
	"red": colorRed, "grey": colorGrey, "gold": colorGold,
}

// Specs returns the dataset's charts in page order.
func Specs(d *stats.Dataset) []Spec {
	var out []Spec
	for _, c := range d.OrderedCharts() {
		out = append(out, SpecOf(d, c))
	}
	return out
}

// SpecByID returns the spec of the dataset's chart with the given id.
func SpecByID(d *stats.Dataset, id string) (Spec, bool) {
	c, ok := d.ChartByID(id)
	if !ok {
		return Spec{}, false
	}
	return SpecOf(d, c), true
}

// SpecOf turns a chart's rows (Charts and Chart series sheets) into a spec.
func SpecOf(d *stats.Dataset, c stats.ChartDef) Spec {
	s := Spec{ID: c.ID, Title: c.Title, Subtitle: c.Subtitle, Section: c.Section, Summary: c.Summary, Def: c}
	if c.Kind == stats.KindMap {
		s.Map, s.Tall = true, true
		return s
	}
	role := map[string]string{stats.KindLine: Line, stats.KindBar: Bar, stats.KindStackedBar: Bar, stats.KindMixed: Bar, stats.KindDot: Scatter}[c.Kind]
	used := map[string]bool{}
	rows := d.SeriesOfChart(c.ID)
	for _, r := range rows {
		used[palette[r.Colour]] = true
	}
	var free []string
	for _, name := range stats.Colours {
		if !used[palette[name]] {
			free = append(free, palette[name])
		}
	}
	axes := 1
	for _, r := range rows {
		ref := SeriesRef{ID: r.Series, Label: r.Label, Type: role, Color: palette[r.Colour]}
		switch r.Role {
		case stats.RoleBar:
			ref.Type = Bar
		case stats.RoleLine:
			ref.Type = Line
		case stats.RoleMarker:
			ref.Type = Scatter
		}
		if r.Axis == "2" {
			ref.Axis = 1
			axes = 2
		}
		if ref.Color == "" && len(free) > 0 {
			ref.Color, free = free[0], free[1:]
		}
		if r.Computed != "" {
			if op, err := stats.ParseComputed(r.Computed); err == nil {
				ref.Sum = &[2]string{op.A, op.B}
				ref.Diff = op.Op == "diff"
			}
		}
		if c.Kind == stats.KindStackedBar && ref.Type == Bar {
			ref.Stack = "stack"
		}
		s.Series = append(s.Series, ref)
	}
	if c.Axis2.Used() {
		axes = 2
	}
	for i, a := range []stats.Axis{c.Axis1, c.Axis2}[:axes] {
		ax := Axis{Name: a.Name, Inverse: a.IsInverted(), Integer: a.IsInteger()}
		if ax.Name == "" {
			ax.Name = a.Unit
		}
		if ax.Name == "" {
			for _, r := range s.Series {
				if r.Axis == i {
					ax.Name = seriesUnit(d, r)
					break
				}
			}
		}
		ax.Min, ax.Max = axisBound(a.Min), axisBound(a.Max)
		s.Axes = append(s.Axes, ax)
	}
	return s
}

// seriesUnit is the unit of a chart series, stored or computed.
func seriesUnit(d *stats.Dataset, r SeriesRef) string {
	id := r.ID
	if r.Sum != nil {
		id = r.Sum[0]
	}
	s, _ := d.SeriesByID(id)
	return s.Unit
}

func axisBound(s string) *float64 {
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil
	}
	return &v
}
