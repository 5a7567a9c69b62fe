package stats

import (
	"fmt"
	"sort"
	"strings"
)

// Codes of the data-quality warnings Quality gives.
const (
	// QualityMixedCompilers: a series holds figures compiled by different
	// bodies and its description does not name them.
	QualityMixedCompilers = "mixed_compilers"
	// QualitySourceTitle: a source has no title.
	QualitySourceTitle = "source_title"
	// QualitySourceDate: a source has neither a date nor n.d.
	QualitySourceDate = "source_date"
	// QualityMixedStatus: a computed total adds values of different
	// statuses (see MixedStatus).
	QualityMixedStatus = "mixed_status"
)

// Quality checks what an economist would doubt in a valid dataset without
// it being wrong: a series whose values were compiled by different bodies
// without its description saying so, and a source without title or date.
// Each finding is a Problem with a Code; none stops a publish. (A
// commercial or estimated value in an official series is an error, which
// Validate reports.)
func (d *Dataset) Quality() []Problem {
	var ps []Problem
	for i, s := range d.Sources {
		if strings.TrimSpace(s.Title) == "" {
			ps = append(ps, Problem{Code: QualitySourceTitle, Table: TableSources, Index: i, Field: "Title",
				Message: fmt.Sprintf("source %s has no title: give the title of the page, table or release, so a reader can find it", s.ID)})
		}
		if strings.TrimSpace(s.Published) == "" {
			ps = append(ps, Problem{Code: QualitySourceDate, Table: TableSources, Index: i, Field: "Published",
				Message: fmt.Sprintf("source %s has no date: give the date the page states (yyyy-mm-dd, yyyy-mm or yyyy), or n.d. if it states none", s.ID)})
		}
	}
	for i, s := range d.Series {
		compilers := d.compilers(s.ID)
		if len(compilers) < 2 {
			continue
		}
		text := strings.ToLower(s.Basis + " " + s.Description)
		var unnamed []string
		for _, c := range compilers {
			if !strings.Contains(text, strings.ToLower(c)) {
				unnamed = append(unnamed, c)
			}
		}
		if len(unnamed) > 0 {
			ps = append(ps, Problem{Code: QualityMixedCompilers, Table: TableSeries, Index: i, Field: "Description",
				Message: fmt.Sprintf("series %s holds figures compiled by %s; say in its Description which bases they are and why they may share a line, naming %s",
					s.ID, andWords(compilers), andWords(unnamed))})
		}
	}
	return ps
}

// compilers returns the distinct bodies whose numbers a series' values
// are, in sorted order.
func (d *Dataset) compilers(series string) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range d.Observations {
		if o.Series != series || o.IsGap() {
			continue
		}
		src, ok := d.Source(o.Source)
		if !ok {
			continue
		}
		for _, c := range Compilers(src.Compiler()) {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Compilers splits a Compiled by text into the bodies it names: several
// are separated by semicolons, and a qualifier in brackets after a name
// ("Bank of Korea (services)") is not part of it.
func Compilers(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ";") {
		c = strings.TrimSpace(c)
		if i := strings.Index(c, " ("); i > 0 && strings.HasSuffix(c, ")") {
			c = strings.TrimSpace(c[:i])
		}
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// MixedStatus returns the years in which a total of series a and b adds
// values of different statuses (an official export figure to a
// preliminary import figure), with the two statuses.
func (d *Dataset) MixedStatus(a, b string) []StatusPair {
	var out []StatusPair
	for _, oa := range d.ObservationsOf(a) {
		ob, ok := d.Observation(b, oa.Year)
		if !ok || oa.IsGap() || ob.IsGap() || oa.State() == ob.State() {
			continue
		}
		out = append(out, StatusPair{Year: oa.Year, A: oa.State(), B: ob.State()})
	}
	return out
}

// StatusPair is one year of a computed total whose inputs differ in status.
type StatusPair struct {
	Year int
	A, B string
}

// andWords joins words as "a, b and c".
func andWords(w []string) string {
	if len(w) < 2 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}
