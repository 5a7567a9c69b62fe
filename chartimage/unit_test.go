package chartimage

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

func TestParseCSSFont(t *testing.T) {
	tests := []struct {
		in     string
		size   float64
		weight int
		italic bool
		family string
	}{
		{"12px Pretendard", 12, 400, false, "Pretendard"},
		{"bold 14px sans-serif", 14, 700, false, "sans-serif"},
		{"normal normal 700 13px Pretendard, 'Noto Sans KR', sans-serif", 13, 700, false, "Pretendard, 'Noto Sans KR', sans-serif"},
		{"italic bolder 1.5em serif", 18, 700, true, "serif"},
		{"600 9pt x", 12, 600, false, "x"},
		{"14px/1.5 y", 14, 400, false, "y"},
		{"", 12, 400, false, ""},
		{"garbage", 12, 400, false, ""},
	}
	for _, tt := range tests {
		f := parseCSSFont(tt.in)
		if f.size != tt.size || f.weight != tt.weight || f.italic != tt.italic || f.family != tt.family {
			t.Errorf("parseCSSFont(%q) = %+v, want {size:%v weight:%v italic:%v family:%q}", tt.in, f, tt.size, tt.weight, tt.italic, tt.family)
		}
	}
}

func TestParseRGBFunc(t *testing.T) {
	tests := []struct {
		in    string
		hex   string
		alpha float64
		ok    bool
	}{
		{"rgba(0,0,0,0.22)", "#000000", 0.22, true},
		{"rgb(29, 95, 160)", "#1d5fa0", 1, true},
		{"rgba(255,255,255,1)", "#ffffff", 1, true},
		{"rgb(100%, 0%, 50%)", "#ff0080", 1, true},
		{"rgba(1,2,3,50%)", "#010203", 0.5, true},
		{"#fff", "", 0, false},
	}
	for _, tt := range tests {
		hex, a, ok := parseRGBFunc(tt.in)
		if hex != tt.hex || a != tt.alpha || ok != tt.ok {
			t.Errorf("parseRGBFunc(%q) = %q, %v, %v; want %q, %v, %v", tt.in, hex, a, ok, tt.hex, tt.alpha, tt.ok)
		}
	}
}

// TestNormalize checks the clean-up of ECharts' SVG on a sample of what it
// writes.
func TestNormalize(t *testing.T) {
	r := newTestRenderer(t)
	src := `<svg width="100" height="50" xmlns="http://www.w3.org/2000/svg">
<path d="M0 0L10 10" fill="rgba(0,0,0,0.22)" fill-opacity="0.5" class="zr0-cls-1" ecmeta_series_index="0" onclick="alert(1)"></path>
<text dominant-baseline="central" text-anchor="middle" style="font-size:12px;font-family:Pretendard;font-weight:bold;" y="-6" transform="translate(1 2)">a</text>
<g clip-path="url(#zr3-c0)"><path d="M0 0" fill="url(#zr3-p0)"/></g>
<image href="http://example.com/x.png"/><script>alert(1)</script>
<defs><clipPath id="zr3-c0"><path d="M0 0l1 0l0 1z"/></clipPath><pattern id="zr3-p0" width="1" height="1"/></defs>
<style><![CDATA[.zr0-cls-1:hover{fill:red}]]></style>
</svg>`
	root, err := parseSVG(src)
	if err != nil {
		t.Fatal(err)
	}
	z := &normalizer{fonts: r.fonts, prefix: "ec"}
	out := z.normalize(root)
	names := []string{}
	for _, n := range out {
		names = append(names, n.name)
	}
	if got, want := strings.Join(names, ","), "path,text,g,defs"; got != want {
		t.Fatalf("elements = %s, want %s (no image, script or style)", got, want)
	}
	p := out[0]
	if p.get("fill") != "#000000" || p.get("fill-opacity") != "0.11" {
		t.Errorf("rgba fill = %q opacity %q, want #000000 and 0.11", p.get("fill"), p.get("fill-opacity"))
	}
	for _, a := range []string{"class", "ecmeta_series_index", "onclick"} {
		if p.has(a) {
			t.Errorf("attribute %s kept", a)
		}
	}
	txt := out[1]
	if txt.has("dominant-baseline") || txt.get("font-weight") != "700" || txt.get("font-size") != "12" {
		t.Errorf("text attributes = %+v", txt.attrs)
	}
	if want := fmtNum(-6 + r.fonts.bold.centralShift(12)); txt.get("y") != want {
		t.Errorf("text y = %s, want %s (central baseline made explicit)", txt.get("y"), want)
	}
	if g := out[2]; g.get("clip-path") != "url(#ec0)" || g.children[0].get("fill") != "url(#ec1)" {
		t.Errorf("references not renamed: clip-path %q fill %q", g.get("clip-path"), g.children[0].get("fill"))
	}
}

func TestWrap(t *testing.T) {
	r := newTestRenderer(t)
	f := r.fonts.regular
	text := "Sources: Office of the U.S. Trade Representative; U.S. Census Bureau; Korea Customs Service"
	w := f.width("Sources: Office of the U.S.", 12) + 1
	lines := wrap(text, f, 12, w, 10)
	if len(lines) < 3 {
		t.Fatalf("wrap gave %d lines: %q", len(lines), lines)
	}
	if got := strings.Join(lines, " "); got != text {
		t.Errorf("wrapped lines joined = %q, want the text", got)
	}
	for _, l := range lines {
		if f.width(l, 12) > w {
			t.Errorf("line %q is %.1f wide, more than %.1f", l, f.width(l, 12), w)
		}
	}
	cut := wrap(text, f, 12, w, 2)
	if len(cut) != 2 || !strings.HasSuffix(cut[1], "…") {
		t.Errorf("wrap to 2 lines = %q, want 2 lines ending in an ellipsis", cut)
	}
	long := wrap(strings.Repeat("대한민국", 30), f, 12, 100, 3)
	for _, l := range long {
		if f.width(l, 12) > 100 {
			t.Errorf("a long word's line %q is wider than 100", l)
		}
	}
}

