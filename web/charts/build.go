package charts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/bilateral/bilateral/stats"
)

// MapName is the name under which the page registers the U.S. state
// geometry with ECharts: the only geometry shipped (stats.Geometries).
const MapName = "us-states"

// Chart is a built chart: its spec, the ECharts option, the data behind it
// and the sources it cites.
type Chart struct {
	Spec
	// Option is the ECharts option, ready for json.Marshal.
	Option map[string]any
	// OptionJSON is Option marshalled with HTML-sensitive characters escaped,
	// safe to place inside <script type="application/json">.
	OptionJSON []byte
	Table      Table
	// Sources are the sources of every value shown, in order of first use.
	Sources []stats.Source
	// Alt is a text alternative derived from the data.
	Alt string
	// Empty is true when the dataset has no value for any series of the chart.
	Empty bool
	// Coverage says, per series, which years of the chart have a value and
	// which have none and why.
	Coverage []Coverage
	// Grid is the table a chart of kind table shows in place of a
	// drawing; nil for other charts.
	Grid *Grid
	// ImageNote is the line an image of the chart carries so that a reader
	// of a printed copy knows a blank year is a gap and a hollow mark a
	// preliminary figure; empty when neither occurs.
	ImageNote string
}

// Cell is one table cell. Text always holds the exact value as text;
// numeric cells also carry the number so spreadsheets get a real number.
type Cell struct {
	Text   string
	Number bool
	Value  float64
	URL    string // a link (source address), when the cell is one
}

// Table is the data behind a chart, one row per stored value.
type Table struct {
	Columns []string
	Rows    [][]Cell
}

// Grid is a chart of kind table as readers see it: one row per year,
// one column per series, each value formatted with its unit.
type Grid struct {
	Columns []GridColumn
	Rows    []GridRow
}

// GridColumn is one series of a table chart.
type GridColumn struct {
	SeriesID string
	Label    string
	Unit     string
}

// GridRow is one year of a table chart.
type GridRow struct {
	Year  int
	Cells []GridCell
}

// GridCell is one value of a table chart. A year with no value is Empty;
// Gap then gives the reason the dataset records, if any.
type GridCell struct {
	Text   string // the value with its unit, "$170 billion"
	Raw    string // the value as stored, for machine readers
	Status string // preliminary, estimate, commercial; "" when official
	Empty  bool
	Gap    string
	Note   string
}

// point is one data item of a cartesian series. Unit, source and note ride
// along so the tooltip can show them; ECharts ignores unknown keys.
type point struct {
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Source string  `json:"source"`
	Note   string  `json:"note,omitempty"`
	// Status is set when the value is not a final official figure
	// (preliminary, estimate, commercial).
	Status string `json:"status,omitempty"`
	// Such values are drawn distinctly: a hollow symbol, a pale bar with
	// a dashed outline.
	Symbol    string     `json:"symbol,omitempty"`
	ItemStyle *itemStyle `json:"itemStyle,omitempty"`
}

// gapPoint is a year with no published figure on a series that records
// why: a null value (never drawn, never zero) with the reason for the
// tooltip.
type gapPoint struct {
	Value any    `json:"value"` // always nil
	Gap   string `json:"gap"`
}

// itemStyle is the style of one data item.
type itemStyle struct {
	Opacity     float64 `json:"opacity,omitempty"`
	BorderType  string  `json:"borderType,omitempty"`
	BorderWidth float64 `json:"borderWidth,omitempty"`
	BorderColor string  `json:"borderColor,omitempty"`
}

// LegendNonFinal is the legend entry that explains how values other than
// final official figures are drawn.
const LegendNonFinal = "Preliminary or estimate"

// paleBar is the style of a bar whose value is not a final official
// figure.
func paleBar(color string) *itemStyle {
	return &itemStyle{Opacity: 0.4, BorderType: "dashed", BorderWidth: 1.5, BorderColor: color}
}

