package charts

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/bilateral/bilateral/stats"
)

// altCartesian describes a cartesian chart in words from its data: what it
// shows, the years covered, each series' latest value and its direction.
func altCartesian(s Spec, rs []resolved, cats []string) string {
	var b strings.Builder
	b.WriteString(s.Title + ". " + s.Summary)
	if len(cats) == 0 {
		b.WriteString(" No data is available.")
		return b.String()
	}
	fmt.Fprintf(&b, " Years %s to %s.", cats[0], cats[len(cats)-1])
	for _, r := range rs {
		name := r.ref.Label
		if name == "" {
			name = r.series.Name
		}
		var years []int
		for y := range r.obs {
			years = append(years, y)
		}
		sort.Ints(years)
		if len(years) == 0 {
			fmt.Fprintf(&b, " %s: no data.", name)
			continue
		}
		first, last := r.obs[years[0]], r.obs[years[len(years)-1]]
		unit := r.series.Unit
		fmt.Fprintf(&b, " %s: %d %s", name, len(years), plural(len(years), "value", "values"))
		if len(years) == 1 {
			fmt.Fprintf(&b, ", %s in %d.", valueText(first.Value, unit), first.Year)
			continue
		}
		fmt.Fprintf(&b, "; latest %s in %d", valueText(last.Value, unit), last.Year)
		switch {
		case unit == "rank":
			fmt.Fprintf(&b, ", against %s in %d", valueText(first.Value, unit), first.Year)
		case last.Value > first.Value:
			fmt.Fprintf(&b, ", up from %s in %d", valueText(first.Value, unit), first.Year)
		case last.Value < first.Value:
			fmt.Fprintf(&b, ", down from %s in %d", valueText(first.Value, unit), first.Year)
		default:
			fmt.Fprintf(&b, ", the same as in %d", first.Year)
		}
		if gaps := len(cats) - len(years); gaps > 0 && years[len(years)-1]-years[0]+1 > len(years) {
			b.WriteString("; some years have no published figure")
		}
		nonFinal := 0
		for _, o := range r.obs {
			if o.State() != stats.StatusOfficial {
				nonFinal++
			}
		}
		if nonFinal > 0 {
			fmt.Fprintf(&b, "; %d %s preliminary or estimated", nonFinal, plural(nonFinal, "value is", "values are"))
		}
		b.WriteString(".")
	}
	return b.String()
}

func valueText(v float64, unit string) string {
	if unit == "rank" {
		return Ordinal(int(v))
	}
	return Number(v) + " " + unit
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// altMap describes the investment map in words.
func altMap(s Spec, totals []stats.RegionTotal) string {
	var b strings.Builder
	b.WriteString(s.Title + ". " + s.Summary)
	if len(totals) == 0 {
		b.WriteString(" No projects are listed.")
		return b.String()
	}
	var parts []string
	n := 0
	for _, t := range totals {
		n += len(t.Projects)
		projects := strconv.Itoa(len(t.Projects)) + " " + plural(len(t.Projects), "project", "projects")
		if !slices.ContainsFunc(t.Projects, func(p stats.Project) bool { return p.Counted }) {
			parts = append(parts, t.Region+" (none counted; "+projects+" listed)")
			continue
		}
		parts = append(parts, t.Region+" "+Number(t.AmountUSDm)+" USD million ("+projects+")")
	}
	fmt.Fprintf(&b, " %d projects in %d states. Totals: %s.", n, len(totals), joinAnd(parts))
	return b.String()
}
