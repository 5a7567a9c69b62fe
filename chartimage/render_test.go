package chartimage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bilateral/bilateral/internal/chromium"
	"github.com/bilateral/bilateral/internal/testtool"
)

// TestRenderEveryChart renders every chart of the default dataset in the
// three formats and checks what a report writer relies on: the SVG is XML
// with the title and sources in it, the PNG has exactly the pixels asked
// for, the PDF is a PDF whose text (as pdftotext reads it) has the title.
func TestRenderEveryChart(t *testing.T) {
	r := newTestRenderer(t)
	pdftotext, lookErr := exec.LookPath("pdftotext")
	for _, c := range testCharts(t) {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel() // as many at once as the pool has runtimes
			capt := captionOf(c)
			ctx := context.Background()

			svg, err := r.Render(ctx, c.OptionJSON, capt, DefaultOptions(SVG))
			if err != nil {
				t.Fatalf("Render(svg): %v", err)
			}
			doc := readSVG(t, svg)
			if !doc.hasText(c.Title) {
				t.Errorf("SVG has no text %q (the title)", c.Title)
			}
			for _, s := range capt.Sources {
				if !doc.containsText(s) {
					t.Errorf("SVG has no text containing the source %q", s)
				}
			}
			if doc.elements["path"] < 10 {
				t.Errorf("SVG has %d paths, want a drawn chart (>= 10)", doc.elements["path"])
			}

			o := DefaultOptions(PNG)
			b, err := r.Render(ctx, c.OptionJSON, capt, o)
			if err != nil {
				t.Fatalf("Render(png): %v", err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("png.Decode: %v", err)
			}
			if got, want := img.Bounds().Size(), image.Pt(int(float64(o.Width)*o.Scale), int(float64(o.Height)*o.Scale)); got != want {
				t.Errorf("PNG size = %v, want %v", got, want)
			}

			pdf, err := r.Render(ctx, c.OptionJSON, capt, DefaultOptions(PDF))
			if err != nil {
				t.Fatalf("Render(pdf): %v", err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("PDF starts with %q, want %%PDF-", pdf[:min(8, len(pdf))])
			}
			if lookErr != nil {
				chromium.ToolMissing(t, "pdftotext", "poppler-utils")
			}
			text := pdfText(t, pdftotext, pdf)
			if !strings.Contains(text, c.Title) {
				t.Errorf("pdftotext output has no title %q:\n%s", c.Title, text)
			}
			if !strings.Contains(text, "Data as of 2024-05-31") {
				t.Errorf("pdftotext output has no date line:\n%s", text)
			}
		})
	}
}

// pdfText returns the text of a PDF as pdftotext extracts it, on one line.
func pdfText(t *testing.T, pdftotext string, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "chart.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// koreanOption is a bar chart with Korean labels and a Korean series name.
const koreanOption = `{
  "legend": {"show": true, "top": "0", "left": "0"},
  "grid": [{"left": "8", "top": "64", "right": "16", "bottom": "8", "containLabel": true}],
  "xAxis": [{"type": "category", "data": ["대한민국", "미국"]}],
  "yAxis": [{"type": "value", "name": "십억 달러"}],
  "series": [{"name": "대한민국", "type": "bar", "data": [56.5, 71.4]}, {"name": "미국", "type": "bar", "data": [60.1, 65.3]}]
}`

// TestHangul checks that Korean text is drawn with real Hangul glyphs,
// never with .notdef boxes: the font has every glyph, the PNG has ink
// where the title is, and that ink is as wide as Pretendard's Hangul
// (0.864 em a syllable), not as wide as boxes (.notdef is 1 em).
func TestHangul(t *testing.T) {
	r := newTestRenderer(t)
	const title = "대한민국과 미국의 교역"
	capt := Caption{Title: title, Subtitle: "십억 달러", Sources: []string{"관세청"}, AsOf: "2024-05-31"}

	svg, err := r.Render(context.Background(), []byte(koreanOption), capt, DefaultOptions(SVG))
	if err != nil {
		t.Fatal(err)
	}
	doc := readSVG(t, svg)
	for _, s := range []string{title, "대한민국", "미국", "십억 달러"} {
		if !doc.hasText(s) {
			t.Errorf("SVG has no text %q", s)
		}
	}
	for _, s := range doc.texts {
		if !r.fonts.regular.covers(s) || !r.fonts.bold.covers(s) {
			t.Errorf("the embedded font lacks a glyph of %q (it would show as a box)", s)
		}
	}

	o := DefaultOptions(PNG)
	b, err := r.Render(context.Background(), []byte(koreanOption), capt, o)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// The title's line box, from the layout (CSS px), in device pixels.
	l := layoutCaption(capt, o, r.fonts)
	tl := l.lines[0]
	if tl.text != title {
		t.Fatalf("first caption line = %q, want the title", tl.text)
	}
	x0, x1, dark := inkExtent(img, o.Scale, tl.x, tl.y-tl.size, tl.x+float64(o.Width)/2, tl.y+tl.size*0.3)
	if dark < 200 {
		t.Fatalf("title area has %d dark pixels, want the title drawn", dark)
	}
	ink := (x1 - x0) / o.Scale
	want := r.fonts.bold.width(title, tl.size)
	boxes := float64(len([]rune(strings.ReplaceAll(title, " ", "")))) * tl.size
	t.Logf("title ink %.1f px wide; Pretendard advance %.1f px; as .notdef boxes it would be ≈ %.1f px", ink, want, boxes)
	if ink < want-4 || ink > want+2 {
		t.Errorf("title ink is %.1f px wide, want ≈ %.1f px (the font's Hangul advances)", ink, want)
	}
}

// inkExtent scans the rectangle (CSS px) of img for dark pixels and returns
// the leftmost and rightmost dark columns (device px) and their count.
func inkExtent(img image.Image, scale, x0, y0, x1, y1 float64) (float64, float64, int) {
	minX, maxX, n := 1e9, -1e9, 0
	for y := int(y0 * scale); y < int(y1*scale); y++ {
		for x := int(x0 * scale); x < int(x1*scale); x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if (r+g+b)/3>>8 < 128 {
				n++
				minX = min(minX, float64(x))
				maxX = max(maxX, float64(x+1))
			}
		}
	}
	return minX, maxX, n
}

