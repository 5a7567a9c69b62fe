// Package xlsx reads and writes a whole dataset as one Excel workbook, so
// that an analyst can download the data, edit it in Excel or LibreOffice and
// upload it again. It is the only package of bilateral that imports
// excelize: everything the rest of the program knows about spreadsheets is
// Decode, Encode and the located Issues that Decode reports.
//
// Uploaded workbooks are untrusted. Decode tells what a file is from its
// content, never its name; checks the zip package before excelize opens it
// (sizes declared and real, compression ratio, entry names and count, XML
// document type declarations, macros, encryption); gives excelize a
// temporary directory of its own for each upload; streams every sheet row
// by row within explicit limits, checking that it was read completely;
// never panics outward; and reports every problem it finds with the sheet
// and cell to fix, in words an analyst understands. The package xlsxtest
// holds a corpus of hostile files for the tests of every layer.
package xlsx

import (
	"fmt"
	"strings"
)

// Limits bounds the work Decode does on one upload. They are product limits,
// set explicitly because excelize's own defaults (about 16 GB unpacked) are
// far beyond anything a dataset of bilateral statistics needs.
type Limits struct {
	// MaxRows is the highest worksheet row, header included, that may hold
	// data on any one sheet.
	MaxRows int
	// MaxCols is the number of columns, from A, that may hold data.
	MaxCols int
	// UnzipSizeLimit is the largest total size of the workbook's parts once
	// unpacked; a larger workbook is refused before it is parsed.
	UnzipSizeLimit int64
	// UnzipXMLSizeLimit is the largest worksheet or shared-string part kept
	// in memory; larger parts are spilled by excelize to temporary files.
	// It must not exceed UnzipSizeLimit.
	UnzipXMLSizeLimit int64
	// MaxEntries is the largest number of entries (parts and folders) the
	// zip package may hold. A workbook has a few dozen; the cap is checked
	// before the zip directory is parsed, since parsing costs memory for
	// every entry.
	MaxEntries int
	// MaxSharedStrings is the largest number of distinct texts the
	// workbook's shared-string table may hold. excelize keeps the whole
	// table in memory at a few hundred bytes per text, so the table's size
	// on disk says little about the memory it takes.
	MaxSharedStrings int
}

// DefaultLimits returns the limits used for uploads: room for far more rows
// than any bilateral dataset has, and a small multiple of the largest
// realistic workbook.
func DefaultLimits() Limits {
	return Limits{
		MaxRows:           200000,
		MaxCols:           64,
		UnzipSizeLimit:    256 << 20,
		UnzipXMLSizeLimit: 64 << 20,
		MaxEntries:        10000,
		// 2.5 texts per row of the largest sheet allowed: more than a
		// sheet with a unique note on every row needs, and about 125 MB
		// of excelize's memory at most.
		MaxSharedStrings: 500000,
	}
}

// withDefaults fills unset limits, so that the zero Limits means "the
// defaults" rather than "nothing is allowed".
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxCols <= 0 {
		l.MaxCols = d.MaxCols
	}
	if l.UnzipSizeLimit <= 0 {
		l.UnzipSizeLimit = d.UnzipSizeLimit
	}
	if l.UnzipXMLSizeLimit <= 0 {
		l.UnzipXMLSizeLimit = d.UnzipXMLSizeLimit
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxSharedStrings <= 0 {
		l.MaxSharedStrings = d.MaxSharedStrings
	}
	// excelize refuses to open anything when the XML limit exceeds the
	// total; clamping keeps a caller's typo from rejecting every upload.
	l.UnzipXMLSizeLimit = min(l.UnzipXMLSizeLimit, l.UnzipSizeLimit)
	return l
}

// Issue is one problem with an uploaded workbook, located so that the
// analyst can go straight to it.
type Issue struct {
	// Sheet is the worksheet name, such as "Observations"; empty when the
	// problem concerns the file as a whole.
	Sheet string
	// Cell is the cell reference, such as "C12"; empty when the problem
	// concerns the whole sheet (a missing column, a damaged sheet).
	Cell string
	// Value is the offending value as text, empty when there is none.
	Value string
	// Message says what is wrong and how to fix it.
	Message string
}

// String formats the issue as Sheet!Cell: message (found "value"), the way
// spreadsheet users write cell references.
func (i Issue) String() string {
	var b strings.Builder
	switch {
	case i.Sheet != "" && i.Cell != "":
		b.WriteString(i.Sheet + "!" + i.Cell + ": ")
	case i.Sheet != "":
		b.WriteString(i.Sheet + ": ")
	case i.Cell != "":
		b.WriteString(i.Cell + ": ")
	}
	b.WriteString(i.Message)
	if i.Value != "" {
		fmt.Fprintf(&b, " (found %q)", i.Value)
	}
	return b.String()
}

// Error is returned by Decode when a workbook cannot be accepted. It holds
// every problem found in every sheet, not only the first, so that the
// analyst can fix them all before uploading again.
type Error struct {
	Issues []Issue
	// cause is the internal failure behind a crash that Decode turned into
	// an issue, for the server's log; the analyst sees only the issue.
	cause error
}

// Unwrap returns the internal failure (a recovered panic) when Decode
// crashed on the file and reported it as an issue, and nil otherwise. The
// web layer may log it; it is not for the analyst's eyes.
func (e *Error) Unwrap() error {
	return e.cause
}

// Error summarises the issues on one line; callers that show them to a
// person should list e.Issues instead.
func (e *Error) Error() string {
	const shown = 3
	switch n := len(e.Issues); {
	case n == 0:
		return "xlsx: the workbook is not valid"
	case n == 1:
		return "xlsx: " + e.Issues[0].String()
	default:
		parts := make([]string, 0, shown)
		for _, i := range e.Issues[:min(n, shown)] {
			parts = append(parts, i.String())
		}
		s := fmt.Sprintf("xlsx: %d problems: %s", n, strings.Join(parts, "; "))
		if n > shown {
			s += fmt.Sprintf("; and %d more", n-shown)
		}
		return s
	}
}

// CountFormulas returns how many cells of the workbook's worksheets hold
// a formula with a saved value, without decoding the data: for versions
// stored before uploads were counted when checked. A file that cannot be
// read as a workbook counts as an error.
func CountFormulas(data []byte) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("xlsx: counting formulas: %v", r)
		}
	}()
	p, iss := openPackage(data, DefaultLimits())
	if iss != nil {
		return 0, fmt.Errorf("xlsx: counting formulas: %s", iss.Message)
	}
	for _, part := range p.parts {
		scan := scanSheet(p, part)
		n += len(scan.formulas) + scan.formulasDropped
	}
	return n, nil
}
