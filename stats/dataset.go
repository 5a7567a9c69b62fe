// Package stats holds the domain of bilateral: a dataset of sourced
// statistics about two economies, and the pure computations that charts and
// the narrative need. It depends on the standard library only.
package stats

import (
	"sort"
	"time"
)

// Country is one side of the bilateral relationship.
type Country struct {
	Code string // ISO 3166-1 alpha-2, e.g. "US"
	Name string // e.g. "United States"
}

// Metadata describes a dataset as a whole.
type Metadata struct {
	Title       string
	Description string
	Reporter    Country
	Partner     Country
	// AsOf is the date the data was last checked against its sources
	// (a civil date held at UTC midnight).
	AsOf time.Time
}

// Source is a publication that figures are cited to.
type Source struct {
	ID           string
	Organisation string
	Title        string
	// Published is the publication date; zero when the source gives none.
	Published time.Time
	URL       string
	Note      string
}

// Series is a time series of one indicator on one statistical basis.
// All observations of a series share its unit and basis, so one line of a
// chart never mixes bases.
type Series struct {
	ID          string
	Name        string
	Unit        string
	Basis       string
	ReportedBy  string // country code of the economy whose statistics these are
	Description string
}

// Observation is one value of a series for one year. A year with no
// observation is a gap: it is absent, never zero.
type Observation struct {
	Series string
	Year   int
	Value  float64
	Source string // Source.ID
	Note   string
}

// Project is an announced investment by a company of one economy in the other.
type Project struct {
	Company string
	// AmountUSDm is the announced amount in millions of U.S. dollars.
	AmountUSDm float64
	City       string
	State      string
	Year       int // year announced; 0 when the source gives none
	Sector     string
	Jobs       string // as announced, e.g. "800+"; free text
	// Counted says whether the amount enters per-state totals. Announcements
	// that restate or overlap another row are listed but not counted, so a
	// total never adds the same money twice.
	Counted bool
	Source  string
	Note    string
}

// Fact is a single sourced figure quoted in the narrative, such as the number
// of American companies operating in the partner economy.
type Fact struct {
	Key       string
	Label     string
	Value     float64
	Qualifier string // "more than", "over", "about" or empty
	Unit      string
	Year      int
	Source    string
	Note      string
}

// Dataset is everything the dashboard shows, as one consistent version.
type Dataset struct {
	Meta         Metadata
	Sources      []Source
	Series       []Series
	Observations []Observation
	Projects     []Project
	Facts        []Fact
	// Charts, ChartSeries and Text define the dashboard's charts and
	// narrative (the Charts, Chart series and Text sheets).
	Charts      []ChartDef
	ChartSeries []ChartSeries
	Text        []Block
}

// Source returns the source with the given id.
func (d *Dataset) Source(id string) (Source, bool) {
	for _, s := range d.Sources {
		if s.ID == id {
			return s, true
		}
	}
	return Source{}, false
}

// SeriesByID returns the series with the given id.
func (d *Dataset) SeriesByID(id string) (Series, bool) {
	for _, s := range d.Series {
		if s.ID == id {
			return s, true
		}
	}
	return Series{}, false
}

// Fact returns the fact with the given key.
func (d *Dataset) Fact(key string) (Fact, bool) {
	for _, f := range d.Facts {
		if f.Key == key {
			return f, true
		}
	}
	return Fact{}, false
}

// ObservationsOf returns the observations of one series in year order.
func (d *Dataset) ObservationsOf(series string) []Observation {
	var out []Observation
	for _, o := range d.Observations {
		if o.Series == series {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out
}

// Observation returns the value of a series in one year.
func (d *Dataset) Observation(series string, year int) (Observation, bool) {
	for _, o := range d.Observations {
		if o.Series == series && o.Year == year {
			return o, true
		}
	}
	return Observation{}, false
}

// Points returns the observations of one series as year/value points in
// year order.
func (d *Dataset) Points(series string) []Point {
	obs := d.ObservationsOf(series)
	out := make([]Point, len(obs))
	for i, o := range obs {
		out[i] = Point{Year: o.Year, Value: o.Value}
	}
	return out
}

// Latest returns the most recent observation of a series.
func (d *Dataset) Latest(series string) (Observation, bool) {
	obs := d.ObservationsOf(series)
	if len(obs) == 0 {
		return Observation{}, false
	}
	return obs[len(obs)-1], true
}