// TestMeasureText checks ECharts' text measuring: it comes from the font's
// advance widths, not from ECharts' fallback, which guesses Latin widths
// from a table and counts every other character as one em.
func TestMeasureText(t *testing.T) {
	r := newTestRenderer(t)
	f := r.fonts.regular
	var units int
	for _, c := range "대한민국" {
		units += int(f.font.GlyphAdvance(f.font.GlyphIndex(c)))
	}
	want := float64(units) * 14 / f.upem
	guess := 4 * 14.0 // ECharts' fallback: each non-ASCII character is one em
	for _, font := range []string{"14px Pretendard", "normal normal 400 14px Pretendard, 'Noto Sans KR', sans-serif", "14px sans-serif"} {
		got := r.pool.measure("대한민국", font)
		if d := got - want; d < -1e-9 || d > 1e-9 {
			t.Errorf("measure(%q, %q) = %v, want %v (sum of advances)", "대한민국", font, got, want)
		}
		if got >= guess-1 {
			t.Errorf("measure(%q, %q) = %v, want clearly less than the fallback guess %v", "대한민국", font, got, guess)
		}
	}
	if reg, bold := r.pool.measure("Exports", "13px Pretendard"), r.pool.measure("Exports", "bold 13px Pretendard"); bold <= reg {
		t.Errorf("bold width %v <= regular width %v: weight not parsed", bold, reg)
	}
	if a, b := r.pool.measure("Exports", "12px x"), r.pool.measure("Exports", "24px x"); b < 2*a-1e-9 || b > 2*a+1e-9 {
		t.Errorf("width at 24px = %v, want twice the width at 12px (%v)", b, a)
	}

	// End to end: ECharts lays the legend out with these widths. The second
	// legend item moves right by exactly the width the first one's label
	// gained.
	second := func(first string) float64 {
		opt := strings.Replace(koreanOption, `{"name": "대한민국", "type": "bar"`, `{"name": "`+first+`", "type": "bar"`, 1)
		svg, err := r.Render(context.Background(), []byte(opt), Caption{Title: "x"}, DefaultOptions(SVG))
		if err != nil {
			t.Fatal(err)
		}
		x := 0.0
		for _, m := range legendAt.FindAllSubmatch(svg, -1) {
			if v, err := strconv.ParseFloat(string(m[1]), 64); err == nil {
				x = math.Max(x, v)
			}
		}
		return x
	}
	moved := second("대한민국") - second("대한")
	wantMove := r.pool.measure("대한민국", "13px Pretendard") - r.pool.measure("대한", "13px Pretendard")
	if math.Abs(moved-wantMove) > 0.01 {
		t.Errorf("legend item moved %.4f px for two more syllables, want %.4f (the font's advances; ECharts' guess is 26)", moved, wantMove)
	}
}

