package respond

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	all := New("text/plain", []byte("x"), Text("t"))
	gzOnly := New("text/plain", []byte("x"), Options{Tag: "t", LazyGzip: true})
	none := New("image/png", []byte("x"), Options{Tag: "t"})
	for _, tc := range []struct {
		header string
		body   *Body
		want   coding
	}{
		{"", all, identity},
		{"gzip, deflate, br", all, brCoding},
		{"gzip, deflate, br, zstd", gzOnly, gzipCoding},
		{"br;q=0.1, gzip;q=1", all, gzipCoding},
		{"br;q=0, gzip", all, gzipCoding},
		{"br;q=0.0, gzip;q=0.000", all, identity},
		{"BR", all, brCoding},
		{"x-gzip", all, gzipCoding},
		{"*", all, brCoding},
		{"*;q=0.5, gzip", all, gzipCoding},
		{"identity", all, identity},
		{"identity;q=0.5, gzip;q=0.4", all, identity},
		{"gzip;q=0.5, identity;q=0.5", all, gzipCoding}, // a tie goes to the smaller form
		{"gzip;q=bogus", all, identity},
		{"br", none, identity},
		{"deflate", all, identity},
	} {
		var h []string
		if tc.header != "" {
			h = []string{tc.header}
		}
		if got := tc.body.negotiate(h); got != tc.want {
			t.Errorf("Accept-Encoding %q: %v, want %v", tc.header, got, tc.want)
		}
	}
	// Several header lines count as one list.
	if got := all.negotiate([]string{"br;q=0.2", "gzip"}); got != gzipCoding {
		t.Errorf("two lines: %v, want gzip", got)
	}
}

func TestNoneMatch(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{`"abc"`, true},
		{`W/"abc"`, true},
		{`"x", W/"abc"`, true},
		{`"x","abc"`, true},
		{`*`, true},
		{`"abc-br"`, false},
		{`"ab"`, false},
		{``, false},
		{`abc`, false},
	} {
		if got := noneMatch([]string{tc.header}, `"abc"`); got != tc.want {
			t.Errorf("If-None-Match %q: %v, want %v", tc.header, got, tc.want)
		}
	}
}

func serve(b *Body, method string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/", nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	b.Serve(w, r)
	return w
}

func TestServe(t *testing.T) {
	raw := []byte(strings.Repeat("bilateral statistics ", 200))
	b := New("text/plain; charset=utf-8", raw, Text("v1-abc"))

	plain := serve(b, http.MethodGet)
	if plain.Code != 200 || !bytes.Equal(plain.Body.Bytes(), raw) || plain.Header().Get("Etag") != `"v1-abc"` ||
		plain.Header().Get("Vary") != "Accept-Encoding" || plain.Header().Get("Content-Encoding") != "" {
		t.Errorf("identity: %d %v", plain.Code, plain.Header())
	}
	gz := serve(b, http.MethodGet, "Accept-Encoding", "br;q=0.1, gzip;q=1")
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("Etag") != `"v1-abc-gzip"` {
		t.Fatalf("gzip: %v", gz.Header())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); !bytes.Equal(got, raw) {
		t.Errorf("gzip form does not decompress to the body")
	}
	br := serve(b, http.MethodGet, "Accept-Encoding", "gzip, br")
	if br.Header().Get("Content-Encoding") != "br" || br.Header().Get("Etag") != `"v1-abc-br"` || br.Body.Len() >= len(raw) {
		t.Errorf("br: %v, %d bytes", br.Header(), br.Body.Len())
	}

	// Each coding's tag revalidates that coding only.
	if rec := serve(b, http.MethodGet, "Accept-Encoding", "br", "If-None-Match", `W/"v1-abc-br"`); rec.Code != 304 || rec.Body.Len() != 0 {
		t.Errorf("weak br tag: %d", rec.Code)
	}
	if rec := serve(b, http.MethodGet, "If-None-Match", `"v1-abc-br"`); rec.Code != 200 {
		t.Errorf("br tag for identity: %d, want 200", rec.Code)
	}

	head := serve(b, http.MethodHead, "Accept-Encoding", "gzip")
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Length") != gz.Header().Get("Content-Length") ||
		head.Header().Get("Etag") != gz.Header().Get("Etag") {
		t.Errorf("HEAD: %d, %d bytes, %v", head.Code, head.Body.Len(), head.Header())
	}

	// Ranges only where asked for.
	if rec := serve(b, http.MethodGet, "Range", "bytes=0-9"); rec.Code != 200 {
		t.Errorf("Range on a page: %d, want 200", rec.Code)
	}
	dl := New("application/zip", raw, Options{Ranges: true})
	rec := serve(dl, http.MethodGet, "Range", "bytes=10-19", "Accept-Encoding", "gzip")
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), raw[10:20]) || rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("Range: %d %q %v", rec.Code, rec.Body.Bytes(), rec.Header())
	}
	if rec := serve(dl, http.MethodGet); rec.Header().Get("Accept-Ranges") != "bytes" || rec.Header().Get("Etag") != `"`+Hash(raw)+`"` {
		t.Errorf("download headers: %v", rec.Header())
	}
}

func TestCheck(t *testing.T) {
	o := Options{Tag: "v2-img", LazyGzip: true}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	r.Header.Set("If-None-Match", `"v2-img-gzip"`)
	w := httptest.NewRecorder()
	if !Check(w, r, o) || w.Code != 304 {
		t.Errorf("Check: %d", w.Code)
	}
	r.Header.Set("If-None-Match", `"v2-img"`)
	w = httptest.NewRecorder()
	if Check(w, r, o) || w.Header().Get("Etag") != `"v2-img-gzip"` {
		t.Errorf("Check with another coding's tag: %v", w.Header())
	}
}

// TestServeAllocations guards the hot path: serving a page from memory
// allocates nothing of its own.
func TestServeAllocations(t *testing.T) {
	b := New("text/html", []byte(strings.Repeat("<p>x</p>", 100)), Text("v1-abc"))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Encoding", "gzip, deflate, br;q=0.9")
	r.Header.Set("If-None-Match", `W/"other", "v1-abc-gzip-old"`)
	w := &discard{h: http.Header{}}
	b.Serve(w, r)
	if n := testing.AllocsPerRun(100, func() { b.Serve(w, r) }); n > 0 {
		t.Errorf("Serve allocates %v times per request", n)
	}
}

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