// Build builds every chart of the dashboard from the dataset.
func Build(d *stats.Dataset) ([]*Chart, error) {
	var out []*Chart
	for _, s := range Specs(d) {
		c, err := BuildOne(d, s)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// BuildOne builds one chart.
func BuildOne(d *stats.Dataset, s Spec) (*Chart, error) {
	var c *Chart
	if s.Map {
		c = buildMap(d, s)
	} else {
		c = buildCartesian(d, s)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true) // "<", ">" and "&" become \u003c etc.: inert inside <script>
	if err := enc.Encode(c.Option); err != nil {
		return nil, fmt.Errorf("charts: %s: %w", s.ID, err)
	}
	c.OptionJSON = bytes.TrimRight(buf.Bytes(), "\n")
	return c, nil
}

// citer collects sources in order of first use.
type citer struct {
	d    *stats.Dataset
	seen map[string]bool
	list []stats.Source
}

func (ci *citer) cite(id string) stats.Source {
	src, _ := ci.d.Source(id)
	if !ci.seen[id] {
		if ci.seen == nil {
			ci.seen = map[string]bool{}
		}
		ci.seen[id] = true
		ci.list = append(ci.list, src)
	}
	return src
}

// resolved is one series of a cartesian chart with its values by year.
type resolved struct {
	ref    SeriesRef
	series stats.Series
	obs    map[int]stats.Observation
	// gaps are the series' recorded gaps by year: rows with no value and
	// the reason in their note.
	gaps map[int]stats.Observation
	// For a computed series: the two inputs, to explain each value.
	inputs [2]stats.Series
}

var seriesColumns = []string{"Series ID", "Series", "Year", "Value", "Status", "Unit", "Basis", "Reported by", "Source ID", "Source", "Source URL", "Note"}

func buildCartesian(d *stats.Dataset, s Spec) *Chart {
	ci := &citer{d: d}
	var rs []resolved
	for _, ref := range s.Series {
		r := resolved{ref: ref, obs: map[int]stats.Observation{}, gaps: map[int]stats.Observation{}}
		inRange := func(y int) bool {
			return (s.Def.FromYear == 0 || y >= s.Def.FromYear) && (s.Def.ToYear == 0 || y <= s.Def.ToYear)
		}
		if ref.Sum != nil {
			a, _ := d.SeriesByID(ref.Sum[0])
			b, _ := d.SeriesByID(ref.Sum[1])
			r.inputs = [2]stats.Series{a, b}
			word, f := "plus", stats.Total
			if ref.Diff {
				word, f = "minus", stats.Balance
			}
			r.series = stats.Series{ID: ref.ID, Name: ref.Label, Unit: a.Unit, Basis: a.Basis, ReportedBy: a.ReportedBy, Official: a.Official && b.Official,
				Description: fmt.Sprintf("Computed: %s %s %s, in the years where both are published.", a.Name, word, b.Name)}
			for _, p := range f(d.Points(a.ID), d.Points(b.ID)) {
				if !inRange(p.Year) {
					continue
				}
				oa, _ := d.Observation(a.ID, p.Year)
				ob, _ := d.Observation(b.ID, p.Year)
				r.obs[p.Year] = stats.Observation{Series: ref.ID, Year: p.Year, Value: p.Value, Status: stats.WeakerStatus(oa.State(), ob.State())}
			}
			// A year where either input is a recorded gap is a gap of the
			// total too, for the same reason.
			for i, in := range r.inputs {
				for _, o := range d.ObservationsOf(in.ID) {
					if _, ok := r.obs[o.Year]; ok || !o.IsGap() || !inRange(o.Year) {
						continue
					}
					if _, ok := r.gaps[o.Year]; !ok {
						r.gaps[o.Year] = stats.Observation{Series: ref.ID, Year: o.Year, Value: math.NaN(), Status: stats.StatusGap,
							Note: fmt.Sprintf("No total: %s has no figure (%s)", r.inputs[i].Name, strings.TrimSuffix(o.Note, "."))}
					}
				}
			}
		} else {
			r.series, _ = d.SeriesByID(ref.ID)
			for _, o := range d.ObservationsOf(ref.ID) {
				if !inRange(o.Year) {
					continue
				}
				if o.IsGap() {
					r.gaps[o.Year] = o
				} else {
					r.obs[o.Year] = o
				}
			}
		}
		rs = append(rs, r)
	}

	// The year axis is contiguous so that a missing year shows as a gap.
	var all [][]stats.Point
	for _, r := range rs {
		var ps []stats.Point
		for y := range r.obs {
			ps = append(ps, stats.Point{Year: y})
		}
		for y := range r.gaps {
			ps = append(ps, stats.Point{Year: y}) // a recorded gap is shown as one
		}
		all = append(all, ps)
	}
	years := stats.Years(all...)
	var cats []string
	if len(years) > 0 {
		for y := years[0]; y <= years[len(years)-1]; y++ {
			cats = append(cats, strconv.Itoa(y))
		}
	}

	c := &Chart{Spec: s, Table: Table{Columns: seriesColumns}}
	line := charts.NewLine()
	// A year-range slider where series are long enough to need one.
	zoom := len(cats) > 16
	bottom := "8"
	if zoom {
		bottom = "56"
	}
	var colors []string
	for _, r := range rs {
		colors = append(colors, r.ref.Color)
	}
	line.Colors = colors
	line.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Show: opts.Bool(false), Title: s.Title, Subtitle: s.Subtitle}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Top: "0", Left: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "64", Bottom: bottom, ContainLabel: opts.Bool(true)}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true), Decal: &opts.AriaDecal{Show: opts.Bool(true)}}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{HideOverlap: opts.Bool(true)}}),
	)
	line.YAxisList = nil
	for _, ax := range s.Axes {
		y := opts.YAxis{Type: "value", Name: ax.Name, NameLocation: "end", AxisLabel: &opts.AxisLabel{}}
		if ax.Inverse {
			y.Inverse = opts.Bool(true)
		}
		if ax.Integer {
			y.MinInterval = 1
		}
		if ax.Min != nil {
			y.Min = *ax.Min
		}
		if ax.Max != nil {
			y.Max = *ax.Max
		}
		line.YAxisList = append(line.YAxisList, y)
	}
	line.SetXAxis(cats)

	empty := true
	nonFinal := false
	for _, r := range rs {
		// A series with more empty years than values on this axis is drawn
		// as dots: bars over mostly empty years would look like zeros.
		typ := r.ref.Type
		if typ == Bar && len(cats)-len(r.obs) > len(r.obs) {
			typ = Scatter
		}
		data := make([]any, len(cats))
		for i, cat := range cats {
			y, _ := strconv.Atoi(cat)
			o, ok := r.obs[y]
			if !ok {
				if g, ok := r.gaps[y]; ok {
					src := stats.Source{}
					if g.Source != "" {
						src = ci.cite(g.Source)
					}
					c.Table.Rows = append(c.Table.Rows, seriesRow(r.series, g, src))
					data[i] = gapPoint{Gap: g.Note}
				}
				continue // a gap: JSON null, never zero
			}
			empty = false
			var srcLabel string
			if r.ref.Sum != nil {
				a, _ := d.Observation(r.inputs[0].ID, y)
				b, _ := d.Observation(r.inputs[1].ID, y)
				sa, sb := ci.cite(a.Source), ci.cite(b.Source)
				srcLabel = "Computed from " + sa.Organisation
				if sb.ID != sa.ID {
					srcLabel += " and " + sb.Organisation
				}
				sign := "+"
				if r.ref.Diff {
					sign = "−"
				}
				note := fmt.Sprintf("Computed: %s (%s, %s) %s %s (%s, %s).", Raw(a.Value), r.inputs[0].ID, a.State(), sign, Raw(b.Value), r.inputs[1].ID, b.State())
				o.Note = note
				c.Table.Rows = append(c.Table.Rows, seriesRow(r.series, o, stats.Source{ID: "computed", Organisation: srcLabel}))
			} else {
				src := ci.cite(o.Source)
				srcLabel = src.Organisation
				c.Table.Rows = append(c.Table.Rows, seriesRow(r.series, o, src))
			}
			pt := &point{Value: o.Value, Unit: r.series.Unit, Source: srcLabel, Note: o.Note}
			if o.State() != stats.StatusOfficial {
				pt.Status = o.State()
				nonFinal = true
				switch typ {
				case Bar:
					pt.ItemStyle = paleBar(r.ref.Color)
				case Scatter:
					sym := scatterSymbol(r.ref)
					pt.Symbol = "empty" + strings.ToUpper(sym[:1]) + sym[1:] // emptyCircle, emptyDiamond
				default:
					pt.Symbol = "emptyCircle"
				}
			}
			data[i] = pt
		}
		name := r.ref.Label
		if name == "" {
			name = r.series.Name
		}
		ss := charts.SingleSeries{Name: name, Type: typ, Data: data, YAxisIndex: r.ref.Axis, Stack: r.ref.Stack}
		switch typ {
		case Line:
			ss.ShowSymbol = opts.Bool(true)
			ss.Symbol = "circle" // solid; hollow marks a value that is not final
			ss.SymbolSize = 7
			ss.ConnectNulls = opts.Bool(false)
		case Scatter:
			ss.SymbolSize = 12
			ss.Symbol = scatterSymbol(r.ref)
		case Bar:
			ss.BarMaxWidth = "28"
		}
		line.MultiSeries = append(line.MultiSeries, ss)
	}
	if nonFinal {
		// A legend entry for the hollow and pale marks: a series with no
		// data, drawn in the legend as a hollow grey circle.
		line.MultiSeries = append(line.MultiSeries, charts.SingleSeries{Name: LegendNonFinal, Type: Scatter, Symbol: "emptyCircle", SymbolSize: 10,
			Data: []any{}, ItemStyle: &opts.ItemStyle{Color: colorGrey}})
		line.Colors = append(line.Colors, colorGrey)
	}
	line.Validate()
	c.Option = line.JSON()
	c.Option["yAxis"] = alignAxisNames(line.YAxisList)
	if zoom {
		// go-echarts' DataZoom has no position fields; the slider must sit
		// below the axis labels, not on them.
		c.Option["dataZoom"] = []dataZoom{
			{Type: "slider", XAxisIndex: 0, Start: 0, End: 100, Bottom: 6, Height: 22, Left: 48, Right: 48},
			{Type: "inside", XAxisIndex: 0, Start: 0, End: 100},
		}
	}
	c.Sources = ci.list
	c.Empty = empty
	c.Alt = altCartesian(s, rs, cats)
	c.Coverage = coverage(d, rs, cats)
	if s.Tabular {
		c.Grid = grid(rs, cats)
		c.ImageNote = gridNote(c.Grid)
	} else {
		c.ImageNote = imageNote(c.Coverage, nonFinal)
	}
	if s.Def.Alt != "" {
		c.Alt = s.Def.Alt
	}
	return c
}

