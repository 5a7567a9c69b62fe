package web

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestHead: every GET route answers HEAD with the headers a GET gets and
// no body, through a real server (as curl -I would).
func TestHead(t *testing.T) {
	s := newTestServer(t, nil)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	do := func(method, path string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip") // as a browser; also keeps the transport from decoding
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	for _, path := range []string{
		"/", "/healthz", "/readyz", "/robots.txt", "/charts/us-goods-trade", "/charts/us-goods-trade.csv",
		"/charts/us-goods-trade.png", "/charts/us-goods-trade.svg", "/data/dataset.xlsx", "/api/v1/charts",
		"/static/" + s.assets.manifest["app.js"], "/admin/login", "/charts/nope",
	} {
		get, body := do(http.MethodGet, path)
		head, hbody := do(http.MethodHead, path)
		if head.StatusCode != get.StatusCode || len(hbody) != 0 {
			t.Errorf("HEAD %s = %d with %d bytes, GET = %d", path, head.StatusCode, len(hbody), get.StatusCode)
			continue
		}
		for _, k := range []string{"Content-Type", "Content-Length", "Etag", "Cache-Control", "Vary", "Content-Encoding", "Content-Disposition", "Content-Security-Policy", "X-Dataset-Version"} {
			if g, h := get.Header.Get(k), head.Header.Get(k); g != h {
				t.Errorf("HEAD %s: %s = %q, GET sends %q", path, k, h, g)
			}
		}
		if cl := head.Header.Get("Content-Length"); cl == "" && len(body) > 0 {
			t.Errorf("HEAD %s has no Content-Length", path)
		}
	}
}

func TestConditionalAndRange(t *testing.T) {
	s := newTestServer(t, nil)
	asset := "/static/" + s.assets.manifest["app.js"]
	for _, path := range []string{"/", "/charts/us-goods-trade.json", asset, "/charts/us-goods-trade.svg?plain=1", "/data/dataset.xlsx"} {
		for _, ae := range []string{"", "gzip", "br"} {
			first := get(t, s, path, "Accept-Encoding", ae)
			etag := first.Header().Get("Etag")
			if first.Code != 200 || etag == "" {
				t.Fatalf("GET %s (%s) = %d, ETag %q", path, ae, first.Code, etag)
			}
			for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, `W/"other",W/` + etag, "*"} {
				if rec := get(t, s, path, "Accept-Encoding", ae, "If-None-Match", inm); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
					t.Errorf("GET %s (%s) If-None-Match %s = %d, want 304", path, ae, inm, rec.Code)
				}
			}
		}
	}
	// Each encoding has its own tag.
	tags := map[string]string{}
	for _, ae := range []string{"", "gzip", "br"} {
		tags[get(t, s, "/", "Accept-Encoding", ae).Header().Get("Etag")] = ae
	}
	if len(tags) != 3 {
		t.Errorf("identity, gzip and br share tags: %v", tags)
	}
	if rec := get(t, s, "/", "Accept-Encoding", "br;q=0.1, gzip;q=1"); rec.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("br;q=0.1, gzip;q=1 got %q", rec.Header().Get("Content-Encoding"))
	}
	if rec := get(t, s, asset, "Accept-Encoding", "gzip;q=0, br;q=0"); rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("refused codings got %q", rec.Header().Get("Content-Encoding"))
	}
	// Downloads resume.
	full := get(t, s, "/data/dataset.xlsx")
	for _, path := range []string{"/data/dataset.xlsx", "/charts/us-goods-trade.csv", "/charts/us-goods-trade.xlsx"} {
		whole := get(t, s, path)
		rec := get(t, s, path, "Range", "bytes=0-99", "Accept-Encoding", "gzip")
		if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), whole.Body.Bytes()[:100]) || rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("Range on %s = %d, %d bytes", path, rec.Code, rec.Body.Len())
		}
	}
	etag := full.Header().Get("Etag")
	if rec := get(t, s, "/data/dataset.xlsx", "Range", "bytes=100-", "If-Range", etag); rec.Code != http.StatusPartialContent || rec.Body.Len() != full.Body.Len()-100 {
		t.Errorf("If-Range with the current tag = %d", rec.Code)
	}
	if rec := get(t, s, "/data/dataset.xlsx", "Range", "bytes=100-", "If-Range", `"old"`); rec.Code != http.StatusOK {
		t.Errorf("If-Range with an old tag = %d, want the whole file", rec.Code)
	}
}