func TestPrepareOption(t *testing.T) {
	r := newTestRenderer(t)
	c := chartByID(t, "us-goods-trade") // long series: has a year slider
	out, err := prepareOption(c.OptionJSON, r.fonts, 1152, 500)
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal(out, &o); err != nil {
		t.Fatal(err)
	}
	if o["animation"] != false || o["dataZoom"] != nil || o["tooltip"] != nil {
		t.Errorf("animation %v, dataZoom %v, tooltip %v: want false, none, none", o["animation"], o["dataZoom"], o["tooltip"])
	}
	grid := o["grid"].([]any)[0].(map[string]any)
	if grid["bottom"] != 8.0 {
		t.Errorf("grid bottom = %v, want 8 (the slider's strip given back)", grid["bottom"])
	}
	if l := o["legend"].(map[string]any); l["type"] != "plain" {
		t.Errorf("legend type = %v, want plain", l["type"])
	}

	// A narrow chart: the legend needs rows and the grid moves down.
	out, _ = prepareOption(c.OptionJSON, r.fonts, 200, 1000)
	json.Unmarshal(out, &o)
	grid = o["grid"].([]any)[0].(map[string]any)
	if top := grid["top"].(float64); top <= 64 {
		t.Errorf("grid top = %v on a narrow chart, want more than 64", top)
	}
	// A small chart keeps the scrolling legend rather than lose the plot.
	out, _ = prepareOption(c.OptionJSON, r.fonts, 100, 100)
	json.Unmarshal(out, &o)
	if l := o["legend"].(map[string]any); l["type"] != "scroll" {
		t.Errorf("legend type = %v on a small chart, want scroll", l["type"])
	}
}

func TestLayoutCaption(t *testing.T) {
	r := newTestRenderer(t)
	long := strings.Repeat("A very long source name; ", 40)
	for _, o := range []Options{DefaultOptions(PNG), {Format: PNG, Width: 320, Height: 240, Scale: 1}, {Format: SVG, Width: 4000, Height: 4000, Scale: 1}} {
		l := layoutCaption(Caption{Title: strings.Repeat("Title words ", 20), Subtitle: "Sub", Sources: []string{long}, AsOf: "2024-05-31", URL: "https://example.com/charts/x"}, o, r.fonts)
		if l.chartH < float64(o.Height)/2-1 && o.Height > 300 {
			t.Errorf("%dx%d: chart height %v, want at least half the image", o.Width, o.Height, l.chartH)
		}
		if l.chartW <= 0 || l.chartH <= 0 || l.chartY+l.chartH > float64(o.Height) {
			t.Errorf("%dx%d: chart area %v,%v %vx%v outside the image", o.Width, o.Height, l.chartX, l.chartY, l.chartW, l.chartH)
		}
		for _, cl := range l.lines {
			f := r.fonts.pick(cl.weight)
			if w := f.width(cl.text, cl.size); w > float64(o.Width)-2*cl.x+0.01 && cl.anchor == "start" {
				t.Errorf("%dx%d: caption line %q is %.1f wide", o.Width, o.Height, cl.text, w)
			}
		}
	}
}

// TestBareSubsetsConcurrently: the stand-in images cut font subsets; many
// at once must neither race nor spoil the fonts later images draw with.
func TestBareSubsetsConcurrently(t *testing.T) {
	r := newTestRenderer(t)
	c := chartByID(t, "us-goods-trade")
	o := Options{Format: SVG, Width: 680, Height: 360, Scale: 1, Bare: true}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			oo := o
			oo.Width += i
			_, err := r.Render(context.Background(), c.OptionJSON, Caption{}, oo)
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent bare render: %v", err)
		}
	}
	// The faces still have every glyph afterwards: a PNG with Hangul draws.
	if _, err := r.Render(context.Background(), []byte(koreanOption), Caption{Title: "대한민국"}, Options{Format: PNG, Width: 640, Height: 360, Scale: 1}); err != nil {
		t.Errorf("render after subsetting: %v", err)
	}
	// PDFs (whose writer subsets its fonts in place) must not shrink any
	// font either.
	if _, err := r.Render(context.Background(), c.OptionJSON, Caption{Title: "x"}, Options{Format: PDF, Width: 640, Height: 360, Scale: 1}); err != nil {
		t.Fatal(err)
	}
	whole := r.subsetters[400].sfnt.Maxp.NumGlyphs
	for name, n := range map[string]uint16{
		"drawing face": r.fonts.regular.font.Maxp.NumGlyphs,
		"PDF face":     r.pdfFonts.regular.font.Maxp.NumGlyphs,
		"bold PDF":     r.pdfFonts.bold.font.Maxp.NumGlyphs,
	} {
		if n < 1000 || (name != "bold PDF" && n != whole) {
			t.Errorf("the %s has %d glyphs after subsetting, the font has %d", name, n, whole)
		}
	}
}
