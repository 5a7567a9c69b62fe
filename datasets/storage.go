package datasets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/bilateral/bilateral/stats"
)

// The storage format of a dataset: the JSON that a store keeps for every
// published version and pending upload. It is written with the structs
// below, never with the stats types, so that renaming or adding a field
// in the domain cannot silently change or drop stored data: the
// conversions stop compiling, or the round-trip test fails, until the
// format is updated on purpose (with a migration when stored bytes must
// change; see the README, "Storage and migrations").
//
// The keys are the Go field names that wave 1 stored (it encoded the
// stats structs, which have no json tags), so every stored version
// decodes unchanged. A new field gets its own key here; a renamed domain
// field keeps its old key.
//
// Fields added after wave 1 (issue 11: series metadata, observation
// status, partial publication dates, compilers) are written with
// omitzero, so a dataset that does not use them is stored byte for byte
// as before and a stored version without them reads them as zero: blank
// status (official), not official, no measure.

// storedDataset is the stored form of stats.Dataset.
type storedDataset struct {
	Meta         storedMetadata      `json:"Meta"`
	Sources      []storedSource      `json:"Sources"`
	Series       []storedSeries      `json:"Series"`
	Observations []storedObservation `json:"Observations"`
	Projects     []storedProject     `json:"Projects"`
	Facts        []storedFact        `json:"Facts"`
	// Charts, ChartSeries and Text were added with the definition sheets.
	// A stored dataset without the Charts key was stored before them and
	// is read with the built-in definitions it was shown with
	// (Wave1Definitions); every dataset stored since has the keys, null
	// when empty.
	Charts      []storedChart       `json:"Charts"`
	ChartSeries []storedChartSeries `json:"ChartSeries"`
	Text        []storedBlock       `json:"Text"`
}

// storedAxis is the stored form of stats.Axis.
type storedAxis struct {
	Name     string `json:"Name"`
	Unit     string `json:"Unit"`
	Min      string `json:"Min"`
	Max      string `json:"Max"`
	Inverted string `json:"Inverted"`
	Integer  string `json:"Integer"`
}

// storedChart is the stored form of stats.ChartDef.
type storedChart struct {
	ID       string     `json:"ID"`
	Section  string     `json:"Section"`
	Order    float64    `json:"Order"`
	Kind     string     `json:"Kind"`
	Title    string     `json:"Title"`
	Subtitle string     `json:"Subtitle"`
	FromYear int        `json:"FromYear"`
	ToYear   int        `json:"ToYear"`
	Summary  string     `json:"Summary"`
	Notes    string     `json:"Notes"`
	Alt      string     `json:"Alt"`
	Axis1    storedAxis `json:"Axis1"`
	Axis2    storedAxis `json:"Axis2"`
	Geometry string     `json:"Geometry"`
}

// storedChartSeries is the stored form of stats.ChartSeries.
type storedChartSeries struct {
	Chart    string `json:"Chart"`
	Series   string `json:"Series"`
	Computed string `json:"Computed"`
	Role     string `json:"Role"`
	Axis     string `json:"Axis"`
	Colour   string `json:"Colour"`
	Label    string `json:"Label"`
}

// storedBlock is the stored form of stats.Block.
type storedBlock struct {
	Section string  `json:"Section"`
	Order   float64 `json:"Order"`
	Heading string  `json:"Heading"`
	Menu    string  `json:"Menu"`
	Body    string  `json:"Body"`
	Chart   string  `json:"Chart"`
}

// storedCountry is the stored form of stats.Country.
type storedCountry struct {
	Code string `json:"Code"`
	Name string `json:"Name"`
}

// storedMetadata is the stored form of stats.Metadata.
type storedMetadata struct {
	Title       string        `json:"Title"`
	Description string        `json:"Description"`
	Reporter    storedCountry `json:"Reporter"`
	Partner     storedCountry `json:"Partner"`
	AsOf        time.Time     `json:"AsOf"`
}

// storedSource is the stored form of stats.Source.
type storedSource struct {
	ID           string `json:"ID"`
	Organisation string `json:"Organisation"`
	Title        string `json:"Title"`
	// Published holds a full publication date; a date the source gives
	// only to the month or year, or n.d., is in PublishedText instead.
	Published     time.Time `json:"Published"`
	PublishedText string    `json:"PublishedText,omitzero"`
	CompiledBy    string    `json:"CompiledBy,omitzero"`
	URL           string    `json:"URL"`
	Note          string    `json:"Note"`
}

