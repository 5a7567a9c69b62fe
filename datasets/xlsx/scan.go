package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html/charset"
)

// This file reads the workbook's zip package directly, before and beside
// excelize, for what excelize's row iterator cannot tell: which cells hold a
// formula without a saved result or an error value, which cells are merged,
// and whether a sheet's XML is damaged. excelize's Rows iterator silently
// stops at an XML error, so without this scan a damaged sheet would decode
// as a shorter, valid-looking one.

// pkg is the zip package of an uploaded workbook.
type pkg struct {
	files    map[string]*zip.File // by normalised part name
	order    []string             // normalised part names in zip order
	parts    map[string]string    // sheet name (exact) -> normalised part name
	workbook string               // normalised name of the workbook part
}

// partName normalises a part name from the zip directory or a relationship
// target: forward slashes, no leading slash, lower case (OPC part names are
// case-insensitive).
func partName(name string) string {
	return strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(name, `\`, "/"), "/"))
}

// mb formats a byte limit for a message.
func mb(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// open opens a part for streaming, bounded by the declared size.
func (p *pkg) open(name string) (io.ReadCloser, error) {
	f, ok := p.files[partName(name)]
	if !ok {
		return nil, fmt.Errorf("part %s not found", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("part %s: %w", name, err)
	}
	return rc, nil
}

// newXMLDecoder returns a decoder that reads the character sets excelize
// reads, so that the two never disagree about whether a part is readable.
func newXMLDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset.NewReaderLabel
	return d
}

// rel is one relationship of a part.
type rel struct {
	id, typ, target string
}

// rels reads a relationships part; targets are resolved against base.
func (p *pkg) rels(name, base string) ([]rel, error) {
	rc, err := p.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []rel
	d := newXMLDecoder(rc)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		var r rel
		external := false
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			case "TargetMode":
				external = a.Value == "External"
			}
		}
		if external {
			continue
		}
		if strings.HasPrefix(r.target, "/") {
			r.target = partName(r.target)
		} else {
			r.target = partName(path.Join(base, r.target))
		}
		out = append(out, r)
	}
}

// sheetRef is one <sheet> of workbook.xml.
type sheetRef struct {
	name, rid string
}

// sheetList reads the sheet names and relationship ids from the workbook
// part. Every sheet has a part of its own, so a list longer than the
// package has parts is refused rather than held in memory.
func (p *pkg) sheetList(name string) ([]sheetRef, error) {
	rc, err := p.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []sheetRef
	d := newXMLDecoder(rc)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(out) > len(p.files) {
			return nil, fmt.Errorf("%s: more sheets than parts", name)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "sheet" {
			continue
		}
		var s sheetRef
		for _, a := range se.Attr {
			switch {
			case a.Name.Local == "name" && a.Name.Space == "":
				s.name = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				s.rid = a.Value
			}
		}
		out = append(out, s)
	}
}

// cellKey locates a cell by 1-based row and column.
type cellKey struct{ row, col int }

// cellFlag is what the scan found wrong with a cell that the row iterator
// cannot see.
type cellFlag struct {
	formula bool   // a formula with no saved result
	errText string // an error value such as #N/A, when the cell holds one
}

// area is a rectangle of cells, such as a merged range.
type area struct {
	ref                      string
	top, left, bottom, right int
}

func (a area) contains(row, col int) bool {
	return row >= a.top && row <= a.bottom && col >= a.left && col <= a.right
}

// maxScanned bounds how many flagged cells and merged ranges one sheet's
// scan keeps; beyond it the sheet gets one summary issue, and the issue list
// is capped anyway.
const maxScanned = maxIssues

// sheetScan is what scanning one worksheet part found.
type sheetScan struct {
	lastRow        int // number of the last <row> element, numbered as excelize numbers them
	lastContentRow int // last row with a cell holding a value, a formula or inline text
	flags          map[cellKey]cellFlag
	flagsDropped   int
	merges         []area
	mergesDropped  int
	// formulas are the cells holding a formula with a saved value, in
	// document order; formulasDropped counts those beyond maxScanned.
	formulas        []scanFormula
	formulasDropped int
	damage          string // why the XML cannot be read completely; "" when it can
}

// scanFormula is a cell whose formula has a saved value.
type scanFormula struct {
	row, col int
	text     string // the formula, or "" for a follower of a shared one
}

// maxFormulaText bounds the formula text kept per cell.
const maxFormulaText = 200

// scanSheet streams one worksheet part. It never holds more than one
// element in memory besides what it reports, so it is bounded by the
// declared part size checked in openPackage.
func scanSheet(p *pkg, part string) *sheetScan {
	s := &sheetScan{flags: map[cellKey]cellFlag{}}
	rc, err := p.open(part)
	if err != nil {
		s.damage = "its part of the file is missing"
		return s
	}
	defer rc.Close()
	d := newXMLDecoder(rc)
	var (
		inData    bool
		row, col  int
		cell      *scanCell
		inV, inIS bool
		inF       bool
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return s
		}
		if err != nil {
			s.damage = fmt.Sprintf("the XML breaks off near row %d (%v)", max(row, 1), err)
			return s
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "sheetData":
				inData = true
			case "row":
				if !inData {
					continue
				}
				// excelize numbers a row by its r attribute, or as the
				// previous row plus one when it has none; do the same so the
				// two counts can be compared.
				n := 0
				for _, a := range t.Attr {
					if a.Name.Local == "r" {
						n, _ = strconv.Atoi(a.Value)
					}
				}
				if n == 0 {
					n = row + 1
				}
				if n <= row {
					s.damage = fmt.Sprintf("row %d comes after row %d", n, row)
					return s
				}
				row, col = n, 0
				s.lastRow = row
			case "c":
				if !inData {
					continue
				}
				cell = &scanCell{}
				ref := ""
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "r":
						ref = a.Value
					case "t":
						cell.typ = a.Value
					}
				}
				col++
				if ref != "" {
					c, r, err := excelize.CellNameToCoordinates(ref)
					if err != nil || r != row {
						s.damage = fmt.Sprintf("cell reference %q in row %d is not valid", ref, row)
						return s
					}
					col = c
				}
			case "f":
				if cell != nil {
					cell.formula, inF = true, true
				}
			case "v":
				if cell != nil {
					cell.hasV, inV = true, true
				}
			case "is":
				if cell != nil {
					cell.inline, inIS = true, true
				}
			case "mergeCell":
				for _, a := range t.Attr {
					if a.Name.Local == "ref" {
						s.addMerge(a.Value)
					}
				}
			}
		case xml.CharData:
			if inV && cell != nil {
				cell.v = append(cell.v, t...)
			}
			if inF && cell != nil && len(cell.f) < maxFormulaText {
				cell.f = append(cell.f, t[:min(len(t), maxFormulaText-len(cell.f))]...)
			}
			if inIS && cell != nil && len(bytes.TrimSpace(t)) > 0 {
				cell.inlineText = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "sheetData":
				inData = false
			case "v":
				inV = false
			case "f":
				inF = false
			case "is":
				inIS = false
			case "c":
				if cell != nil {
					s.endCell(row, col, cell)
				}
				cell = nil
			}
		}
	}
}

// scanCell collects one <c> element.
type scanCell struct {
	typ           string
	formula, hasV bool
	inline        bool
	inlineText    bool
	v             []byte
	f             []byte // the formula's text, cut at maxFormulaText
}

// endCell records what one finished cell tells about its row.
func (s *sheetScan) endCell(row, col int, c *scanCell) {
	v := bytes.TrimSpace(c.v)
	if c.formula || len(v) > 0 || c.inlineText {
		s.lastContentRow = max(s.lastContentRow, row)
	}
	var f cellFlag
	switch {
	case c.typ == "e":
		f.errText = string(v)
		if f.errText == "" {
			f.errText = "#N/A"
		}
	// A formula whose saved result is an empty string is written with
	// t="str" and an empty <v>; anything else without a result was never
	// calculated (openpyxl, excelize and some converters write such files).
	case c.formula && (!c.hasV || len(v) == 0 && c.typ != "str"):
		f.formula = true
	case c.formula:
		// A formula with a saved value: the value is used, and the editor
		// is told (it was never recalculated here, and a formula can
		// carry a payload for whoever opens the file).
		if len(s.formulas) >= maxScanned {
			s.formulasDropped++
			return
		}
		s.formulas = append(s.formulas, scanFormula{row: row, col: col, text: strings.TrimSpace(string(c.f))})
		return
	default:
		return
	}
	if len(s.flags) >= maxScanned {
		s.flagsDropped++
		return
	}
	s.flags[cellKey{row, col}] = f
}

// addMerge records a merged range.
func (s *sheetScan) addMerge(ref string) {
	if len(s.merges) >= maxScanned {
		s.mergesDropped++
		return
	}
	from, to, ok := strings.Cut(ref, ":")
	if !ok {
		to = from
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(from)
	c2, r2, err2 := excelize.CellNameToCoordinates(to)
	if err1 != nil || err2 != nil {
		return
	}
	s.merges = append(s.merges, area{ref: ref, top: min(r1, r2), left: min(c1, c2), bottom: max(r1, r2), right: max(c1, c2)})
}
