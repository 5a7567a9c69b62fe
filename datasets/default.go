// Package datasets is where data comes from and goes: the embedded default
// dataset, and (in subpackages) the workbook format and the version store.
package datasets

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/stats"
)

// The default dataset's single source of truth: CSV files with the same
// columns as the workbook's sheets (package schema), reviewable line by
// line in a diff.
//
//go:embed default/*.csv
var defaultFS embed.FS

// Default returns the embedded default dataset. It fails only if the
// embedded files are malformed, which the package's tests rule out.
//
// Each sheet of the workbook schema has one CSV file (schema.Sheet.CSVFile)
// with the sheet's columns, every one of them present; values are written
// plainly (numbers with a dot, dates as yyyy-mm-dd, yes or no).
func Default() (*stats.Dataset, error) {
	dir, err := fs.Sub(defaultFS, "default")
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	return loadCSV(dir)
}

// LoadCSV reads a dataset from the CSV files of every sheet in dir (one
// file per sheet, as the default dataset has them) and validates it.
func LoadCSV(dir fs.FS) (*stats.Dataset, error) { return loadCSV(dir) }

// loadCSV reads a dataset from the CSV files of every sheet in dir and
// validates it.
func loadCSV(dir fs.FS) (*stats.Dataset, error) {
	d := &stats.Dataset{}
	for _, sh := range schema.Sheets {
		if err := readCSV(dir, d, sh); err != nil {
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

// readCSV reads the CSV file of one sheet into d.
func readCSV(dir fs.FS, d *stats.Dataset, sh *schema.Sheet) error {
	file := sh.CSVFile()
	f, err := dir.Open(file)
	if err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = len(sh.Columns)
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("datasets: default/%s: header: %w", file, err)
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[h] = i
	}
	for _, c := range sh.Columns {
		if _, ok := idx[c.Header]; !ok {
			return fmt.Errorf("datasets: default/%s: missing column %q", file, c.Header)
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
		r := record{file: file, line: line, idx: idx, vals: vals}
		if sh.IsFieldSheet() {
			err = fieldRow(d, sh, r)
		} else {
			rec := sh.Append(d)
			for i := range sh.Columns {
				c := &sh.Columns[i]
				if c.BlankIsGap && r.s(c.Header) == "" {
					*c.Field(rec).(*float64) = math.NaN() // a gap; Validate checks its status
					continue
				}
				if err = r.read(c.Header, c.Kind, c.Required, c.Choices, c.Field(rec)); err != nil {
					break
				}
			}
		}
		if err != nil {
			return err
		}
	}
}

// fieldRow reads one row of a field sheet (Metadata): the field's name in
// the first column, its value in the second.
func fieldRow(d *stats.Dataset, sh *schema.Sheet, r record) error {
	nameCol, valueCol := sh.Columns[0].Header, sh.Columns[1].Header
	k := sh.Field(r.s(nameCol))
	if k < 0 {
		return r.errf(nameCol, "unknown %s field %q", sh.Name, r.s(nameCol))
	}
	f := &sh.Fields[k]
	return r.read(valueCol, f.Kind, !f.Optional, nil, f.Value(sh.Record(d)))
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

// read parses the value of column col as kind k into the field p points
// to (of the type schema.Kind documents). A blank optional value leaves the
// field zero; a blank required number, year, date or yes/no is an error.
func (r record) read(col string, k schema.Kind, required bool, choices []string, p any) error {
	v := r.s(col)
	if v == "" && k != schema.Text && k != schema.PartialDate && (k != schema.Choice || !required) {
		if required && k != schema.Choice {
			return r.errf(col, "the %s is missing", k)
		}
		return nil
	}
	var err error
	switch p := p.(type) {
	case *string:
		if k == schema.Choice && !slices.Contains(choices, v) {
			return r.errf(col, "want one of %s, found %q", strings.Join(choices, ", "), v)
		}
		*p = v
	case *float64:
		if *p, err = strconv.ParseFloat(v, 64); err != nil {
			return r.errf(col, "not a number: %q", v)
		}
	case *int:
		if *p, err = strconv.Atoi(v); err != nil {
			return r.errf(col, "not a whole number: %q", v)
		}
	case *time.Time:
		if *p, err = time.Parse(time.DateOnly, v); err != nil {
			return r.errf(col, "want a date as YYYY-MM-DD, found %q", v)
		}
	case *bool:
		switch strings.ToLower(v) {
		case "yes":
			*p = true
		case "no":
			*p = false
		default:
			return r.errf(col, "want yes or no, found %q", v)
		}
	default:
		return r.errf(col, "the schema gives a field of type %T, which the loader cannot fill", p)
	}
	return nil
}
