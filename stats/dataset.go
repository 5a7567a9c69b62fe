// Package stats holds the domain of bilateral: a dataset of sourced
// statistics about two economies, and the pure computations that charts and
// the narrative need. It depends on the standard library only.
package stats

import (
	"math"
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
	// Published is the publication date as the source states it:
	// yyyy-mm-dd, yyyy-mm or yyyy, or "n.d." when the source gives none
	// (see ParsePublished). Empty means nobody has looked yet.
	Published string
	// CompiledBy names whose numbers the source reports when it republishes
	// another body's figures (a news report of a Census release); empty
	// when the source compiled them itself.
	CompiledBy string
	URL        string
	Note       string
}

// Compiler is the body whose numbers the source carries: CompiledBy, or
// the publishing organisation when the source compiled them itself.
func (s Source) Compiler() string {
	if s.CompiledBy != "" {
		return s.CompiledBy
	}
	return s.Organisation
}

// Series is a time series of one indicator on one statistical basis.
// All observations of a series share its unit and basis, so one line of a
// chart never mixes bases.
type Series struct {
	ID   string
	Name string
	Unit string
	// Measure is what is counted: "exports", "balance (exports minus
	// imports)", "position (stock), historical cost".
	Measure string
	// Basis is the statistical basis and compiler, such as "U.S. Census
	// Bureau goods, Census basis".
	Basis      string
	ReportedBy string // country code of the economy whose statistics these are
	// VintageRule says which release is kept when several give a figure
	// for the same year ("latest revision found").
	VintageRule string
	// Official is true when the basis is an official statistic; such a
	// series may hold only official, preliminary and gap values.
	Official    bool
	Description string
}

// Observation is one value of a series for one year. A year without a
// published figure is a gap: either absent, or a row with Status gap, no
// value (Value is NaN) and a note saying why. It is never zero.
type Observation struct {
	Series string
	Year   int
	Value  float64 // NaN for a gap
	// Status is one of Statuses; empty reads as StatusOfficial.
	Status string
	Source string // Source.ID; may be empty for a gap
	Note   string
}

// The statuses of an observation.
const (
	StatusOfficial    = "official"    // an official published figure
	StatusPreliminary = "preliminary" // official but subject to revision
	StatusEstimate    = "estimate"    // estimated by someone, not published as a statistic
	StatusCommercial  = "commercial"  // from a commercial data vendor
	StatusGap         = "gap"         // no published figure; the note says why
)

// Statuses are the statuses an observation may have, in the order the
// workbook offers them.
var Statuses = []string{StatusOfficial, StatusPreliminary, StatusEstimate, StatusCommercial, StatusGap}

// State returns the observation's status, official when none is given.
func (o Observation) State() string {
	if o.Status == "" {
		return StatusOfficial
	}
	return o.Status
}

// IsGap reports whether the observation records a year with no figure.
func (o Observation) IsGap() bool { return o.Status == StatusGap || math.IsNaN(o.Value) }

// IsOfficial reports whether the value is an official figure, final or
// preliminary; estimates and commercial figures are not.
func (o Observation) IsOfficial() bool {
	s := o.State()
	return s == StatusOfficial || s == StatusPreliminary
}

// statusRank orders statuses from the most to the least firm; a figure
// computed from several values has the least firm of their statuses.
func statusRank(s string) int {
	switch s {
	case StatusOfficial, "":
		return 0
	case StatusPreliminary:
		return 1
	case StatusEstimate:
		return 2
	case StatusCommercial:
		return 3
	}
	return 4
}

// WeakerStatus returns the less firm of two statuses: what a figure
// computed from values with these statuses is.
func WeakerStatus(a, b string) string {
	if statusRank(b) > statusRank(a) {
		return b
	}
	if a == "" {
		return StatusOfficial
	}
	return a
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

// Points returns the values of one series as year/value points in year
// order. Gap rows are left out: a gap has no value to compute with.
func (d *Dataset) Points(series string) []Point {
	var out []Point
	for _, o := range d.ObservationsOf(series) {
		if !o.IsGap() {
			out = append(out, Point{Year: o.Year, Value: o.Value})
		}
	}
	return out
}

// Latest returns the most recent observation of a series that has a value;
// gap rows after it are passed over.
func (d *Dataset) Latest(series string) (Observation, bool) {
	obs := d.ObservationsOf(series)
	for i := len(obs) - 1; i >= 0; i-- {
		if !obs[i].IsGap() {
			return obs[i], true
		}
	}
	return Observation{}, false
}
