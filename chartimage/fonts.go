package chartimage

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/font"
)

// mmPerPt converts canvas font sizes: canvas takes sizes in points and keeps
// them in its drawing unit (mm); we draw in CSS pixels, one unit per pixel.
const mmPerPt = 25.4 / 72.0

// face is one weight of the embedded font (Pretendard Regular or Bold).
type face struct {
	font *canvas.Font
	upem float64
	// ascent and descent (hhea, in em) place the "central" baseline the
	// way browsers do: halfway between them.
	ascent, descent float64

	// mu serialises shaping: go-text's shaper caches glyph extents in the
	// font without locking, and canvas shapes inside NewTextLine.
	mu sync.Mutex
	// widths caches advances (font units) of whole strings; ECharts asks
	// for the same labels over and over across renders.
	widths map[string]int32
}

// maxCachedWidths bounds face.widths; past it the cache starts over, which
// costs a few re-measures but keeps memory flat whatever the data.
const maxCachedWidths = 20000

// fonts is the regular and bold face of the family used everywhere.
type fonts struct {
	regular, bold *face
	// textGlyphs makes drawn text use only glyphs the cmap lists, for PDF:
	// the PDF writer maps glyphs back to text through the cmap, and a
	// contextual alternate (Pretendard's calt turns the hyphen in
	// "2024-05-31" into hyphen.case) would copy and search as nothing.
	textGlyphs bool
}

func loadFace(b []byte, style canvas.FontStyle) (*face, error) {
	f, err := canvas.LoadFont(b, 0, style)
	if err != nil {
		return nil, err
	}
	upem := float64(f.Head.UnitsPerEm)
	if upem == 0 {
		return nil, fmt.Errorf("font has no units per em")
	}
	return &face{
		font:    f,
		upem:    upem,
		ascent:  float64(f.Hhea.Ascender) / upem,
		descent: -float64(f.Hhea.Descender) / upem,
		widths:  map[string]int32{},
	}, nil
}

// pick returns the face for a CSS font-weight value.
func (fs *fonts) pick(weight int) *face {
	if weight >= 600 {
		return fs.bold
	}
	return fs.regular
}

// advance returns the advance width of s in font units, shaped with
// kerning as a browser does.
func (f *face) advance(s string) int32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if w, ok := f.widths[s]; ok {
		return w
	}
	var w int32
	for _, g := range f.font.Face(12, canvas.Black).Glyphs(s) {
		w += g.XAdvance
	}
	if len(f.widths) >= maxCachedWidths {
		clear(f.widths)
	}
	f.widths[s] = w
	return w
}

// width returns the width of s at size px, in px.
func (f *face) width(s string, size float64) float64 {
	return float64(f.advance(s)) * size / f.upem
}

// centralShift is how far below a "central" baseline the alphabetic
// baseline lies, for a font of size px: browsers centre such text between
// the font's ascent and descent, each rounded to whole pixels as Chromium
// (Skia) rounds font metrics. Measured against Chromium: equal to the
// device pixel at 4x, for 12px and 100px text.
func (f *face) centralShift(size float64) float64 {
	return (math.Round(f.ascent*size) - math.Round(f.descent*size)) / 2
}

// canvasFace returns a canvas font face of size px in colour c. The caller
// must hold f.mu while shaping text with it (canvas.NewTextLine).
func (f *face) canvasFace(size float64, c canvas.Paint) *canvas.FontFace {
	ff := f.font.Face(size/mmPerPt, c)
	// No hinting: canvas would snap each baseline to the pixel grid, which
	// browsers do not do for SVG text (measured against Chromium: hinted
	// text sat 0.2–0.6 px low).
	ff.Hinting = font.NoHinting
	return ff
}

// covers reports whether every letter of s (spaces and controls aside) has
// a glyph in the font, so that nothing would be drawn as a .notdef box.
func (f *face) covers(s string) bool {
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			continue
		}
		if f.font.GlyphIndex(r) == 0 {
			return false
		}
	}
	return true
}

// cssFont is what a CSS font shorthand or an SVG style says about a font.
type cssFont struct {
	size   float64 // px
	weight int     // 100..900
	italic bool
	family string
}

// parseCSSFont parses a CSS font shorthand as ECharts writes it, e.g.
// "bold 14px sans-serif", "normal 400 12px Pretendard, 'Noto Sans KR'" or
// "italic bolder 1.2em serif". Unknown parts are ignored; the defaults
// are 12px (ECharts' default size) and weight 400.
func parseCSSFont(s string) cssFont {
	f := cssFont{size: 12, weight: 400}
	fields := strings.Fields(s)
	for i, tok := range fields {
		lt := strings.ToLower(tok)
		switch {
		case lt == "italic" || lt == "oblique":
			f.italic = true
		case lt == "normal" || lt == "small-caps":
		case isWeight(lt):
			f.weight = parseWeight(lt)
		default:
			if size, ok := parseFontSize(strings.SplitN(lt, "/", 2)[0]); ok {
				f.size = size
				f.family = strings.Join(fields[i+1:], " ")
				return f
			}
		}
	}
	return f
}

func isWeight(s string) bool {
	switch s {
	case "bold", "bolder", "lighter":
		return true
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 1000
}

// parseWeight turns a CSS font-weight into a number; relative weights are
// taken against the normal weight, as ECharts' text has no parent weight.
func parseWeight(s string) int {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "bold", "bolder":
		return 700
	case "lighter":
		return 100
	case "", "normal":
		return 400
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 400
	}
	return n
}

// parseFontSize parses a CSS length used as a font size: px, pt or em/rem
// (against ECharts' 12px default).
func parseFontSize(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	unit := 1.0
	switch {
	case strings.HasSuffix(s, "px"):
		s = s[:len(s)-2]
	case strings.HasSuffix(s, "pt"):
		s, unit = s[:len(s)-2], 96.0/72.0
	case strings.HasSuffix(s, "rem"):
		s, unit = s[:len(s)-3], 12
	case strings.HasSuffix(s, "em"):
		s, unit = s[:len(s)-2], 12
	default:
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v > 10000 {
		return 0, false
	}
	return v * unit, true
}

// plainGlyphs replaces, in a shaped text, every glyph the cmap does not map
// back to a character by the glyph of the character it stands for. Only
// one-to-one substitutions (alternates) are undone; the advance is kept, so
// the layout does not move.
func (f *face) plainGlyphs(t *canvas.Text) {
	t.WalkSpans(func(_, _ float64, s canvas.TextSpan) {
		for i := range s.Glyphs {
			g := &s.Glyphs[i]
			if g.Text == 0 || f.font.Cmap.ToUnicode(g.ID) != 0 {
				continue
			}
			if id := f.font.GlyphIndex(g.Text); id != 0 {
				g.ID = id
			}
		}
	})
}