// grid lays the series of a table chart out as years by series, the
// latest year first.
func grid(rs []resolved, cats []string) *Grid {
	g := &Grid{}
	for _, r := range rs {
		name := r.ref.Label
		if name == "" {
			name = r.series.Name
		}
		g.Columns = append(g.Columns, GridColumn{SeriesID: r.ref.ID, Label: name, Unit: r.series.Unit})
	}
	for i := len(cats) - 1; i >= 0; i-- {
		y, _ := strconv.Atoi(cats[i])
		row := GridRow{Year: y}
		for _, r := range rs {
			o, ok := r.obs[y]
			if !ok {
				row.Cells = append(row.Cells, GridCell{Empty: true, Gap: r.gaps[y].Note})
				continue
			}
			cell := GridCell{Text: Quantity(o.Value, r.series.Unit, ""), Raw: Raw(o.Value), Note: o.Note}
			if st := o.State(); st != stats.StatusOfficial {
				cell.Status = st
			}
			row.Cells = append(row.Cells, cell)
		}
		g.Rows = append(g.Rows, row)
	}
	return g
}

// gridNote is the caption line of a table chart's image: what a dash
// means, when there is one (its cells spell out each value's status).
func gridNote(g *Grid) string {
	for _, r := range g.Rows {
		for _, c := range r.Cells {
			if c.Empty {
				return "A dash is a year with no published figure (reasons on the chart's page); blank is not zero."
			}
		}
	}
	return ""
}