// storedSeries is the stored form of stats.Series.
type storedSeries struct {
	ID          string `json:"ID"`
	Name        string `json:"Name"`
	Unit        string `json:"Unit"`
	Basis       string `json:"Basis"`
	ReportedBy  string `json:"ReportedBy"`
	Description string `json:"Description"`
	Measure     string `json:"Measure,omitzero"`
	VintageRule string `json:"VintageRule,omitzero"`
	Official    bool   `json:"Official,omitzero"`
}

// storedObservation is the stored form of stats.Observation.
// A gap (Status "gap") has no value; JSON cannot hold NaN, so it is
// stored as 0 and read back as NaN.
type storedObservation struct {
	Series string  `json:"Series"`
	Year   int     `json:"Year"`
	Value  float64 `json:"Value"`
	Status string  `json:"Status,omitzero"`
	Source string  `json:"Source"`
	Note   string  `json:"Note"`
}

// storedProject is the stored form of stats.Project.
type storedProject struct {
	Company    string  `json:"Company"`
	AmountUSDm float64 `json:"AmountUSDm"`
	City       string  `json:"City"`
	State      string  `json:"State"`
	Year       int     `json:"Year"`
	Sector     string  `json:"Sector"`
	Jobs       string  `json:"Jobs"`
	Counted    bool    `json:"Counted"`
	Source     string  `json:"Source"`
	Note       string  `json:"Note"`
}

// storedFact is the stored form of stats.Fact.
type storedFact struct {
	Key       string  `json:"Key"`
	Label     string  `json:"Label"`
	Value     float64 `json:"Value"`
	Qualifier string  `json:"Qualifier"`
	Unit      string  `json:"Unit"`
	Year      int     `json:"Year"`
	Source    string  `json:"Source"`
	Note      string  `json:"Note"`
}

// MarshalStorage encodes a dataset in the storage format.
func MarshalStorage(d *stats.Dataset) ([]byte, error) {
	if d == nil {
		return nil, fmt.Errorf("datasets: storing a dataset: no dataset")
	}
	b, err := json.Marshal(toStored(d))
	if err != nil {
		return nil, fmt.Errorf("datasets: storing a dataset: %w", err)
	}
	return b, nil
}

// UnmarshalStorage decodes a dataset from the storage format. A key the
// format does not know is an error rather than data silently dropped.
func UnmarshalStorage(b []byte) (*stats.Dataset, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s storedDataset
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("datasets: reading a stored dataset: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("datasets: reading a stored dataset: data after the dataset")
	}
	d := fromStored(&s)
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return nil, fmt.Errorf("datasets: reading a stored dataset: %w", err)
	}
	if _, ok := keys["Charts"]; !ok {
		d.Charts, d.ChartSeries, d.Text = Wave1Definitions()
	}
	return d, nil
}

