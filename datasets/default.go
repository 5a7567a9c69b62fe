// Package datasets is where data comes from and goes: the embedded default
// dataset, and (in subpackages) the workbook format and the version store.
package datasets

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bilateral/bilateral/stats"
)

// The default dataset's single source of truth: CSV files with the same
// columns as the workbook's sheets, reviewable line by line in a diff.
//
//go:embed default/*.csv
var defaultFS embed.FS

// Default returns the embedded default dataset. It fails only if the
// embedded files are malformed, which the package's tests rule out.
func Default() (*stats.Dataset, error) {
	d := &stats.Dataset{}
	steps := []struct {
		file string
		cols []string
		row  func(r record) error
	}{
		{"metadata.csv", []string{"Field", "Value"}, func(r record) error { return metaRow(&d.Meta, r) }},
		{"sources.csv", []string{"ID", "Organisation", "Title", "Published", "URL", "Note"}, func(r record) error {
			pub, err := r.date("Published")
			d.Sources = append(d.Sources, stats.Source{ID: r.s("ID"), Organisation: r.s("Organisation"), Title: r.s("Title"), Published: pub, URL: r.s("URL"), Note: r.s("Note")})
			return err
		}},
		{"series.csv", []string{"ID", "Name", "Unit", "Basis", "Reported by", "Description"}, func(r record) error {
			d.Series = append(d.Series, stats.Series{ID: r.s("ID"), Name: r.s("Name"), Unit: r.s("Unit"), Basis: r.s("Basis"), ReportedBy: r.s("Reported by"), Description: r.s("Description")})
			return nil
		}},
		{"observations.csv", []string{"Series", "Year", "Value", "Source", "Note"}, func(r record) error {
			y, err1 := r.int("Year")
			v, err2 := r.float("Value")
			d.Observations = append(d.Observations, stats.Observation{Series: r.s("Series"), Year: y, Value: v, Source: r.s("Source"), Note: r.s("Note")})
			return firstErr(err1, err2)
		}},
		{"projects.csv", []string{"Company", "Amount (USD million)", "City", "State", "Year announced", "Sector", "Jobs", "In state totals", "Source", "Note"}, func(r record) error {
			a, err1 := r.float("Amount (USD million)")
			y, err2 := r.optInt("Year announced")
			c, err3 := r.yesNo("In state totals")
			d.Projects = append(d.Projects, stats.Project{Company: r.s("Company"), AmountUSDm: a, City: r.s("City"), State: r.s("State"), Year: y, Sector: r.s("Sector"), Jobs: r.s("Jobs"), Counted: c, Source: r.s("Source"), Note: r.s("Note")})
			return firstErr(err1, err2, err3)
		}},
		{"facts.csv", []string{"Key", "Label", "Value", "Qualifier", "Unit", "Year", "Source", "Note"}, func(r record) error {
			v, err1 := r.float("Value")
			y, err2 := r.int("Year")
			d.Facts = append(d.Facts, stats.Fact{Key: r.s("Key"), Label: r.s("Label"), Value: v, Qualifier: r.s("Qualifier"), Unit: r.s("Unit"), Year: y, Source: r.s("Source"), Note: r.s("Note")})
			return firstErr(err1, err2)
		}},
	}
	for _, st := range steps {
		if err := readCSV(st.file, st.cols, st.row); err != nil {
			return nil, err
		}
	}
	d.StripBidiControls()
	if ps := d.Validate(); len(ps) > 0 {
		return nil, fmt.Errorf("datasets: default dataset is invalid: %v", ps[0])
	}
	return d, nil
}

// MustDefault is Default for tests and start-up code that cannot go on
// without the embedded dataset.
func MustDefault() *stats.Dataset {
	d, err := Default()
	if err != nil {
		panic(err)
	}
	return d
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// record is one CSV row addressed by header name.
type record struct {
	file string
	line int
	idx  map[string]int
	vals []string
}

func (r record) s(col string) string { return strings.TrimSpace(r.vals[r.idx[col]]) }

func (r record) errf(col, format string, args ...any) error {
	return fmt.Errorf("datasets: default/%s line %d column %q: %s", r.file, r.line, col, fmt.Sprintf(format, args...))
}

func (r record) int(col string) (int, error) {
	n, err := strconv.Atoi(r.s(col))
	if err != nil {
		return 0, r.errf(col, "not a whole number: %q", r.s(col))
	}
	return n, nil
}

func (r record) optInt(col string) (int, error) {
	if r.s(col) == "" {
		return 0, nil
	}
	return r.int(col)
}

func (r record) float(col string) (float64, error) {
	f, err := strconv.ParseFloat(r.s(col), 64)
	if err != nil {
		return 0, r.errf(col, "not a number: %q", r.s(col))
	}
	return f, nil
}

func (r record) yesNo(col string) (bool, error) {
	switch strings.ToLower(r.s(col)) {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, r.errf(col, "want yes or no, found %q", r.s(col))
}

func (r record) date(col string) (time.Time, error) {
	if r.s(col) == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, r.s(col))
	if err != nil {
		return time.Time{}, r.errf(col, "want a date as YYYY-MM-DD, found %q", r.s(col))
	}
	return t, nil
}

func readCSV(file string, cols []string, row func(record) error) error {
	f, err := defaultFS.Open("default/" + file)
	if err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = len(cols)
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("datasets: default/%s: header: %w", file, err)
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[h] = i
	}
	for _, c := range cols {
		if _, ok := idx[c]; !ok {
			return fmt.Errorf("datasets: default/%s: missing column %q", file, c)
		}
	}
	for {
		vals, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("datasets: default/%s: %w", file, err)
		}
		line, _ := cr.FieldPos(0)
		if err := row(record{file: file, line: line, idx: idx, vals: vals}); err != nil {
			return err
		}
	}
}

func metaRow(m *stats.Metadata, r record) error {
	v := r.s("Value")
	switch r.s("Field") {
	case "Title":
		m.Title = v
	case "Description":
		m.Description = v
	case "Reporter code":
		m.Reporter.Code = v
	case "Reporter name":
		m.Reporter.Name = v
	case "Partner code":
		m.Partner.Code = v
	case "Partner name":
		m.Partner.Name = v
	case "As of":
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return r.errf("Value", "want the date as YYYY-MM-DD, found %q", v)
		}
		m.AsOf = t
	default:
		return r.errf("Field", "unknown metadata field %q", r.s("Field"))
	}
	return nil
}
