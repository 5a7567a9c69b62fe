package chartimage

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// node is one element of an SVG document: the tree both the SVG writer
// and the PNG/PDF painter work from, so the three formats cannot drift.
type node struct {
	name     string
	attrs    []attr
	children []*node
	text     string // character data of <text>, <title> and <desc>
}

type attr struct{ name, value string }

func (n *node) get(name string) string {
	for _, a := range n.attrs {
		if a.name == name {
			return a.value
		}
	}
	return ""
}

func (n *node) has(name string) bool {
	for _, a := range n.attrs {
		if a.name == name {
			return true
		}
	}
	return false
}

func (n *node) set(name, value string) {
	for i, a := range n.attrs {
		if a.name == name {
			n.attrs[i].value = value
			return
		}
	}
	n.attrs = append(n.attrs, attr{name, value})
}

func (n *node) del(name string) {
	for i, a := range n.attrs {
		if a.name == name {
			n.attrs = append(n.attrs[:i], n.attrs[i+1:]...)
			return
		}
	}
}

func el(name string, attrs ...string) *node {
	n := &node{name: name}
	for i := 0; i+1 < len(attrs); i += 2 {
		n.attrs = append(n.attrs, attr{attrs[i], attrs[i+1]})
	}
	return n
}

// parseSVG parses the SVG that ECharts writes into a tree. It checks that
// tags nest; any text outside <text>, <title> and <desc> is dropped.
func parseSVG(s string) (*node, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	var root *node
	var stack []*node
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse ECharts SVG: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: qname(t.Name)}
			for _, a := range t.Attr {
				n.attrs = append(n.attrs, attr{qname(a.Name), a.Value})
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("parse ECharts SVG: more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].name != qname(t.Name) {
				return nil, fmt.Errorf("parse ECharts SVG: unexpected </%s>", qname(t.Name))
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				switch p := stack[len(stack)-1]; p.name {
				case "text", "tspan", "title", "desc", "style":
					p.text += string(t)
				}
			}
		}
	}
	if root == nil || root.name != "svg" {
		return nil, fmt.Errorf("parse ECharts SVG: no <svg> root")
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("parse ECharts SVG: <%s> not closed", stack[len(stack)-1].name)
	}
	return root, nil
}

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// Elements and attributes kept from ECharts' SVG. Everything else goes:
// <style> holds only :hover rules, ecmeta_* and class serve interaction,
// and a whitelist guarantees that no script, event handler, external
// reference or foreign content reaches an image, whatever the option held.
var keptElements = map[string]bool{
	"g": true, "path": true, "rect": true, "circle": true, "ellipse": true, "line": true,
	"polyline": true, "polygon": true, "text": true, "defs": true, "clipPath": true,
	"pattern": true, "linearGradient": true, "radialGradient": true, "stop": true,
}

var keptAttrs = map[string]bool{
	"id": true, "d": true, "x": true, "y": true, "width": true, "height": true, "rx": true, "ry": true,
	"cx": true, "cy": true, "r": true, "x1": true, "y1": true, "x2": true, "y2": true, "points": true,
	"transform": true, "fill": true, "stroke": true, "stroke-width": true, "stroke-linecap": true,
	"stroke-linejoin": true, "stroke-miterlimit": true, "stroke-dasharray": true, "stroke-dashoffset": true,
	"opacity": true, "fill-opacity": true, "stroke-opacity": true, "fill-rule": true, "clip-path": true,
	"clip-rule": true, "text-anchor": true, "dominant-baseline": true, "xml:space": true, "offset": true,
	"stop-color": true, "stop-opacity": true, "gradientUnits": true, "gradientTransform": true,
	"fx": true, "fy": true, "patternUnits": true, "patternTransform": true, "patternContentUnits": true,
	"visibility": true, "display": true, "paint-order": true,
	"font-size": true, "font-family": true, "font-weight": true, "font-style": true,
}

// Attributes whose value may hold url(#id) references.
var refAttrs = []string{"fill", "stroke", "clip-path"}

var urlRef = regexp.MustCompile(`url\(\s*['"]?#([^'")\s]+)['"]?\s*\)`)