// convert maps a slice element by element, keeping nil as nil so that a
// dataset round-trips exactly.
func convert[S, D any](in []S, f func(S) D) []D {
	if in == nil {
		return nil
	}
	out := make([]D, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// toStored converts a dataset to its stored form.
func toStored(d *stats.Dataset) *storedDataset {
	return &storedDataset{
		Meta: storedMetadata{
			Title:       d.Meta.Title,
			Description: d.Meta.Description,
			Reporter:    storedCountry(d.Meta.Reporter),
			Partner:     storedCountry(d.Meta.Partner),
			AsOf:        d.Meta.AsOf,
		},
		Sources: convert(d.Sources, func(s stats.Source) storedSource {
			ss := storedSource{ID: s.ID, Organisation: s.Organisation, Title: s.Title, CompiledBy: s.CompiledBy, URL: s.URL, Note: s.Note}
			if t, p, ok := stats.ParsePublished(s.Published); ok && p == stats.FullDate && t.Format(time.DateOnly) == s.Published {
				ss.Published = t
			} else {
				ss.PublishedText = s.Published
			}
			return ss
		}),
		Series: convert(d.Series, func(s stats.Series) storedSeries {
			return storedSeries{ID: s.ID, Name: s.Name, Unit: s.Unit, Basis: s.Basis, ReportedBy: s.ReportedBy, Description: s.Description,
				Measure: s.Measure, VintageRule: s.VintageRule, Official: s.Official}
		}),
		Observations: convert(d.Observations, func(o stats.Observation) storedObservation {
			v := o.Value
			if math.IsNaN(v) {
				v = 0
			}
			return storedObservation{Series: o.Series, Year: o.Year, Value: v, Status: o.Status, Source: o.Source, Note: o.Note}
		}),
		Projects: convert(d.Projects, func(p stats.Project) storedProject {
			return storedProject{Company: p.Company, AmountUSDm: p.AmountUSDm, City: p.City, State: p.State, Year: p.Year,
				Sector: p.Sector, Jobs: p.Jobs, Counted: p.Counted, Source: p.Source, Note: p.Note}
		}),
		Facts: convert(d.Facts, func(f stats.Fact) storedFact {
			return storedFact{Key: f.Key, Label: f.Label, Value: f.Value, Qualifier: f.Qualifier, Unit: f.Unit, Year: f.Year, Source: f.Source, Note: f.Note}
		}),
		Charts: convert(d.Charts, func(c stats.ChartDef) storedChart {
			return storedChart{ID: c.ID, Section: c.Section, Order: c.Order, Kind: c.Kind, Title: c.Title, Subtitle: c.Subtitle,
				FromYear: c.FromYear, ToYear: c.ToYear, Summary: c.Summary, Notes: c.Notes, Alt: c.Alt,
				Axis1: storedAxis(c.Axis1), Axis2: storedAxis(c.Axis2), Geometry: c.Geometry}
		}),
		ChartSeries: convert(d.ChartSeries, func(c stats.ChartSeries) storedChartSeries { return storedChartSeries(c) }),
		Text:        convert(d.Text, func(b stats.Block) storedBlock { return storedBlock(b) }),
	}
}

// fromStored converts a stored dataset to the domain.
func fromStored(s *storedDataset) *stats.Dataset {
	return &stats.Dataset{
		Meta: stats.Metadata{
			Title:       s.Meta.Title,
			Description: s.Meta.Description,
			Reporter:    stats.Country(s.Meta.Reporter),
			Partner:     stats.Country(s.Meta.Partner),
			AsOf:        s.Meta.AsOf,
		},
		Sources: convert(s.Sources, func(s storedSource) stats.Source {
			pub := s.PublishedText
			if !s.Published.IsZero() {
				pub = s.Published.Format(time.DateOnly)
			}
			return stats.Source{ID: s.ID, Organisation: s.Organisation, Title: s.Title, Published: pub, CompiledBy: s.CompiledBy, URL: s.URL, Note: s.Note}
		}),
		Series: convert(s.Series, func(s storedSeries) stats.Series {
			return stats.Series{ID: s.ID, Name: s.Name, Unit: s.Unit, Basis: s.Basis, ReportedBy: s.ReportedBy, Description: s.Description,
				Measure: s.Measure, VintageRule: s.VintageRule, Official: s.Official}
		}),
		Observations: convert(s.Observations, func(o storedObservation) stats.Observation {
			v := o.Value
			if o.Status == stats.StatusGap {
				v = math.NaN()
			}
			return stats.Observation{Series: o.Series, Year: o.Year, Value: v, Status: o.Status, Source: o.Source, Note: o.Note}
		}),
		Projects: convert(s.Projects, func(p storedProject) stats.Project {
			return stats.Project{Company: p.Company, AmountUSDm: p.AmountUSDm, City: p.City, State: p.State, Year: p.Year,
				Sector: p.Sector, Jobs: p.Jobs, Counted: p.Counted, Source: p.Source, Note: p.Note}
		}),
		Facts: convert(s.Facts, func(f storedFact) stats.Fact {
			return stats.Fact{Key: f.Key, Label: f.Label, Value: f.Value, Qualifier: f.Qualifier, Unit: f.Unit, Year: f.Year, Source: f.Source, Note: f.Note}
		}),
		Charts: convert(s.Charts, func(c storedChart) stats.ChartDef {
			return stats.ChartDef{ID: c.ID, Section: c.Section, Order: c.Order, Kind: c.Kind, Title: c.Title, Subtitle: c.Subtitle,
				FromYear: c.FromYear, ToYear: c.ToYear, Summary: c.Summary, Notes: c.Notes, Alt: c.Alt,
				Axis1: stats.Axis(c.Axis1), Axis2: stats.Axis(c.Axis2), Geometry: c.Geometry}
		}),
		ChartSeries: convert(s.ChartSeries, func(c storedChartSeries) stats.ChartSeries { return stats.ChartSeries(c) }),
		Text:        convert(s.Text, func(b storedBlock) stats.Block { return stats.Block(b) }),
	}
}
