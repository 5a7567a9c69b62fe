package stats

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
)

// Table names used in Problem.Table; they match the workbook's sheets.
const (
	TableMetadata     = "Metadata"
	TableSources      = "Sources"
	TableSeries       = "Series"
	TableObservations = "Observations"
	TableProjects     = "Projects"
	TableFacts        = "Facts"
)

// Problem is one thing wrong with a dataset, located by table, row index
// (0-based, in the order of the dataset's slices) and field name, so that
// the workbook layer can translate it into a sheet and cell.
type Problem struct {
	// Code is a short machine name for a data-quality warning (see
	// Dataset.Quality); empty for an error.
	Code    string
	Table   string
	Index   int    // row index within the table; -1 for the table as a whole
	Field   string // field name as in the workbook header, e.g. "Source"
	Value   string // the offending value, as text
	Message string
}

func (p Problem) Error() string {
	if p.Value != "" {
		return fmt.Sprintf("%s[%d].%s: %s (found %q)", p.Table, p.Index, p.Field, p.Message, p.Value)
	}
	return fmt.Sprintf("%s[%d].%s: %s", p.Table, p.Index, p.Field, p.Message)
}

// Limits on years a dataset may hold; outside them a value is surely a typo.
const (
	MinYear = 1900
	MaxYear = 2100
)

// MaxMagnitude bounds every value a dataset holds. No statistic in any unit
// a dashboard uses comes near it, and sums of thousands of such values
// stay far from overflowing, so a chart's computed totals stay finite.
const MaxMagnitude = 1e15

