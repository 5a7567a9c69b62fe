package xlsx

import (
	"strings"
	"unicode"

	"github.com/bilateral/bilateral/datasets/schema"
)

// The workbook format is described once, as data, in package schema:
// Encode writes the headers, widths, number formats, validations and the
// README sheet from it, and Decode matches headers, decides what is
// required and fills the dataset from it, so the instructions an analyst
// reads can never drift from what the upload checks. This file holds what
// only the workbook adds: the README and Lists sheets, and the tolerant
// matching of names.

// Sheets that Encode writes besides the data sheets, and Decode ignores.
const (
	sheetREADME = "README"
	sheetLists  = "Lists"
)

// columnIndex returns the position of the column of s whose header
// matches h after normalisation, or -1.
func columnIndex(s *schema.Sheet, h string) int {
	if i := s.Column(h); i >= 0 {
		return i // the common case: the schema's own spelling
	}
	h = normalize(h)
	for i, c := range s.Columns {
		if normalize(c.Header) == h {
			return i
		}
	}
	return -1
}

// fieldIndex returns the position of the field of a field sheet named
// name after normalisation, or -1.
func fieldIndex(s *schema.Sheet, name string) int {
	name = normalize(name)
	for i, f := range s.Fields {
		if normalize(f.Name) == name {
			return i
		}
	}
	return -1
}

// isSpace reports whether r is white space for the purpose of matching
// names, including the non-breaking and zero-width spaces that text copied
// from web pages brings along.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// normalize folds a sheet name, header or field name for tolerant matching:
// case is ignored and runs of white space count as one space.
func normalize(s string) string {
	return strings.ToLower(strings.Join(strings.FieldsFunc(s, isSpace), " "))
}

// trim removes surrounding white space from a cell's text and keeps the
// inner text exactly.
func trim(s string) string {
	return strings.TrimFunc(s, isSpace)
}
