package web

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/bilateral/bilateral/datasets"
)

func TestChartImages(t *testing.T) {
	s := newTestServer(t, nil)
	t.Run("png default size", func(t *testing.T) {
		rec := get(t, s, "/charts/us-goods-trade.png")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
			t.Fatalf("GET .png = %d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
		img, err := png.DecodeConfig(bytes.NewReader(rec.Body.Bytes()))
		if err != nil || img.Width != 2400 || img.Height != 1350 {
			t.Errorf("PNG is %dx%d (%v), want 2400x1350 (1200x675 at scale 2)", img.Width, img.Height, err)
		}
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "us-goods-trade-v1.png") {
			t.Errorf("Content-Disposition = %q", cd)
		}
	})
	t.Run("png size and scale", func(t *testing.T) {
		rec := get(t, s, "/charts/rok-oda.png?width=800&height=500&scale=1.5")
		img, err := png.DecodeConfig(bytes.NewReader(rec.Body.Bytes()))
		if err != nil || img.Width != 1200 || img.Height != 750 {
			t.Errorf("PNG is %dx%d (%v), want 1200x750", img.Width, img.Height, err)
		}
	})
	t.Run("svg carries title and source", func(t *testing.T) {
		rec := get(t, s, "/charts/rok-oda.svg")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/svg+xml" {
			t.Fatalf("GET .svg = %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), new(struct{})); err != nil {
			t.Errorf("SVG does not parse as XML: %v", err)
		}
		body := rec.Body.String()
		for _, want := range []string{"Korea&#39;s official development assistance", "Source", "Data as of 27 November 2026", "/charts/rok-oda"} {
			if !strings.Contains(body, want) && !strings.Contains(body, strings.ReplaceAll(want, "&#39;", "'")) {
				t.Errorf("SVG lacks %q", want)
			}
		}
	})
	t.Run("pdf", func(t *testing.T) {
		rec := get(t, s, "/charts/energy-exports.pdf")
		if rec.Code != http.StatusOK || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF")) {
			t.Errorf("GET .pdf = %d, not a PDF", rec.Code)
		}
	})
	t.Run("bounds", func(t *testing.T) {
		for _, q := range []string{"width=10", "height=99999", "scale=9", "width=abc", "theme=purple"} {
			rec := get(t, s, "/charts/rok-oda.png?"+q)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), strings.Split(q, "=")[0]) {
				t.Errorf("?%s = %d %q, want 400 naming the parameter", q, rec.Code, rec.Body.String())
			}
		}
	})
	t.Run("etag and cache", func(t *testing.T) {
		rec := get(t, s, "/charts/energy-exports.svg?plain=1&v=1")
		etag := rec.Header().Get("ETag")
		if !strings.HasPrefix(etag, `"v1-`) || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("ETag %q Cache-Control %q", etag, rec.Header().Get("Cache-Control"))
		}
		if rec := get(t, s, "/charts/energy-exports.svg?plain=1&v=1", "If-None-Match", etag); rec.Code != http.StatusNotModified {
			t.Errorf("revalidation = %d, want 304", rec.Code)
		}
		if other := get(t, s, "/charts/energy-exports.svg?plain=1&theme=dark&v=1").Header().Get("ETag"); other == etag {
			t.Errorf("dark and light images share an ETag")
		}
	})
	t.Run("a burst renders once", func(t *testing.T) {
		before := s.images.renders.Load()
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if rec := get(t, s, "/charts/kr-trade-shares.png?width=640&height=360"); rec.Code != http.StatusOK {
					t.Errorf("burst request = %d", rec.Code)
				}
			}()
		}
		wg.Wait()
		if n := s.images.renders.Load() - before; n != 1 {
			t.Errorf("8 identical requests drew %d images, want 1", n)
		}
	})
	t.Run("zip of all charts", func(t *testing.T) {
		rec := get(t, s, "/data/charts.zip?format=svg")
		zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
		if err != nil {
			t.Fatalf("ZIP: %v", err)
		}
		if len(zr.File) != len(s.cur.Load().charts) {
			t.Errorf("ZIP has %d files, want one per chart", len(zr.File))
		}
	})
	t.Run("page placeholders load", func(t *testing.T) {
		d := doc(t, get(t, s, "/").Body.Bytes())
		srcs := d.Find(".chart-image img").Map(func(_ int, sel *goquery.Selection) string { v, _ := sel.Attr("src"); return v })
		if len(srcs) < 8 {
			t.Fatalf("%d chart images on the page", len(srcs))
		}
		rec := get(t, s, srcs[0])
		// A stand-in embeds a subset of the font with just its glyphs, not
		// the page's font files: it must stay small.
		if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte("woff2")) || rec.Body.Len() > 40<<10 {
			t.Errorf("placeholder %s = %d, %d bytes; want a small SVG with a glyph subset", srcs[0], rec.Code, rec.Body.Len())
		}
		if gz := get(t, s, srcs[0], "Accept-Encoding", "gzip"); gz.Header().Get("Content-Encoding") != "gzip" || gz.Body.Len() >= rec.Body.Len()/2 {
			t.Errorf("placeholder not served compressed: %s, %d bytes", gz.Header().Get("Content-Encoding"), gz.Body.Len())
		}
	})
}

func TestImageInjectionIsInert(t *testing.T) {
	d := datasets.MustDefault()
	for i := range d.Sources {
		d.Sources[i].Organisation = `</text><script>alert(1)</script>`
	}
	s := newTestServer(t, d)
	rec := get(t, s, "/charts/rok-oda.svg")
	body := rec.Body.Bytes()
	if bytes.Contains(body, []byte("<script")) {
		t.Errorf("SVG contains a script element")
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	var texts []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			texts = append(texts, string(cd))
		}
	}
	if !strings.Contains(strings.Join(texts, ""), `</text><script>alert(1)</script>`) {
		t.Errorf("the source text did not arrive as text")
	}
	png := get(t, s, "/charts/rok-oda.png")
	if png.Code != http.StatusOK {
		t.Errorf("PNG with hostile text = %d", png.Code)
	}
}