var legendAt = regexp.MustCompile(`transform="translate\(([\d.]+) 5(?:\.5)?\)"`)

// TestInjection sends markup as a series name and as a caption source. It
// must stay text: the SVG parses, has no <script>, and the text reads back
// exactly as given. PNG and PDF render it as text too.
func TestInjection(t *testing.T) {
	r := newTestRenderer(t)
	const evil = `</text><script>alert(1)</script><img src=x onerror=alert(1)>`
	option := strings.Replace(koreanOption, `"name": "미국", "type": "bar"`, `"name": "`+strings.ReplaceAll(evil, `"`, `\"`)+`", "type": "bar"`, 1)
	capt := Caption{Title: "T " + evil, Subtitle: evil, Sources: []string{evil}, AsOf: evil, URL: evil}
	svg, err := r.Render(context.Background(), []byte(option), capt, DefaultOptions(SVG))
	if err != nil {
		t.Fatal(err)
	}
	doc := readSVG(t, svg)
	if n := doc.elements["script"] + doc.elements["img"] + doc.elements["foreignObject"]; n != 0 {
		t.Errorf("SVG has %d script/img/foreignObject elements, want 0", n)
	}
	for _, want := range []string{evil, "T " + evil, "Source: " + evil} {
		if !doc.hasText(want) {
			t.Errorf("SVG has no <text> whose content is %q; texts: %q", want, doc.texts)
		}
	}
	if bytes.Contains(bytes.ToLower(svg), []byte("<script")) || bytes.Contains(svg, []byte("onerror=")) && !bytes.Contains(svg, []byte("onerror=alert(1)&gt;")) {
		t.Errorf("SVG contains raw markup from the data")
	}
	for _, f := range []Format{PNG, PDF} {
		if _, err := r.Render(context.Background(), []byte(option), capt, DefaultOptions(f)); err != nil {
			t.Errorf("Render(%s): %v", f, err)
		}
	}
}