// normalizer turns ECharts' SVG into the subset the painter draws and any
// SVG consumer understands: rgba() colours become a colour plus an
// opacity, dominant-baseline becomes an explicit alphabetic y, CSS font
// shorthand in style="" becomes presentation attributes, ids get stable
// names (ECharts numbers them per instance, so output would differ between
// two renders of the same chart).
type normalizer struct {
	fonts  *fonts
	prefix string
	ids    map[string]string
}

// normalize returns the children of ECharts' root <svg>, cleaned.
func (z *normalizer) normalize(root *node) []*node {
	z.ids = map[string]string{}
	z.collectIDs(root)
	var out []*node
	for _, c := range root.children {
		if n := z.clean(c); n != nil {
			out = append(out, n)
		}
	}
	return out
}

func (z *normalizer) collectIDs(n *node) {
	if id := n.get("id"); id != "" && keptElements[n.name] {
		if _, ok := z.ids[id]; !ok {
			z.ids[id] = z.prefix + strconv.Itoa(len(z.ids))
		}
	}
	for _, c := range n.children {
		z.collectIDs(c)
	}
}

func (z *normalizer) clean(n *node) *node {
	if !keptElements[n.name] {
		return nil
	}
	out := &node{name: n.name, text: n.text}
	var font cssFont
	hasFont := false
	for _, a := range n.attrs {
		switch {
		case a.name == "style":
			// ECharts writes text fonts as style="font-size:..;font-family:..;"
			// or style="font: <shorthand>".
			if f, ok := styleFont(a.value); ok {
				font, hasFont = f, true
			}
		case keptAttrs[a.name]:
			out.attrs = append(out.attrs, a)
		}
	}
	if id := out.get("id"); id != "" {
		out.set("id", z.ids[id])
	}
	for _, name := range refAttrs {
		v := out.get(name)
		if !strings.Contains(v, "url(") {
			continue
		}
		m := urlRef.FindStringSubmatch(v)
		if m == nil || z.ids[m[1]] == "" {
			// A reference to nothing we keep: draw nothing rather than guess.
			if name == "clip-path" {
				out.del(name)
			} else {
				out.set(name, "none")
			}
			continue
		}
		out.set(name, "url(#"+z.ids[m[1]]+")")
	}
	splitRGBA(out, "fill", "fill-opacity")
	splitRGBA(out, "stroke", "stroke-opacity")
	splitRGBA(out, "stop-color", "stop-opacity")
	if n.name == "text" {
		if hasFont {
			out.set("font-size", fmtNum(font.size))
			if font.family != "" {
				out.set("font-family", font.family)
			}
			if font.weight != 400 {
				out.set("font-weight", strconv.Itoa(font.weight))
			}
			if font.italic {
				out.set("font-style", "italic")
			}
		}
		z.baseline(out)
	}
	for _, c := range n.children {
		if cc := z.clean(c); cc != nil {
			out.children = append(out.children, cc)
		}
	}
	return out
}

// styleFont reads the font of an ECharts style attribute.
func styleFont(style string) (cssFont, bool) {
	f := cssFont{size: 12, weight: 400}
	found := false
	for _, decl := range strings.Split(style, ";") {
		k, v, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(strings.ToLower(k)), strings.TrimSpace(v)
		switch k {
		case "font":
			return parseCSSFont(v), true
		case "font-size":
			if s, ok := parseFontSize(v); ok {
				f.size, found = s, true
			}
		case "font-family":
			f.family, found = v, true
		case "font-weight":
			f.weight, found = parseWeight(v), true
		case "font-style":
			f.italic, found = v == "italic" || v == "oblique", true
		}
	}
	return f, found
}

// baseline replaces dominant-baseline by a shift of y, computed from the
// embedded font's metrics as a browser computes it, so that renderers
// without dominant-baseline support (and our painter) place text alike.
func (z *normalizer) baseline(t *node) {
	db := t.get("dominant-baseline")
	t.del("dominant-baseline")
	size := attrFloat(t, "font-size", 12)
	f := z.fonts.pick(parseWeight(t.get("font-weight")))
	var shift float64
	switch db {
	case "central", "middle":
		shift = f.centralShift(size)
	case "hanging", "text-before-edge", "text-top":
		shift = f.ascent * size
	case "text-after-edge", "text-bottom", "ideographic":
		shift = -f.descent * size
	default:
		return
	}
	t.set("y", fmtNum(attrFloat(t, "y", 0)+shift))
}

