package schema

import (
	"fmt"
	"strings"
)

// Markdown returns the workbook's sheets and columns as a Markdown table,
// the README's description of the format. The README holds a copy between
// the markers ReadmeBegin and ReadmeEnd; a test keeps it equal to this.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| sheet | one row per | columns |\n| --- | --- | --- |\n")
	for _, s := range Sheets {
		row := s.Noun
		if s.IsFieldSheet() {
			fs := make([]string, len(s.Fields))
			for i, f := range s.Fields {
				fs[i] = describe(f.Name, f.Kind, !f.Optional, false, nil, "")
			}
			row += ": " + strings.Join(fs, ", ")
		}
		cs := make([]string, len(s.Columns))
		for i, c := range s.Columns {
			cs[i] = describe(c.Header, c.Kind, c.Required, c.Omittable, c.Choices, c.Ref)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.Name, row, strings.Join(cs, ", "))
	}
	b.WriteString("\nRequired columns and fields are in bold, columns that may be left out of a sheet in italics; " +
		"the type follows when it is not text, and → names the sheet whose IDs a column refers to.\n")
	return b.String()
}

// describe writes one column or field for Markdown: the name, bold when
// required and italic when it may be left out, then its type or reference.
func describe(name string, k Kind, required, omittable bool, choices []string, ref string) string {
	s := name
	switch {
	case required:
		s = "**" + s + "**"
	case omittable:
		s = "*" + s + "*"
	}
	var notes []string
	switch k {
	case Text:
	case Choice:
		notes = append(notes, "one of: "+strings.Join(choices, ", "))
	default:
		notes = append(notes, k.String())
	}
	if ref != "" {
		if t := Lookup(ref); t != nil && t.IsFieldSheet() {
			var keys []string
			for _, f := range t.Fields {
				if f.Key {
					keys = append(keys, f.Name)
				}
			}
			notes = append(notes, "→ "+ref+" "+strings.Join(keys, " or "))
		} else {
			notes = append(notes, "→ "+ref)
		}
	}
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, "; ") + ")"
	}
	return s
}

// The markers around the generated table in the README.
const (
	ReadmeBegin = "<!-- workbook schema: generated from datasets/schema; go test ./datasets/schema -update rewrites it -->\n"
	ReadmeEnd   = "<!-- end of workbook schema -->\n"
)