// finite reports whether v is a number a chart can draw and add up.
func finite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && math.Abs(v) <= MaxMagnitude
}

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	codePattern = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Validate checks the dataset's internal consistency: required fields,
// unique identifiers, references to sources and series that exist, and
// plausible years and values. It returns every problem found, in table and
// row order; an empty result means the dataset can be published.
func (d *Dataset) Validate() []Problem {
	var ps []Problem
	add := func(table string, i int, field, value, format string, args ...any) {
		ps = append(ps, Problem{Table: table, Index: i, Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
	}

	m := d.Meta
	if strings.TrimSpace(m.Title) == "" {
		add(TableMetadata, -1, "Title", "", "the dataset needs a title")
	}
	for _, c := range []struct {
		field string
		c     Country
	}{{"Reporter code", m.Reporter}, {"Partner code", m.Partner}} {
		if !codePattern.MatchString(c.c.Code) {
			add(TableMetadata, -1, c.field, c.c.Code, "must be a two-letter ISO country code in capitals, such as US or KR")
		}
	}
	if strings.TrimSpace(m.Reporter.Name) == "" {
		add(TableMetadata, -1, "Reporter name", "", "the reporter needs a name")
	}
	if strings.TrimSpace(m.Partner.Name) == "" {
		add(TableMetadata, -1, "Partner name", "", "the partner needs a name")
	}
	if m.Reporter.Code != "" && m.Reporter.Code == m.Partner.Code {
		add(TableMetadata, -1, "Partner code", m.Partner.Code, "reporter and partner must be different countries")
	}
	if m.AsOf.IsZero() {
		add(TableMetadata, -1, "As of", "", "give the date the data was last checked")
	}

	sources := map[string]bool{}
	for i, s := range d.Sources {
		switch {
		case s.ID == "":
			add(TableSources, i, "ID", "", "every source needs an ID that rows can refer to")
		case !idPattern.MatchString(s.ID):
			add(TableSources, i, "ID", s.ID, "IDs use letters, digits, '_', '-' and '.', up to 64 characters")
		case sources[s.ID]:
			add(TableSources, i, "ID", s.ID, "this ID is used by an earlier source")
		}
		sources[s.ID] = true
		if strings.TrimSpace(s.Organisation) == "" {
			add(TableSources, i, "Organisation", "", "name the organisation that published the figures")
		}
		if s.URL != "" {
			if msg := checkURL(s.URL); msg != "" {
				add(TableSources, i, "URL", s.URL, "%s", msg)
			}
		}
		if s.Published != "" {
			if _, _, ok := ParsePublished(s.Published); !ok {
				add(TableSources, i, "Published", s.Published, "write the date as the source gives it: yyyy-mm-dd, yyyy-mm or yyyy, or n.d. when it gives none")
			}
		}
	}
	checkSource := func(table string, i int, id string) {
		switch {
		case id == "":
			add(table, i, "Source", "", "every figure needs a source: give a source ID from the Sources sheet")
		case !sources[id]:
			add(table, i, "Source", id, "no source has this ID; add it to the Sources sheet or fix the spelling")
		}
	}
	checkYear := func(table string, i int, field string, y int, optional bool) {
		if optional && y == 0 {
			return
		}
		if y < MinYear || y > MaxYear {
			add(table, i, field, fmt.Sprint(y), "year must be between %d and %d", MinYear, MaxYear)
		}
	}

	series := map[string]bool{}
	official := map[string]bool{}
	for i, s := range d.Series {
		official[s.ID] = s.Official
		switch {
		case s.ID == "":
			add(TableSeries, i, "ID", "", "every series needs an ID")
		case !idPattern.MatchString(s.ID):
			add(TableSeries, i, "ID", s.ID, "IDs use letters, digits, '_', '-' and '.', up to 64 characters")
		case series[s.ID]:
			add(TableSeries, i, "ID", s.ID, "this ID is used by an earlier series")
		}
		series[s.ID] = true
		if strings.TrimSpace(s.Name) == "" {
			add(TableSeries, i, "Name", "", "every series needs a name")
		}
		if strings.TrimSpace(s.Unit) == "" {
			add(TableSeries, i, "Unit", "", "every series needs a unit, such as USD billion")
		}
		if s.ReportedBy != m.Reporter.Code && s.ReportedBy != m.Partner.Code {
			add(TableSeries, i, "Reported by", s.ReportedBy, "must be the reporter's or the partner's country code (%s or %s)", m.Reporter.Code, m.Partner.Code)
		}
	}

	type key struct {
		series string
		year   int
	}
	seen := map[key]bool{}
	for i, o := range d.Observations {
		switch {
		case o.Series == "":
			add(TableObservations, i, "Series", "", "give the series ID this value belongs to")
		case !series[o.Series]:
			add(TableObservations, i, "Series", o.Series, "no series has this ID; add it to the Series sheet or fix the spelling")
		}
		checkYear(TableObservations, i, "Year", o.Year, false)
		validStatus := o.Status == ""
		for _, st := range Statuses {
			validStatus = validStatus || o.Status == st
		}
		switch {
		case !validStatus:
			add(TableObservations, i, "Status", o.Status, "status must be one of: %s (blank means official)", strings.Join(Statuses, ", "))
		case o.Status == StatusGap:
			if !math.IsNaN(o.Value) {
				add(TableObservations, i, "Value", fmt.Sprint(o.Value), "a gap has no value: leave Value blank, or give the figure a status other than gap")
			}
			if strings.TrimSpace(o.Note) == "" {
				add(TableObservations, i, "Note", "", "say in the note why there is no figure for this year, such as \"source not found\" or \"not published separately\"")
			}
		case math.IsNaN(o.Value):
			add(TableObservations, i, "Value", "", "Value is missing: type the number; if there is no published figure, write gap in Status and give the reason in Note")
		case !finite(o.Value):
			add(TableObservations, i, "Value", fmt.Sprint(o.Value), "value must be a number no larger than 10^15 in size")
		}
		if validStatus && official[o.Series] && (o.Status == StatusCommercial || o.Status == StatusEstimate) {
			what := "a commercial figure"
			if o.Status == StatusEstimate {
				what = "an estimate"
			}
			add(TableObservations, i, "Status", o.Status, "series %s has an official basis, so it cannot hold %s: move the value to a series of its own whose Official is no", o.Series, what)
		}
		if o.Status != StatusGap || o.Source != "" {
			checkSource(TableObservations, i, o.Source)
		}
		k := key{o.Series, o.Year}
		if seen[k] && o.Series != "" {
			add(TableObservations, i, "Year", fmt.Sprint(o.Year), "series %s already has a value for %d higher up the sheet; keep one value per year and say in the note which source was preferred", o.Series, o.Year)
		}
		seen[k] = true
	}

	for i, p := range d.Projects {
		if strings.TrimSpace(p.Company) == "" {
			add(TableProjects, i, "Company", "", "name the company")
		}
		if !finite(p.AmountUSDm) || p.AmountUSDm < 0 {
			add(TableProjects, i, "Amount (USD million)", fmt.Sprint(p.AmountUSDm), "amount must be a number of millions of dollars, zero or more")
		}
		if strings.TrimSpace(p.State) == "" {
			add(TableProjects, i, "State", "", "name the state or region")
		}
		checkYear(TableProjects, i, "Year announced", p.Year, true)
		checkSource(TableProjects, i, p.Source)
	}

	facts := map[string]bool{}
	for i, f := range d.Facts {
		switch {
		case f.Key == "":
			add(TableFacts, i, "Key", "", "every fact needs a key")
		case !idPattern.MatchString(f.Key):
			add(TableFacts, i, "Key", f.Key, "keys use letters, digits, '_', '-' and '.', up to 64 characters")
		case facts[f.Key]:
			add(TableFacts, i, "Key", f.Key, "this key is used by an earlier fact")
		}
		facts[f.Key] = true
		if strings.TrimSpace(f.Label) == "" {
			add(TableFacts, i, "Label", "", "every fact needs a label")
		}
		if !finite(f.Value) {
			add(TableFacts, i, "Value", fmt.Sprint(f.Value), "value must be a number no larger than 10^15 in size")
		}
		if strings.TrimSpace(f.Unit) == "" {
			add(TableFacts, i, "Unit", "", "every fact needs a unit")
		}
		checkYear(TableFacts, i, "Year", f.Year, false)
		checkSource(TableFacts, i, f.Source)
	}
	d.validateCharts(add)
	return ps
}

// checkURL returns why u is not an acceptable source link, or "".
// Only absolute http and https links are accepted, so that a link from a
// workbook can never run script in a reader's browser.
func checkURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return "not a valid web address"
	}
	if pu.Scheme != "http" && pu.Scheme != "https" {
		return "web addresses must start with http:// or https://"
	}
	if pu.Host == "" {
		return "web address has no host name"
	}
	return ""
}