// slowOption is a chart big enough to take seconds in the JS engine.
func slowOption() []byte {
	var b strings.Builder
	b.WriteString(`{"xAxis":{"type":"value"},"yAxis":{"type":"value"},"series":[`)
	for s := 0; s < 20; s++ {
		if s > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"type":"line","data":[`)
		for i := 0; i < 20000; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "[%d,%d]", i, (i*7919+s)%1000)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// TestTimeout checks that a render that runs too long is stopped with
// ErrTimeout, and that its runtime is thrown away rather than reused: the
// next render, in the same one-runtime pool, succeeds.
func TestTimeout(t *testing.T) {
	dist := testDist(t)
	r, err := New(dist, nil, 1, 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = r.Render(context.Background(), slowOption(), Caption{Title: "slow"}, DefaultOptions(SVG))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Render(slow) error = %v, want ErrTimeout", err)
	}
	t.Logf("stopped after %v", time.Since(start))
	if e := <-r.pool.slots; e != nil {
		t.Errorf("the interrupted runtime went back to the pool")
	} else {
		r.pool.slots <- e
	}

	// A cancelled context stops a render too, with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := r.Render(ctx, slowOption(), Caption{Title: "slow"}, DefaultOptions(SVG)); !errors.Is(err, context.Canceled) {
		t.Errorf("Render(cancelled) error = %v, want context.Canceled", err)
	}

	// A fresh runtime takes the slot; give it time, race detector included.
	r.pool.timeout = testtool.Timeout(2 * time.Minute)
	c := chartByID(t, "us-goods-trade")
	svg, err := r.Render(context.Background(), c.OptionJSON, captionOf(c), DefaultOptions(SVG))
	if err != nil {
		t.Fatalf("Render after a timeout: %v", err)
	}
	readSVG(t, svg)
}

// TestConcurrent renders from several goroutines at once (run with -race)
// and checks that every result equals the sequential one: runtimes share
// nothing that changes the output.
func TestConcurrent(t *testing.T) {
	r := newTestRenderer(t)
	cs := testCharts(t)[:4]
	want := map[string][]byte{}
	for _, c := range cs {
		b, err := r.Render(context.Background(), c.OptionJSON, captionOf(c), DefaultOptions(SVG))
		if err != nil {
			t.Fatal(err)
		}
		want[c.ID] = b
	}
	const workers = 6
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := cs[i%len(cs)]
			f := []Format{SVG, PNG, PDF}[i%3]
			b, err := r.Render(context.Background(), c.OptionJSON, captionOf(c), DefaultOptions(f))
			if err != nil {
				errs <- fmt.Errorf("%s %s: %w", c.ID, f, err)
				return
			}
			if f == SVG && !bytes.Equal(b, want[c.ID]) {
				errs <- fmt.Errorf("%s: concurrent SVG differs from the sequential one", c.ID)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestValidate(t *testing.T) {
	ok := DefaultOptions(PNG)
	tests := []struct {
		name  string
		edit  func(*Options)
		param string // "" when valid
	}{
		{"default", func(*Options) {}, ""},
		{"smallest", func(o *Options) { o.Width, o.Height, o.Scale = 320, 240, 1 }, ""},
		{"narrow", func(o *Options) { o.Width = 319 }, "width"},
		{"wide", func(o *Options) { o.Width = 4001 }, "width"},
		{"short", func(o *Options) { o.Height = 239 }, "height"},
		{"tall", func(o *Options) { o.Height = 4001 }, "height"},
		{"scale 0", func(o *Options) { o.Scale = 0 }, "scale"},
		{"scale 5", func(o *Options) { o.Scale = 5 }, "scale"},
		{"too many pixels", func(o *Options) { o.Width, o.Height, o.Scale = 4000, 4000, 4 }, "pixels"},
		{"big SVG", func(o *Options) { o.Format, o.Width, o.Height, o.Scale = SVG, 4000, 4000, 4 }, ""},
		{"format", func(o *Options) { o.Format = "gif" }, "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			err := o.Validate()
			var be *BoundsError
			switch {
			case tt.param == "" && err != nil:
				t.Errorf("Validate(%+v) = %v, want nil", o, err)
			case tt.param != "" && !errors.As(err, &be):
				t.Errorf("Validate(%+v) = %v, want a *BoundsError", o, err)
			case tt.param != "" && be.Param != tt.param:
				t.Errorf("Validate(%+v) names %q, want %q", o, be.Param, tt.param)
			case tt.param != "" && !strings.Contains(err.Error(), tt.param):
				t.Errorf("Validate(%+v) message %q does not name %q", o, err, tt.param)
			}
		})
	}
	if err := (Options{Format: PNG, Width: 10, Height: 675, Scale: 2}).Validate(); err == nil || !strings.Contains(err.Error(), "between 320 and 4000") {
		t.Errorf("Validate(width 10) = %v, want the allowed range in the message", err)
	}
}

// TestRenderRejectsBounds: Render validates before doing any work.
func TestRenderRejectsBounds(t *testing.T) {
	r := newTestRenderer(t)
	_, err := r.Render(context.Background(), []byte(koreanOption), Caption{}, Options{Format: PNG, Width: 100, Height: 100, Scale: 1})
	var be *BoundsError
	if !errors.As(err, &be) {
		t.Fatalf("Render(100x100) error = %v, want *BoundsError", err)
	}
}

func TestBadOption(t *testing.T) {
	r := newTestRenderer(t)
	for _, opt := range []string{``, `[]`, `{"series": [`, `null`} {
		if _, err := r.Render(context.Background(), []byte(opt), Caption{}, DefaultOptions(SVG)); err == nil {
			t.Errorf("Render(%q) = nil error, want an error", opt)
		}
	}
}

// TestTransparent: the background is white unless asked otherwise, and the
// PNG then has an alpha channel with clear corners.
func TestTransparent(t *testing.T) {
	r := newTestRenderer(t)
	for _, transparent := range []bool{false, true} {
		o := Options{Format: PNG, Width: 400, Height: 300, Scale: 1, Transparent: transparent}
		b, err := r.Render(context.Background(), []byte(koreanOption), Caption{Title: "T"}, o)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, a := img.At(1, 1).RGBA()
		if want := map[bool]uint32{false: 0xffff, true: 0}[transparent]; a != want {
			t.Errorf("Transparent=%v: corner alpha = %#x, want %#x", transparent, a, want)
		}
		svg, err := r.Render(context.Background(), []byte(koreanOption), Caption{Title: "T"}, Options{Format: SVG, Width: 400, Height: 300, Scale: 1, Transparent: transparent})
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(svg, []byte(`fill="#ffffff"/>`)); got == transparent {
			t.Errorf("Transparent=%v: SVG background rectangle present = %v", transparent, got)
		}
	}
}
