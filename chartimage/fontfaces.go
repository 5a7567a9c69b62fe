package chartimage

import (
	"encoding/base64"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tdewolff/font"
)

// webFonts are the page's own @font-face subsets of Pretendard (woff2 files
// split by unicode-range, listed in app.css). An SVG embeds the few it
// needs, so that it shows in Pretendard wherever it is opened, exactly as
// on the page, instead of in whatever font the viewer has: the layout was
// measured with Pretendard, and another font's wider text would overlap.
type webFonts struct {
	dist  fs.FS
	faces []webFace
	mu    sync.Mutex
	data  map[string]string // file -> base64, read on first use
}

type webFace struct {
	weight int
	file   string
	ranges [][2]rune
	css    string // the unicode-range value, as written
}

var (
	fontFaceRule = regexp.MustCompile(`@font-face\s*\{([^}]*)\}`)
	cssDecl      = regexp.MustCompile(`([a-z-]+)\s*:\s*([^;]+)`)
	cssURL       = regexp.MustCompile(`url\(\s*['"]?([^'")]+\.woff2)['"]?\s*\)`)
)

// loadWebFonts reads the @font-face rules of the page's CSS (app.css).
// It returns nil when there is none, and the SVG is then written without
// embedded fonts.
func loadWebFonts(dist fs.FS, manifest map[string]string) (*webFonts, error) {
	name, ok := manifest["app.css"]
	if !ok {
		return nil, nil
	}
	css, err := fs.ReadFile(dist, name)
	if err != nil {
		return nil, fmt.Errorf("render: app.css: %w", err)
	}
	wf := &webFonts{dist: dist, data: map[string]string{}}
	for _, m := range fontFaceRule.FindAllStringSubmatch(string(css), -1) {
		var f webFace
		family := ""
		for _, d := range cssDecl.FindAllStringSubmatch(m[1], -1) {
			v := strings.TrimSpace(d[2])
			switch d[1] {
			case "font-family":
				family = strings.Trim(v, `'"`)
			case "font-weight":
				f.weight = parseWeight(v)
			case "src":
				if u := cssURL.FindStringSubmatch(v); u != nil {
					f.file = u[1]
				}
			case "unicode-range":
				f.css = v
				f.ranges = parseUnicodeRange(v)
			}
		}
		if family == "Pretendard" && f.file != "" && len(f.ranges) > 0 {
			wf.faces = append(wf.faces, f)
		}
	}
	if len(wf.faces) == 0 {
		return nil, nil
	}
	return wf, nil
}

// parseUnicodeRange parses "U+20-7e,U+a0,U+ac??".
func parseUnicodeRange(s string) [][2]rune {
	var out [][2]rune
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(part)), "U+")
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange && strings.Contains(part, "?") {
			lo, hi = strings.ReplaceAll(part, "?", "0"), strings.ReplaceAll(part, "?", "F")
		} else if !isRange {
			hi = lo
		}
		a, err1 := strconv.ParseUint(lo, 16, 32)
		b, err2 := strconv.ParseUint(hi, 16, 32)
		if err1 == nil && err2 == nil && a <= b {
			out = append(out, [2]rune{rune(a), rune(b)})
		}
	}
	return out
}

