package charts

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/bilateral/bilateral/stats"
)

// Coverage is one series' years on a chart: those with a value, those
// without and why, and the latest value's year and release.
type Coverage struct {
	SeriesID string
	Series   string // the label on the chart
	// Present lists the years with a value as ranges: "2011–2017, 2019".
	Present string
	Missing []MissingYear
	// LatestYear is the last year with a value (0 when none); Release is
	// the source it comes from, with its date.
	LatestYear int
	Release    string
	// NonFinal counts values that are preliminary, estimates or
	// commercial.
	NonFinal int
}

// MissingYear is a year of the chart's axis with no value for a series.
type MissingYear struct {
	Year   int
	Reason string // the gap row's note; "" when the dataset records none
}

// MissingText lists the missing years compactly, "2008, 2010, 2023–2025".
func (c Coverage) MissingText() string {
	ys := make([]int, len(c.Missing))
	for i, m := range c.Missing {
		ys[i] = m.Year
	}
	return yearRanges(ys)
}

// coverage lists, for each series of a cartesian chart, the years of the
// axis with and without a value.
func coverage(d *stats.Dataset, rs []resolved, cats []string) []Coverage {
	var out []Coverage
	for _, r := range rs {
		name := r.ref.Label
		if name == "" {
			name = r.series.Name
		}
		cv := Coverage{SeriesID: r.ref.ID, Series: name}
		// A series is missing only the years within its own span, from its
		// first to its last value or recorded gap: the years before a
		// measure began are not gaps of it.
		first, last := 0, 0
		for _, m := range []map[int]stats.Observation{r.obs, r.gaps} {
			for y := range m {
				if first == 0 || y < first {
					first = y
				}
				last = max(last, y)
			}
		}
		var present []int
		for _, cat := range cats {
			y, _ := strconv.Atoi(cat)
			if y < first || y > last {
				continue
			}
			if o, ok := r.obs[y]; ok {
				present = append(present, y)
				cv.LatestYear = y
				if o.State() != stats.StatusOfficial {
					cv.NonFinal++
				}
				continue
			}
			cv.Missing = append(cv.Missing, MissingYear{Year: y, Reason: r.gaps[y].Note})
		}
		cv.Present = yearRanges(present)
		if cv.LatestYear != 0 {
			o := r.obs[cv.LatestYear]
			if r.ref.Sum != nil {
				cv.Release = "computed from " + r.inputs[0].Name + " and " + r.inputs[1].Name
			} else if src, ok := d.Source(o.Source); ok {
				cv.Release = src.Organisation
				if t := src.PublishedText(); t != "" {
					cv.Release += ", " + t
				}
			}
			if st := o.State(); st != stats.StatusOfficial {
				cv.Release += " (" + st + ")"
			}
		}
		out = append(out, cv)
	}
	return out
}

// imageNote is the caption line of an image that explains its blanks and
// hollow marks.
func imageNote(cov []Coverage, nonFinal bool) string {
	var parts []string
	var gaps []string
	for _, c := range cov {
		if len(c.Missing) > 0 && c.LatestYear != 0 {
			gaps = append(gaps, c.Series+" "+c.MissingText())
		}
	}
	if len(gaps) > 0 {
		parts = append(parts, "No published figure: "+strings.Join(gaps, "; ")+" (reasons on the chart's page); blank is not zero.")
	}
	if nonFinal {
		parts = append(parts, "Hollow marks and pale bars: preliminary or estimated figures.")
	}
	return strings.Join(parts, " ")
}

// yearRanges writes years as ranges: 2011, 2012, 2013 and 2015 become
// "2011–2013, 2015".
func yearRanges(ys []int) string {
	sort.Ints(ys)
	var parts []string
	for i := 0; i < len(ys); {
		j := i
		for j+1 < len(ys) && ys[j+1] == ys[j]+1 {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, strconv.Itoa(ys[i]))
		case j == i+1:
			parts = append(parts, strconv.Itoa(ys[i]), strconv.Itoa(ys[j]))
		default:
			parts = append(parts, fmt.Sprintf("%d–%d", ys[i], ys[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