// scatterSymbol is the symbol of a scatter series: a diamond for a series
// meant as points, a circle for a sparse series of bars drawn as dots.
func scatterSymbol(r SeriesRef) string {
	if r.Type == Scatter {
		return "diamond"
	}
	return "circle"
}

// seriesRow is one row of a chart's table: a value, or a gap (no value,
// status gap, the reason in the note).
func seriesRow(s stats.Series, o stats.Observation, src stats.Source) []Cell {
	value := Cell{Text: Raw(o.Value), Number: true, Value: o.Value}
	if o.IsGap() {
		value = Cell{}
	}
	return []Cell{
		{Text: s.ID}, {Text: s.Name}, {Text: strconv.Itoa(o.Year), Number: true, Value: float64(o.Year)},
		value, {Text: o.State()}, {Text: s.Unit}, {Text: s.Basis}, {Text: s.ReportedBy},
		{Text: src.ID}, {Text: src.Organisation}, {Text: src.URL, URL: src.URL}, {Text: o.Note},
	}
}

// dataZoom is the year-range control of long series.
type dataZoom struct {
	Type       string  `json:"type"`
	XAxisIndex int     `json:"xAxisIndex"`
	Start      float64 `json:"start"`
	End        float64 `json:"end"`
	Bottom     int     `json:"bottom,omitempty"`
	Height     int     `json:"height,omitempty"`
	// Left and Right leave room for the year labels at the slider's ends.
	Left  int `json:"left,omitempty"`
	Right int `json:"right,omitempty"`
}

// mapItem is one state of the map chart.
type mapItem struct {
	Name string `json:"name"`
	// Value is the region's counted total; null (drawn as no data) when
	// every project there is listed but not counted, so that a region
	// with none counted never looks like one with a small total.
	Value    *float64      `json:"value"`
	Unit     string        `json:"unit"`
	Projects []mapProjects `json:"projects"`
}

