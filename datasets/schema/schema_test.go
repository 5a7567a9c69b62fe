package schema_test

import (
	"flag"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/stats"
)

var update = flag.Bool("update", false, "rewrite the README's workbook table from the schema")

// kindOf returns the kind a field pointer's type allows, Text standing for
// Text and Choice alike.
func kindOf(p any) (schema.Kind, bool) {
	switch p.(type) {
	case *string:
		return schema.Text, true
	case *float64:
		return schema.Number, true
	case *int:
		return schema.Year, true
	case *time.Time:
		return schema.Date, true
	case *bool:
		return schema.YesNo, true
	}
	return 0, false
}

// sameType reports whether a column of kind k may have a field of the
// pointer type p.
func sameType(k schema.Kind, p any) bool {
	got, ok := kindOf(p)
	if k == schema.Choice || k == schema.PartialDate {
		k = schema.Text
	}
	return ok && got == k
}

// TestTable checks the table's own consistency: what its users rely on
// without checking.
func TestTable(t *testing.T) {
	d := &stats.Dataset{}
	names := map[string]bool{}
	for _, s := range schema.Sheets {
		if names[s.Name] {
			t.Errorf("sheet %s appears twice", s.Name)
		}
		names[s.Name] = true
		if s.Noun == "" || s.About == "" {
			t.Errorf("sheet %s: Noun and About must be set", s.Name)
		}
		headers := map[string]bool{}
		for _, c := range s.Columns {
			if headers[strings.ToLower(c.Header)] {
				t.Errorf("%s: column %q appears twice", s.Name, c.Header)
			}
			headers[strings.ToLower(c.Header)] = true
			if c.Width <= 0 || c.Meaning == "" || c.Allowed == "" {
				t.Errorf("%s/%s: Width, Meaning and Allowed must be set", s.Name, c.Header)
			}
			if c.Required && c.Omittable {
				t.Errorf("%s/%s: a required column cannot be omittable", s.Name, c.Header)
			}
			if (c.Kind == schema.Choice) != (len(c.Choices) > 0) {
				t.Errorf("%s/%s: Choices go with kind Choice and only with it", s.Name, c.Header)
			}
			if c.Ref != "" {
				switch r := schema.Lookup(c.Ref); {
				case r == nil:
					t.Errorf("%s/%s: Ref %q is no sheet", s.Name, c.Header, c.Ref)
				case !r.IsFieldSheet() && r.Columns[0].Kind != schema.Text:
					t.Errorf("%s/%s: Ref %q: the referenced sheet's first column must hold text IDs", s.Name, c.Header, c.Ref)
				}
			}
		}
		if s.IsFieldSheet() {
			if len(s.Columns) != 2 {
				t.Errorf("field sheet %s has %d columns, want 2 (name, value)", s.Name, len(s.Columns))
			}
			rec := s.Record(d)
			for _, f := range s.Fields {
				if p := f.Value(rec); !sameType(f.Kind, p) {
					t.Errorf("%s field %s: kind %v but a field of type %T", s.Name, f.Name, f.Kind, p)
				}
			}
			continue
		}
		rec := s.Append(d)
		for _, c := range s.Columns {
			if p := c.Field(rec); !sameType(c.Kind, p) {
				t.Errorf("%s/%s: kind %v but a field of type %T", s.Name, c.Header, c.Kind, p)
			}
		}
		if s.Len(d) != 1 || s.Row(d, 0) != rec {
			t.Errorf("%s: Append, Len and Row disagree", s.Name)
		}
	}
	for _, table := range []string{stats.TableMetadata, stats.TableSources, stats.TableSeries, stats.TableObservations, stats.TableProjects, stats.TableFacts} {
		if schema.Lookup(table) == nil {
			t.Errorf("stats table %s has no sheet", table)
		}
	}
}