var rgbFunc = regexp.MustCompile(`^rgba?\(\s*([-\d.]+%?)\s*[, ]\s*([-\d.]+%?)\s*[, ]\s*([-\d.]+%?)\s*(?:[,/]\s*([-\d.]+%?)\s*)?\)$`)

// splitRGBA rewrites an rgb()/rgba() paint as #rrggbb and folds its alpha
// into the matching opacity attribute: SVG 1.1 consumers (and canvas'
// parser) draw rgba() as black.
func splitRGBA(n *node, paint, opacity string) {
	v := strings.TrimSpace(n.get(paint))
	if !strings.HasPrefix(strings.ToLower(v), "rgb") {
		return
	}
	c, a, ok := parseRGBFunc(v)
	if !ok {
		return
	}
	n.set(paint, c)
	if a < 1 {
		n.set(opacity, fmtNum(a*attrFloat(n, opacity, 1)))
	}
}

func parseRGBFunc(v string) (hex string, alpha float64, ok bool) {
	m := rgbFunc.FindStringSubmatch(strings.ToLower(v))
	if m == nil {
		return "", 0, false
	}
	var rgb [3]int
	for i := 0; i < 3; i++ {
		x, pct := strings.CutSuffix(m[i+1], "%")
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return "", 0, false
		}
		if pct {
			f = f / 100 * 255
		}
		rgb[i] = int(math.Round(math.Max(0, math.Min(255, f))))
	}
	alpha = 1
	if m[4] != "" {
		x, pct := strings.CutSuffix(m[4], "%")
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return "", 0, false
		}
		if pct {
			f /= 100
		}
		alpha = math.Max(0, math.Min(1, f))
	}
	return fmt.Sprintf("#%02x%02x%02x", rgb[0], rgb[1], rgb[2]), alpha, true
}

func attrFloat(n *node, name string, def float64) float64 {
	v := strings.TrimSpace(n.get(name))
	v = strings.TrimSuffix(v, "px")
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return def
	}
	return f
}

// fmtNum writes a coordinate with at most 4 decimals, like ECharts.
func fmtNum(v float64) string {
	v = math.Round(v*1e4) / 1e4
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// writeSVG serialises the tree. Every attribute value and text is escaped
// here, whatever produced it, so data can never break out of its element.
func writeSVG(w *bytes.Buffer, n *node, depth int) {
	w.WriteByte('<')
	w.WriteString(n.name)
	for _, a := range n.attrs {
		w.WriteByte(' ')
		w.WriteString(a.name)
		w.WriteString(`="`)
		escapeXML(w, a.value, true)
		w.WriteByte('"')
	}
	if len(n.children) == 0 && n.text == "" {
		w.WriteString("/>\n")
		return
	}
	w.WriteByte('>')
	if n.text != "" {
		if n.name == "style" {
			// Our own CSS only (font faces); it holds no '<' or '&'.
			w.WriteString(n.text)
		} else {
			escapeXML(w, n.text, false)
		}
	}
	if len(n.children) > 0 {
		w.WriteByte('\n')
		for _, c := range n.children {
			writeSVG(w, c, depth+1)
		}
	}
	w.WriteString("</")
	w.WriteString(n.name)
	w.WriteString(">\n")
}

// escapeXML writes s escaped for XML text or a double-quoted attribute.
// Characters XML 1.0 cannot carry at all become U+FFFD.
func escapeXML(w *bytes.Buffer, s string, inAttr bool) {
	for _, r := range s {
		switch {
		case r == '<':
			w.WriteString("&lt;")
		case r == '>':
			w.WriteString("&gt;")
		case r == '&':
			w.WriteString("&amp;")
		case r == '"' && inAttr:
			w.WriteString("&quot;")
		case (r == '\n' || r == '\r' || r == '\t') && inAttr:
			fmt.Fprintf(w, "&#%d;", r)
		case r == '\n' || r == '\r' || r == '\t':
			w.WriteRune(r)
		case !isXMLChar(r):
			w.WriteRune(utf8.RuneError)
		default:
			w.WriteRune(r)
		}
	}
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// sanitizeXMLText replaces characters XML cannot carry, so that ECharts'
// output (which escapes markup but not control characters) always parses.
func sanitizeXMLText(s string) string {
	ok := true
	for _, r := range s {
		if !isXMLChar(r) || r == utf8.RuneError {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !isXMLChar(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}