type mapProjects struct {
	Company string  `json:"company"`
	Amount  float64 `json:"amount"`
	City    string  `json:"city,omitempty"`
	Year    int     `json:"year,omitempty"`
	Counted bool    `json:"counted"`
	Source  string  `json:"source"`
}

// mapSeries adds the map-only settings go-echarts' SingleSeries lacks.
type mapSeries struct {
	charts.SingleSeries
	// The geometry is already projected (Albers, insets for Alaska and
	// Hawaii), so ECharts must not stretch it as it does for lon/lat.
	AspectScale float64 `json:"aspectScale"`
}

var projectColumns = []string{"Company", "Amount (USD million)", "City", "State", "Year announced", "Sector", "Jobs", "In state totals", "Source ID", "Source", "Source URL", "Note"}

func buildMap(d *stats.Dataset, s Spec) *Chart {
	ci := &citer{d: d}
	c := &Chart{Spec: s, Table: Table{Columns: projectColumns}}
	totals := stats.TotalsByRegion(d.Projects)
	var items []mapItem
	maxV := 0.0
	for _, t := range totals {
		it := mapItem{Name: t.Region, Unit: "USD million"}
		for _, p := range t.Projects {
			if p.Counted && it.Value == nil {
				it.Value = &t.AmountUSDm
			}
			src := ci.cite(p.Source)
			it.Projects = append(it.Projects, mapProjects{Company: p.Company, Amount: p.AmountUSDm, City: p.City, Year: p.Year, Counted: p.Counted, Source: src.Organisation})
		}
		maxV = math.Max(maxV, t.AmountUSDm)
		items = append(items, it)
	}
	for _, p := range d.Projects {
		src, _ := d.Source(p.Source)
		year := Cell{}
		if p.Year != 0 {
			year = Cell{Text: strconv.Itoa(p.Year), Number: true, Value: float64(p.Year)}
		}
		counted := "no"
		if p.Counted {
			counted = "yes"
		}
		c.Table.Rows = append(c.Table.Rows, []Cell{
			{Text: p.Company}, {Text: Raw(p.AmountUSDm), Number: true, Value: p.AmountUSDm}, {Text: p.City}, {Text: p.State},
			year, {Text: p.Sector}, {Text: p.Jobs}, {Text: counted}, {Text: src.ID}, {Text: src.Organisation}, {Text: src.URL, URL: src.URL}, {Text: p.Note},
		})
	}
	m := charts.NewMap()
	m.RegisterMapType(MapName)
	m.SetGlobalOptions(
		charts.WithTitleOpts(opts.Title{Show: opts.Bool(false), Title: s.Title, Subtitle: s.Subtitle}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true)}),
		charts.WithVisualMapOpts(opts.VisualMap{
			Type: "continuous", Min: 0, Max: float32(math.Max(maxV, 1)), Calculable: opts.Bool(false),
			Text: []string{"More", "Less"}, Left: "0", Bottom: "0",
			InRange: &opts.VisualMapInRange{Color: []string{"#dce9f5", "#6a9fd4", "#1f4e8c"}},
		}),
	)
	opt := m.JSON()
	opt["series"] = []mapSeries{{
		SingleSeries: charts.SingleSeries{Name: "Announced investment", Type: "map", MapType: MapName, Roam: opts.Bool(false), Data: items},
		AspectScale:  1,
	}}
	delete(opt, "legend") // one series: a legend adds nothing
	c.Option = opt
	c.Sources = ci.list
	c.Empty = len(items) == 0
	c.Alt = altMap(s, totals)
	if s.Def.Alt != "" {
		c.Alt = s.Def.Alt
	}
	return c
}

// joinAnd joins words as "a, b and c".
func joinAnd(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

// alignAxisNames returns the y-axes with their names aligned inward from
// the axis line (go-echarts' YAxis has no nameTextStyle): centred over a
// narrow column of labels ("0" to "4"), a name such as "USD billion" would
// run past the chart's left edge and lose its first letters.
func alignAxisNames(axes []opts.YAxis) []map[string]any {
	out := make([]map[string]any, len(axes))
	for i, ax := range axes {
		b, _ := json.Marshal(ax)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		align := "left"
		if i > 0 {
			align = "right" // a second axis stands on the right
		}
		m["nameTextStyle"] = map[string]any{"align": align}
		out[i] = m
	}
	return out
}