// locate checks that a stats table and field name point at a sheet and a
// column (or a field of a field sheet) of the schema: package stats names
// them in its problems and changes, and the workbook layer turns those
// names into cells.
func locate(t *testing.T, what, table, field string) {
	t.Helper()
	s := schema.Lookup(table)
	switch {
	case s == nil:
		t.Errorf("%s names table %q, which is no sheet", what, table)
	case s.Column(field) < 0 && s.Field(field) < 0:
		t.Errorf("%s names %s column %q, which the sheet does not have", what, table, field)
	}
}

// TestStatsNamesColumns spoils every column of the default dataset in turn
// and checks that Validate and Diff name only columns the schema has.
func TestStatsNamesColumns(t *testing.T) {
	spoil := func(p any, k schema.Kind) {
		switch p := p.(type) {
		case *string:
			*p = "not an id!"
			if k == schema.Choice {
				*p = "nonsense"
			}
		case *float64:
			*p = math.NaN()
		case *int:
			*p = 20200
		case *time.Time:
			*p = time.Time{}
		case *bool:
			*p = !*p
		}
	}
	check := func(name string, d *stats.Dataset) {
		for _, p := range d.Validate() {
			locate(t, "Validate after spoiling "+name, p.Table, p.Field)
		}
		for _, c := range stats.Diff(datasets.MustDefault(), d) {
			if c.Field != "" {
				locate(t, "Diff after spoiling "+name, c.Table, c.Field)
			}
			if s := schema.Lookup(c.Table); s != nil && s.IsFieldSheet() {
				locate(t, "Diff after spoiling "+name, c.Table, c.Key)
			}
		}
	}
	for _, s := range schema.Sheets {
		if s.IsFieldSheet() {
			for _, f := range s.Fields {
				d := datasets.MustDefault()
				spoil(f.Value(s.Record(d)), f.Kind)
				check(s.Name+"/"+f.Name, d)
			}
			continue
		}
		for _, c := range s.Columns {
			d := datasets.MustDefault()
			spoil(c.Field(s.Row(d, 0)), c.Kind)
			check(s.Name+"/"+c.Header, d)
		}
	}
}

// TestIntro checks the sentence generated from the columns' references.
func TestIntro(t *testing.T) {
	want := "IDs tie the sheets together: every value on Observations, Projects and Facts names a source from the Sources sheet, and every value on Observations names a series from the Series sheet, and every value on Chart series and Text names a chart from the Charts sheet. The drop-down lists offer the IDs that exist."
	for _, p := range schema.Intro() {
		if p == want {
			return
		}
	}
	t.Errorf("Intro() = %q, want a paragraph %q", schema.Intro(), want)
}

// TestReadme keeps the README's workbook table equal to the schema; run
// with -update to rewrite it.
func TestReadme(t *testing.T) {
	const path = "../../README.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	begin := strings.Index(readme, schema.ReadmeBegin)
	end := strings.Index(readme, schema.ReadmeEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README.md has no workbook table between %q and %q", schema.ReadmeBegin, schema.ReadmeEnd)
	}
	got := readme[begin+len(schema.ReadmeBegin) : end]
	want := schema.Markdown()
	if got == want {
		return
	}
	if *update {
		readme = readme[:begin+len(schema.ReadmeBegin)] + want + readme[end:]
		if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's workbook table differs from the schema; run go test ./datasets/schema -update\ngot:\n%s\nwant:\n%s", got, want)
}

func TestWarningString(t *testing.T) {
	for _, tc := range []struct {
		in   schema.Warning
		want string
	}{
		{schema.Warning{Sheet: "Observations", Cell: "F1", Code: schema.WarnUnknownColumn, Message: "ignored"}, "Observations!F1: warning: ignored"},
		{schema.Warning{Sheet: "Notes", Code: schema.WarnUnknownSheet, Message: "ignored"}, "Notes: warning: ignored"},
		{schema.Warning{Message: "odd"}, "warning: odd"},
	} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}
