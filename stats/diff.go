package stats

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
)

// Change kinds.
const (
	Added   = "added"
	Changed = "changed"
	Removed = "removed"
)

// Change is one difference between two datasets: a row added or removed,
// or one field of a row changed from Old to New.
type Change struct {
	Kind  string `json:"change"`
	Table string `json:"table"`
	// Key identifies the row: a source, series or chart ID, "series year"
	// for an observation, a fact key, "company, city, state, year" for a
	// project, "chart series" for a chart series, "section order" for a
	// text block.
	Key   string `json:"key"`
	Field string `json:"field,omitempty"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// Diff lists what changes from old to new, table by table in workbook
// order, rows in key order. It compares values exactly: 56.9 -> 56.90 is
// no change, 56.9 -> 56.91 is.
func Diff(old, new *Dataset) []Change {
	var out []Change
	out = append(out, diffRows(TableMetadata, metaRows(old), metaRows(new))...)
	out = append(out, diffRows(TableSources, sourceRows(old), sourceRows(new))...)
	out = append(out, diffRows(TableSeries, seriesRows(old), seriesRows(new))...)
	out = append(out, diffRows(TableObservations, obsRows(old), obsRows(new))...)
	out = append(out, diffRows(TableProjects, projectRows(old), projectRows(new))...)
	out = append(out, diffRows(TableFacts, factRows(old), factRows(new))...)
	out = append(out, diffRows(TableCharts, chartRows(old), chartRows(new))...)
	out = append(out, diffRows(TableChartSeries, chartSeriesRows(old), chartSeriesRows(new))...)
	out = append(out, diffRows(TableText, textRows(old), textRows(new))...)
	return out
}

// row is a record as ordered field/value pairs.
type row struct {
	fields []string
	values []string
}

type keyed struct {
	keys []string
	rows map[string]row
}

func (k *keyed) add(key string, r row) {
	if k.rows == nil {
		k.rows = map[string]row{}
	}
	// Duplicate keys (possible for projects) are told apart by position.
	base, n := key, 2
	for _, dup := k.rows[key]; dup; _, dup = k.rows[key] {
		key = fmt.Sprintf("%s (#%d)", base, n)
		n++
	}
	k.keys = append(k.keys, key)
	k.rows[key] = r
}

func diffRows(table string, a, b keyed) []Change {
	var out []Change
	keys := append([]string{}, b.keys...)
	for _, k := range a.keys {
		if _, ok := b.rows[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		ra, inA := a.rows[k]
		rb, inB := b.rows[k]
		switch {
		case !inA:
			out = append(out, Change{Kind: Added, Table: table, Key: k, New: summary(rb)})
		case !inB:
			out = append(out, Change{Kind: Removed, Table: table, Key: k, Old: summary(ra)})
		default:
			for i, f := range rb.fields {
				if ra.values[i] != rb.values[i] {
					out = append(out, Change{Kind: Changed, Table: table, Key: k, Field: f, Old: ra.values[i], New: rb.values[i]})
				}
			}
		}
	}
	return out
}

// summary writes a row's non-empty fields for an added/removed change.
func summary(r row) string {
	s := ""
	for i, f := range r.fields {
		if r.values[i] == "" {
			continue
		}
		if s != "" {
			s += "; "
		}
		s += f + ": " + r.values[i]
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// obsValue is an observation's value as text; a gap has none.
func obsValue(o Observation) string {
	if math.IsNaN(o.Value) {
		return ""
	}
	return num(o.Value)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func yearText(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

func metaRows(d *Dataset) keyed {
	var k keyed
	m := d.Meta
	for _, kv := range [][2]string{
		{"Title", m.Title}, {"Description", m.Description}, {"Reporter code", m.Reporter.Code}, {"Reporter name", m.Reporter.Name},
		{"Partner code", m.Partner.Code}, {"Partner name", m.Partner.Name}, {"As of", date(m.AsOf)},
	} {
		k.add(kv[0], row{fields: []string{"Value"}, values: []string{kv[1]}})
	}
	return k
}

func sourceRows(d *Dataset) keyed {
	var k keyed
	for _, s := range d.Sources {
		k.add(s.ID, row{fields: []string{"Organisation", "Title", "Published", "Compiled by", "URL", "Note"}, values: []string{s.Organisation, s.Title, s.Published, s.CompiledBy, s.URL, s.Note}})
	}
	return k
}

func seriesRows(d *Dataset) keyed {
	var k keyed
	for _, s := range d.Series {
		k.add(s.ID, row{fields: []string{"Name", "Unit", "Measure", "Basis", "Reported by", "Vintage rule", "Official", "Description"}, values: []string{s.Name, s.Unit, s.Measure, s.Basis, s.ReportedBy, s.VintageRule, yesNo(s.Official), s.Description}})
	}
	return k
}

func obsRows(d *Dataset) keyed {
	var k keyed
	for _, o := range d.Observations {
		k.add(o.Series+" "+strconv.Itoa(o.Year), row{fields: []string{"Value", "Status", "Source", "Note"}, values: []string{obsValue(o), o.Status, o.Source, o.Note}})
	}
	return k
}

func projectRows(d *Dataset) keyed {
	var k keyed
	for _, p := range d.Projects {
		key := p.Company + ", " + p.City + ", " + p.State + ", " + yearText(p.Year)
		counted := "no"
		if p.Counted {
			counted = "yes"
		}
		k.add(key, row{
			fields: []string{"Amount (USD million)", "Sector", "Jobs", "In state totals", "Source", "Note"},
			values: []string{num(p.AmountUSDm), p.Sector, p.Jobs, counted, p.Source, p.Note},
		})
	}
	return k
}

func factRows(d *Dataset) keyed {
	var k keyed
	for _, f := range d.Facts {
		k.add(f.Key, row{
			fields: []string{"Label", "Value", "Qualifier", "Unit", "Year", "Source", "Note"},
			values: []string{f.Label, num(f.Value), f.Qualifier, f.Unit, yearText(f.Year), f.Source, f.Note},
		})
	}
	return k
}

func chartRows(d *Dataset) keyed {
	var k keyed
	for _, c := range d.Charts {
		k.add(c.ID, row{
			fields: []string{"Section", "Order", "Kind", "Title", "Subtitle", "From year", "To year", "Summary", "Notes", "Alt text",
				"Axis 1 name", "Axis 1 unit", "Axis 1 min", "Axis 1 max", "Axis 1 inverted", "Axis 1 whole numbers",
				"Axis 2 name", "Axis 2 unit", "Axis 2 min", "Axis 2 max", "Axis 2 inverted", "Axis 2 whole numbers", "Geometry"},
			values: []string{c.Section, num(c.Order), c.Kind, c.Title, c.Subtitle, yearText(c.FromYear), yearText(c.ToYear), c.Summary, c.Notes, c.Alt,
				c.Axis1.Name, c.Axis1.Unit, c.Axis1.Min, c.Axis1.Max, c.Axis1.Inverted, c.Axis1.Integer,
				c.Axis2.Name, c.Axis2.Unit, c.Axis2.Min, c.Axis2.Max, c.Axis2.Inverted, c.Axis2.Integer, c.Geometry},
		})
	}
	return k
}

func chartSeriesRows(d *Dataset) keyed {
	var k keyed
	for _, c := range d.ChartSeries {
		k.add(c.Chart+" "+c.Series, row{
			fields: []string{"Computed", "Role", "Axis", "Colour", "Label"},
			values: []string{c.Computed, c.Role, c.Axis, c.Colour, c.Label},
		})
	}
	return k
}

func textRows(d *Dataset) keyed {
	var k keyed
	for _, b := range d.Text {
		k.add(b.Section+" "+num(b.Order), row{
			fields: []string{"Heading", "Menu label", "Body", "Chart"},
			values: []string{b.Heading, b.Menu, b.Body, b.Chart},
		})
	}
	return k
}
