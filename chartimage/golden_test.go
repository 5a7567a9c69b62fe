package chartimage

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/bilateral/bilateral/internal/chromium"
	"github.com/bilateral/bilateral/internal/golden"
)

// goldenCharts are pinned as SVG: a bar+line chart with decals, gaps and a
// second series type, and the map with its visualMap gradient.
var goldenCharts = []string{"us-goods-trade", "investment-map"}

// TestGoldenSVG pins the SVG of two charts, caption included. The output is
// a function of the option, the caption, echarts-ssr.js and the fonts only
// (ids are renumbered, the JS clock is stopped and Math.random seeded), so
// a diff here means a change in one of those. After an intended change,
// refresh with `go test ./chartimage -run TestGoldenSVG -update` and review
// the diff (and the images: `go test ./chartimage -run TestGoldenSVG -v`
// writes them beside the golden files when -update is given).
func TestGoldenSVG(t *testing.T) {
	r := newTestRenderer(t)
	for _, id := range goldenCharts {
		t.Run(id, func(t *testing.T) {
			c := chartByID(t, id)
			got, err := r.Render(context.Background(), c.OptionJSON, captionOf(c), DefaultOptions(SVG))
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, id+".golden.svg", got)
		})
	}
}

// Fidelity thresholds. The browser and our rasteriser draw the same
// geometry with the same font, so what differs is anti-aliasing: edge
// coverage, glyph hinting (Chromium hints glyph outlines, we do not) and
// the darker stems of Chromium's text. Measured at 1000×600, scale 1, on
// us-goods-trade (bars, line, decals, much small text):
//
//	our SVG as written               mean 1.15, strong 0.62 %
//	all text 1 px lower in Chromium  mean 2.02, strong 1.15 %
//	decal patterns left out          mean 1.58, strong 0.62 %
//	SVG without its embedded fonts   mean 3.94, strong 2.70 %
//
// (mean: mean |Δ| per channel on 0–255; strong: share of pixels with a
// channel off by more than 64.) The other cases measure 0.17–1.21 and
// 0.04–0.63 %. The limits sit about a quarter above the worst good case
// and below a one-pixel text shift or missing fonts; a missing decal is
// caught by the mean only when combined with anything else, so decals have
// their own golden SVG.
const (
	fidelityMeanMax   = 1.5   // mean |Δ| per channel, 0–255
	fidelityStrongMax = 0.010 // share of pixels with any channel off by > 64
)

// TestFidelity renders our SVG in headless Chromium (the reader's browser)
// and compares the screenshot with our PNG of the same size: the pure-Go
// rasteriser must draw what the browser draws, and the SVG must carry its
// fonts (Chromium here has no Pretendard; a missing font moves every
// label and fails the test).
func TestFidelity(t *testing.T) {
	r := newTestRenderer(t)
	ctx := chromium.New(t)
	// No font is given to Chromium: the machine has no Pretendard, so the
	// SVG must bring its own (the page's woff2 subsets, embedded).
	const css = "html,body{margin:0;padding:0}svg{display:block}"

	cases := []struct {
		name    string
		option  []byte
		caption Caption
	}{
		{"hangul", []byte(koreanOption), Caption{Title: "대한민국과 미국의 교역", Subtitle: "십억 달러", Sources: []string{"관세청"}, AsOf: "2024-05-31"}},
	}
	for _, id := range append(goldenCharts, "trade-ranks") {
		c := chartByID(t, id)
		cases = append(cases, struct {
			name    string
			option  []byte
			caption Caption
		}{id, c.OptionJSON, captionOf(c)})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Format: SVG, Width: 1000, Height: 600, Scale: 1}
			svg, err := r.Render(context.Background(), tc.option, tc.caption, o)
			if err != nil {
				t.Fatal(err)
			}
			o.Format = PNG
			ours, err := r.Render(context.Background(), tc.option, tc.caption, o)
			if err != nil {
				t.Fatal(err)
			}
			body := svg[bytes.Index(svg, []byte("<svg")):]
			html := "<!doctype html><html><head><meta charset=utf-8><style>" + css + "</style></head><body>" + string(body) + "</body></html>"
			shot, err := chromium.Screenshot(ctx, html, o.Width, o.Height, o.Scale)
			if err != nil {
				t.Fatal(err)
			}
			a, err := png.Decode(bytes.NewReader(shot))
			if err != nil {
				t.Fatal(err)
			}
			b, err := png.Decode(bytes.NewReader(ours))
			if err != nil {
				t.Fatal(err)
			}
			mean, strong := compareImages(t, a, b)
			t.Logf("mean |Δ| %.3f of 255, %.3f%% of pixels off by > 64", mean, strong*100)
			if mean > fidelityMeanMax || strong > fidelityStrongMax {
				dir := t.TempDir()
				os.WriteFile(filepath.Join(dir, "chromium.png"), shot, 0o644)
				os.WriteFile(filepath.Join(dir, "ours.png"), ours, 0o644)
				t.Errorf("PNG differs from Chromium's rendering of the SVG: mean %.3f (max %.1f), strong %.3f%% (max %.1f%%); images in %s",
					mean, fidelityMeanMax, strong*100, fidelityStrongMax*100, dir)
			}
		})
	}
}

// compareImages returns the mean absolute difference per channel and the
// share of pixels where a channel differs by more than 64. Both images are
// composed over white first (ours may be transparent where Chromium is not).
func compareImages(t *testing.T, a, b image.Image) (mean, strong float64) {
	t.Helper()
	if a.Bounds().Size() != b.Bounds().Size() {
		t.Fatalf("sizes differ: Chromium %v, ours %v", a.Bounds().Size(), b.Bounds().Size())
	}
	ab, bb := a.Bounds(), b.Bounds()
	var sum float64
	var n, off int
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			p, q := overWhite(a.At(ab.Min.X+x, ab.Min.Y+y)), overWhite(b.At(bb.Min.X+x, bb.Min.Y+y))
			worst := 0.0
			for i := 0; i < 3; i++ {
				d := math.Abs(p[i] - q[i])
				sum += d
				worst = math.Max(worst, d)
			}
			if worst > 64 {
				off++
			}
			n++
		}
	}
	return sum / float64(3*n), float64(off) / float64(n)
}

func overWhite(c interface{ RGBA() (r, g, b, a uint32) }) [3]float64 {
	r, g, b, a := c.RGBA()
	w := 65535 - float64(a)
	return [3]float64{(float64(r) + w) / 257, (float64(g) + w) / 257, (float64(b) + w) / 257}
}
