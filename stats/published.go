package stats

import (
	"strings"
	"time"
)

// NoDate is what a source's Published says when the source states no date.
const NoDate = "n.d."

// Precision is how much of a publication date a source states.
type Precision int

// The precisions of a publication date.
const (
	NoPrecision Precision = iota // n.d.: the source states no date
	YearOnly                     // yyyy
	MonthOnly                    // yyyy-mm
	FullDate                     // yyyy-mm-dd
)

// ParsePublished reads a source's publication date as written: yyyy-mm-dd,
// yyyy-mm, yyyy or n.d. It returns the date (the first day of the month or
// year when only those are given), how much of it was stated, and false
// when s is none of these forms. An empty s is not a date either.
func ParsePublished(s string) (time.Time, Precision, bool) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, NoDate) {
		return time.Time{}, NoPrecision, true
	}
	for _, f := range []struct {
		layout string
		p      Precision
	}{{time.DateOnly, FullDate}, {"2006-01", MonthOnly}, {"2006", YearOnly}} {
		if len(s) != len(f.layout) {
			continue
		}
		if t, err := time.Parse(f.layout, s); err == nil && t.Year() >= MinYear && t.Year() <= MaxYear {
			return t, f.p, true
		}
	}
	return time.Time{}, NoPrecision, false
}

// PublishedText writes a source's publication date for readers: "16
// October 2020", "March 2018", "2018" or "n.d."; empty when none is
// recorded, and the text as given when it is not a date.
func (s Source) PublishedText() string {
	t, p, ok := ParsePublished(s.Published)
	switch {
	case s.Published == "":
		return ""
	case !ok:
		return s.Published
	case p == FullDate:
		return t.Format("2 January 2006")
	case p == MonthOnly:
		return t.Format("January 2006")
	case p == YearOnly:
		return t.Format("2006")
	}
	return NoDate
}