func (f webFace) covers(r rune) bool {
	for _, rg := range f.ranges {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

// styleFor returns the CSS of the @font-face rules an SVG needs for its
// text: for each weight used, the subsets that hold any of its letters.
func (wf *webFonts) styleFor(doc *node) (string, error) {
	used := usedRunes(doc)
	var b strings.Builder
	for _, f := range wf.faces {
		runes := used[f.weight]
		need := false
		for r := range runes {
			if f.covers(r) {
				need = true
				break
			}
		}
		if !need {
			continue
		}
		data, err := wf.base64(f.file)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "@font-face{font-family:Pretendard;font-weight:%d;src:url(data:font/woff2;base64,%s) format(\"woff2\");unicode-range:%s}\n", f.weight, data, f.css)
	}
	return b.String(), nil
}

func (wf *webFonts) base64(file string) (string, error) {
	wf.mu.Lock()
	defer wf.mu.Unlock()
	if s, ok := wf.data[file]; ok {
		return s, nil
	}
	raw, err := fs.ReadFile(wf.dist, file)
	if err != nil {
		return "", fmt.Errorf("render: font %s: %w", file, err)
	}
	s := base64.StdEncoding.EncodeToString(raw)
	wf.data[file] = s
	return s, nil
}

// subsetStyle returns @font-face rules that embed, for each weight the SVG
// uses, a subset of the full font holding only the glyphs of its text. A
// chart's labels need a few dozen glyphs, so the subset is a few KB where
// the page's unicode-range files would be tens of KB, and the image shows
// in Pretendard wherever it is opened, even as an <img> (which cannot
// reach the page's web fonts).
func (r *Renderer) subsetStyle(doc *node) (string, error) {
	used := usedRunes(doc)
	var b strings.Builder
	for _, w := range []int{400, 700} {
		if len(used[w]) == 0 {
			continue
		}
		runes := make([]rune, 0, len(used[w]))
		for c := range used[w] {
			runes = append(runes, c)
		}
		sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
		ttf, err := r.subsetters[w].subset(runes)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "@font-face{font-family:Pretendard;font-weight:%d;src:url(data:font/ttf;base64,%s) format(\"truetype\")}\n", w, base64.StdEncoding.EncodeToString(ttf))
	}
	return b.String(), nil
}

// usedRunes returns the characters of an SVG's text by font weight (400
// or 700, as the two embedded faces).
func usedRunes(doc *node) map[int]map[rune]bool {
	used := map[int]map[rune]bool{400: {}, 700: {}}
	var walk func(n *node, weight int)
	walk = func(n *node, weight int) {
		if v := n.get("font-weight"); v != "" {
			weight = parseWeight(v)
		}
		if n.name == "text" {
			w := 400
			if weight >= 600 {
				w = 700
			}
			for _, c := range n.text {
				used[w][c] = true
			}
		}
		for _, c := range n.children {
			walk(c, weight)
		}
	}
	walk(doc, 400)
	return used
}

// subsetter cuts subsets of one font. It keeps a parse of the font of its
// own: font.SFNT.Subset writes into the font it subsets (its maxp and OS/2
// records), so it must neither touch the faces that measure and draw text
// nor run twice at once.
type subsetter struct {
	mu   sync.Mutex
	sfnt *font.SFNT
}

func newSubsetter(ttf []byte) (*subsetter, error) {
	f, err := font.ParseSFNT(ttf, 0)
	if err != nil {
		return nil, err
	}
	return &subsetter{sfnt: f}, nil
}

// subset returns a TrueType font holding the glyphs of runes (and .notdef).
func (s *subsetter) subset(runes []rune) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.sfnt
	ids := []uint16{0} // .notdef first, as fonts require
	seen := map[uint16]bool{0: true}
	for _, c := range runes {
		if id := f.GlyphIndex(c); id != 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	var ttf []byte
	err := keepRecords(f, func() error {
		sub, err := f.Subset(ids, font.SubsetOptions{Tables: font.KeepMinTables})
		if err == nil {
			ttf = sub.Write() // before the records it shares with f are restored
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("render: font subset: %w", err)
	}
	return ttf, nil
}

// keepRecords runs fn, which subsets f, and then puts back the records of
// f that font.SFNT.Subset overwrites (maxp's glyph count and OS/2's
// Unicode ranges), so that f stays the whole font for the next use.
func keepRecords(f *font.SFNT, fn func() error) error {
	maxp := *f.Maxp
	var os2 os2Saved
	if f.OS2 != nil {
		os2 = os2Saved{f.OS2.UlUnicodeRange1, f.OS2.UlUnicodeRange2, f.OS2.UlUnicodeRange3, f.OS2.UlUnicodeRange4}
	}
	err := fn()
	*f.Maxp = maxp
	if f.OS2 != nil {
		f.OS2.UlUnicodeRange1, f.OS2.UlUnicodeRange2, f.OS2.UlUnicodeRange3, f.OS2.UlUnicodeRange4 = os2[0], os2[1], os2[2], os2[3]
	}
	return err
}

type os2Saved [4]uint32
