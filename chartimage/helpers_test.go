package chartimage

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/internal/testtool"
	"github.com/bilateral/bilateral/web/charts"
)

// distDir is the built front-end (make assets / npm run build).
const distDir = "../web/static/dist"

// testDist returns the built front-end files, or skips (fails with
// BILATERAL_REQUIRE_TOOLS=1) when they have not been built.
func testDist(tb testing.TB) fs.FS {
	tb.Helper()
	dist := os.DirFS(distDir)
	if _, err := fs.Stat(dist, "manifest.json"); err != nil {
		testtool.Missing(tb, "web/static/dist is not built: run `npm ci && npm run build` (Debian packages nodejs and npm)")
	}
	return dist
}

var (
	sharedOnce sync.Once
	shared     *Renderer
	sharedErr  error
)

// newTestRenderer returns a renderer shared by the package's tests (loading
// ECharts and the fonts takes a while), with two runtimes.
func newTestRenderer(tb testing.TB) *Renderer {
	tb.Helper()
	dist := testDist(tb)
	sharedOnce.Do(func() { shared, sharedErr = New(dist, nil, 2, testtool.Timeout(2*time.Minute)) })
	if sharedErr != nil {
		tb.Fatalf("New: %v", sharedErr)
	}
	return shared
}

// testCharts builds every chart of the default dataset.
func testCharts(tb testing.TB) []*charts.Chart {
	tb.Helper()
	cs, err := charts.Build(datasets.MustDefault())
	if err != nil {
		tb.Fatalf("charts.Build: %v", err)
	}
	return cs
}

func chartByID(tb testing.TB, id string) *charts.Chart {
	tb.Helper()
	for _, c := range testCharts(tb) {
		if c.ID == id {
			return c
		}
	}
	tb.Fatalf("no chart %q", id)
	return nil
}

// captionOf is the caption the web layer gives a chart.
func captionOf(c *charts.Chart) Caption {
	var srcs []string
	for _, s := range c.Sources {
		srcs = append(srcs, s.Organisation)
	}
	return Caption{Title: c.Title, Subtitle: c.Subtitle, Sources: srcs, AsOf: "2024-05-31", URL: "https://bilateral.example/charts/" + c.ID}
}

// svgDoc is what a test reads back from an SVG: its elements by name and
// their text.
type svgDoc struct {
	elements map[string]int
	texts    []string // character data of each <text>, <title>, <desc>
}

// readSVG parses b with encoding/xml (strict) and collects elements and
// texts; it fails the test when b is not well-formed XML.
func readSVG(tb testing.TB, b []byte) svgDoc {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	doc := svgDoc{elements: map[string]int{}}
	var stack []string
	var cur *strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			doc.elements[t.Name.Local]++
			stack = append(stack, t.Name.Local)
			switch t.Name.Local {
			case "text", "title", "desc":
				cur = &strings.Builder{}
			}
		case xml.EndElement:
			if cur != nil && (t.Name.Local == "text" || t.Name.Local == "title" || t.Name.Local == "desc") {
				doc.texts = append(doc.texts, cur.String())
				cur = nil
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if cur != nil {
				cur.Write(t)
			}
		}
	}
	return doc
}

func (d svgDoc) hasText(s string) bool {
	for _, t := range d.texts {
		if t == s {
			return true
		}
	}
	return false
}

func (d svgDoc) containsText(s string) bool {
	for _, t := range d.texts {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}
