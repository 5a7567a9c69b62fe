package stats

import (
	"reflect"
	"strings"
)

// isBidiControl reports whether r is a directional embedding, override or
// isolate control (U+202A–U+202E, U+2066–U+2069). One such character in a
// source name reverses the rest of its line wherever it is shown — the page,
// a chart caption, a tooltip, a CSV opened in a spreadsheet — so that text
// no longer reads as what it is. Data never needs them.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// StripBidi returns s without directional controls.
func StripBidi(s string) string {
	if strings.IndexFunc(s, isBidiControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, s)
}

// StripBidiControls removes directional controls from every text field of
// the dataset and returns how many fields it changed. Decoders call it, so
// no surface (page, image, download) ever receives them.
func (d *Dataset) StripBidiControls() int {
	return stripStrings(reflect.ValueOf(d).Elem())
}

// stripStrings walks v's strings, slices and structs.
func stripStrings(v reflect.Value) int {
	n := 0
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); v.CanSet() {
			if t := StripBidi(s); t != s {
				v.SetString(t)
				n++
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			n += stripStrings(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			n += stripStrings(v.Index(i))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			n += stripStrings(v.Elem())
		}
	}
	return n
}
