package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/internal/testtool"
	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/charts"
)

// newTestServer serves d (the default dataset when nil) through the whole
// router, with a real SQLite store in a temporary directory.
func newTestServer(t testing.TB, d *stats.Dataset) *Server {
	t.Helper()
	s, _ := newTestServerStore(t, d)
	return s
}

func newTestServerStore(t testing.TB, d *stats.Dataset) (*Server, *sqlite.Store) {
	t.Helper()
	store, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if d != nil {
		var wb bytes.Buffer
		if err := xlsx.Encode(&wb, d); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Publish(context.Background(), datasets.NewVersion{Workbook: wb.Bytes(), Dataset: d, Author: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := NewServer(Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	// A map drawn with the race detector on a busy machine takes longer than
	// the production bound of 10 s; a test wants the image, not a 503.
	s.images.timeout = testtool.Timeout(2 * time.Minute)
	return s, store
}

func get(t testing.TB, s *Server, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func doc(t testing.TB, body []byte) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parsing HTML: %v", err)
	}
	return d
}

func TestDashboard(t *testing.T) {
	s := newTestServer(t, nil)
	rec := get(t, s, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / = %d", rec.Code)
	}
	d := doc(t, rec.Body.Bytes())

	for _, id := range []string{"overview", "trade", "investment", "development", "energy", "covid", "technology", "next", "sources"} {
		if d.Find("section#"+id).Length() != 1 {
			t.Errorf("dashboard lacks section #%s", id)
		}
	}
	figs := d.Find("figure.chart[data-chart]")
	if figs.Length() < 8 {
		t.Errorf("dashboard has %d charts, want at least 8", figs.Length())
	}
	figs.Each(func(_ int, f *goquery.Selection) {
		id, _ := f.Attr("data-chart")
		if f.Find("[data-chart-box][role=img][aria-label]").Length() != 1 {
			t.Errorf("chart %s has no labelled chart box", id)
		}
		raw := f.Find("script[type='application/json'][data-chart-option]").Text()
		var opt map[string]any
		if err := json.Unmarshal([]byte(raw), &opt); err != nil {
			t.Errorf("chart %s: option is not valid JSON: %v", id, err)
		}
		if !strings.HasPrefix(f.Find(".chart-source").Text(), "Source") {
			t.Errorf("chart %s caption does not name its source: %q", id, f.Find(".chart-source").Text())
		}
		if href, _ := f.Find(".chart-links a").First().Attr("href"); href != "/charts/"+id {
			t.Errorf("chart %s links to %q, want /charts/%s", id, href, id)
		}
	})

	// Every figure quoted in the narrative is available and cites a source
	// listed at the bottom of the page.
	if miss := d.Find(".num.missing"); miss.Length() > 0 {
		var keys []string
		miss.Each(func(_ int, m *goquery.Selection) { k, _ := m.Attr("title"); keys = append(keys, k) })
		t.Errorf("narrative has figures missing from the dataset: %v", keys)
	}
	nums := d.Find(".story-text .num")
	if nums.Length() < 20 {
		t.Errorf("narrative quotes %d figures, want at least 20", nums.Length())
	}
	nums.Each(func(_ int, n *goquery.Selection) {
		a := n.Next().Find("a")
		href, _ := a.Attr("href")
		if !strings.HasPrefix(href, "#src-") || d.Find("li"+href).Length() != 1 {
			t.Errorf("figure %q cites %q, which is not in the source list", n.Text(), href)
		}
	})
	// The fact sheet's headline figures appear with their wording.
	text := d.Find("main").Text()
	for _, want := range []string{"more than $170 billion", "more than 1,200 companies", "$233 million", "2.5 million masks", "$26 million", "$108 million", "$830 million"} {
		if !strings.Contains(text, want) {
			t.Errorf("dashboard text lacks %q", want)
		}
	}
	// Nothing is loaded from outside the server.
	d.Find("script[src], link[href], img[src]").Each(func(_ int, el *goquery.Selection) {
		for _, attr := range []string{"src", "href"} {
			if v, ok := el.Attr(attr); ok && (strings.HasPrefix(v, "http") || strings.HasPrefix(v, "//")) {
				t.Errorf("page loads an outside resource: %s", v)
			}
		}
	})
	if d.Find("script:not([src]):not([type='application/json'])").Length() > 0 {
		t.Errorf("page has an inline script")
	}
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}

func TestDashboardCachingAndCompression(t *testing.T) {
	s := newTestServer(t, nil)
	rec := get(t, s, "/", "Accept-Encoding", "gzip")
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if !bytes.Contains(body, []byte("<h2 id=\"trade-h\">Trade</h2>")) {
		t.Errorf("gzipped page does not decode to the dashboard")
	}
	etag := rec.Header().Get("ETag")
	if !strings.HasPrefix(etag, `"v1-`) {
		t.Errorf("ETag = %q, want one derived from version 1", etag)
	}
	if rec := get(t, s, "/", "Accept-Encoding", "gzip", "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("GET / with matching If-None-Match = %d, want 304", rec.Code)
	}
	// The tag names the gzip form: a client without gzip gets the page.
	if rec := get(t, s, "/", "If-None-Match", etag); rec.Code != http.StatusOK {
		t.Errorf("GET / identity with the gzip form's tag = %d, want 200", rec.Code)
	}
	if rec := get(t, s, "/", "Accept-Encoding", "br;q=1, gzip"); rec.Header().Get("Content-Encoding") != "br" {
		t.Errorf("with br accepted, Content-Encoding = %q, want br", rec.Header().Get("Content-Encoding"))
	}
}

func TestStaticAssets(t *testing.T) {
	s := newTestServer(t, nil)
	d := doc(t, get(t, s, "/").Body.Bytes())
	src, _ := d.Find("script[src]").Attr("src")
	css, _ := d.Find("link[rel=stylesheet]").Attr("href")
	for _, u := range []string{src, css, s.assets.URL("us-states.json")} {
		rec := get(t, s, u)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d", u, rec.Code)
			continue
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s Cache-Control = %q", u, cc)
		}
	}
	if rec := get(t, s, "/static/app.js"); rec.Code != http.StatusNotFound {
		t.Errorf("unhashed name served with %d, want 404", rec.Code)
	}
}

func TestChartEndpoints(t *testing.T) {
	s := newTestServer(t, nil)
	d := datasets.MustDefault()
	for _, spec := range charts.Specs(d) {
		t.Run(spec.ID, func(t *testing.T) {
			page := get(t, s, "/charts/"+spec.ID)
			if page.Code != http.StatusOK {
				t.Fatalf("GET /charts/%s = %d", spec.ID, page.Code)
			}
			pd := doc(t, page.Body.Bytes())
			if pd.Find("h1").Text() != spec.Title {
				t.Errorf("chart page h1 = %q, want %q", pd.Find("h1").Text(), spec.Title)
			}
			rows := pd.Find("table.data-table tbody tr")
			if rows.Length() == 0 {
				t.Errorf("chart page has an empty table")
			}
			if pd.Find("#sources li").Length() == 0 {
				t.Errorf("chart page lists no sources")
			}

			js := get(t, s, "/charts/"+spec.ID+".json")
			var opt map[string]any
			if js.Code != http.StatusOK || json.Unmarshal(js.Body.Bytes(), &opt) != nil {
				t.Errorf("GET .json = %d, not an ECharts option", js.Code)
			}
			if _, ok := opt["series"]; !ok {
				t.Errorf(".json has no series")
			}

			c := get(t, s, "/charts/"+spec.ID+".csv")
			if c.Code != http.StatusOK || !strings.HasPrefix(c.Header().Get("Content-Type"), "text/csv") {
				t.Fatalf("GET .csv = %d %s", c.Code, c.Header().Get("Content-Type"))
			}
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c.Body.String(), "\ufeff"))).ReadAll()
			if err != nil {
				t.Fatalf("CSV does not parse: %v", err)
			}
			if len(recs)-1 != rows.Length() {
				t.Errorf("CSV has %d rows, the page table %d", len(recs)-1, rows.Length())
			}
			srcCol := indexOf(recs[0], "Source")
			if srcCol < 0 {
				t.Fatalf("CSV has no Source column: %v", recs[0])
			}
			stCol := indexOf(recs[0], "Status")
			for _, r := range recs[1:] {
				if r[srcCol] == "" && (stCol < 0 || r[stCol] != "gap") {
					t.Errorf("CSV row without a source: %v", r)
				}
			}
			if !spec.Map {
				// Values exactly as stored: every stored observation's
				// value appears verbatim.
				vi, si, yi := indexOf(recs[0], "Value"), indexOf(recs[0], "Series ID"), indexOf(recs[0], "Year")
				for _, r := range recs[1:] {
					y, _ := strconv.Atoi(r[yi])
					o, ok := d.Observation(r[si], y)
					if ok && o.IsGap() && r[vi] != "" {
						t.Errorf("CSV value %s %s = %q, stored a gap", r[si], r[yi], r[vi])
					}
					if ok && !o.IsGap() && r[vi] != charts.Raw(o.Value) {
						t.Errorf("CSV value %s %s = %q, stored %v", r[si], r[yi], r[vi], o.Value)
					}
				}
			}

			x := get(t, s, "/charts/"+spec.ID+".xlsx")
			if x.Code != http.StatusOK || x.Header().Get("Content-Type") != xlsxType || !bytes.HasPrefix(x.Body.Bytes(), []byte("PK")) {
				t.Errorf("GET .xlsx = %d %s", x.Code, x.Header().Get("Content-Type"))
			}
		})
	}
	if rec := get(t, s, "/charts/nope"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /charts/nope = %d, want 404", rec.Code)
	}
	if rec := get(t, s, "/charts/us-goods-trade.exe"); rec.Code != http.StatusNotFound {
		t.Errorf("GET unknown format = %d, want 404", rec.Code)
	}
}

func TestAPICharts(t *testing.T) {
	s := newTestServer(t, nil)
	rec := get(t, s, "/api/v1/charts")
	var body struct {
		Charts []struct {
			ID    string            `json:"id"`
			Title string            `json:"title"`
			Links map[string]string `json:"links"`
		} `json:"charts"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Charts) != len(charts.Specs(datasets.MustDefault())) {
		t.Fatalf("API lists %d charts, want %d", len(body.Charts), len(charts.Specs(datasets.MustDefault())))
	}
	for _, c := range body.Charts {
		for _, kind := range []string{"page", "json", "csv", "xlsx"} {
			u := c.Links[kind]
			if u == "" {
				t.Errorf("chart %s has no %s link", c.ID, kind)
				continue
			}
			if rec := get(t, s, u); rec.Code != http.StatusOK {
				t.Errorf("GET %s = %d", u, rec.Code)
			}
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	s := newTestServer(t, nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		if rec := get(t, s, p); rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d", p, rec.Code)
		}
	}
	get(t, s, "/")
	m := get(t, s, "/metrics").Body.String()
	for _, want := range []string{"bilateral_dataset_version 1", `http_requests_total{route="/",code="200"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestNotFoundPage(t *testing.T) {
	s := newTestServer(t, nil)
	rec := get(t, s, "/nowhere", "Accept", browserAccept)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("GET /nowhere = %d", rec.Code)
	}
	if d := doc(t, rec.Body.Bytes()); d.Find("h1").Text() != "Page not found" {
		t.Errorf("404 page heading = %q", d.Find("h1").Text())
	}
	api := get(t, s, "/api/v1/nowhere")
	if api.Code != http.StatusNotFound || !strings.Contains(api.Header().Get("Content-Type"), "json") {
		t.Errorf("API 404 = %d %s, want JSON", api.Code, api.Header().Get("Content-Type"))
	}
}

func TestDatasetWorkbook(t *testing.T) {
	s := newTestServer(t, nil)
	rec := get(t, s, "/data/dataset.xlsx")
	if rec.Code != http.StatusOK || !bytes.HasPrefix(rec.Body.Bytes(), []byte("PK")) {
		t.Fatalf("GET /data/dataset.xlsx = %d", rec.Code)
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "dataset-v1.xlsx") {
		t.Errorf("Content-Disposition = %q", cd)
	}
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

func TestSecurityHeaders(t *testing.T) {
	s := newTestServer(t, nil)
	for _, path := range []string{"/", "/charts/rok-oda", "/admin/login", "/api/v1/charts", "/nowhere"} {
		rec := get(t, s, path)
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: Content-Security-Policy allows unsafe code: %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: missing nosniff, Referrer-Policy or X-Frame-Options: %v", path, h)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain HTTP", path)
		}
	}
	// Over TLS the browser is told to stay on HTTPS.
	srv := httptest.NewTLSServer(s.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("over TLS, Strict-Transport-Security = %q", hsts)
	}
}

func TestMetricsHistogramIsCumulative(t *testing.T) {
	m := newMetrics()
	m.observe("/x", 200, 500*time.Microsecond) // first bucket
	m.observe("/x", 200, 30*time.Millisecond)  // 0.05 bucket
	m.observe("/x", 200, 5*time.Second)        // only +Inf
	v, _ := m.requests.Load(reqKey{"/x", 200})
	st := v.(*reqStats)
	var cum []uint64
	var c uint64
	for i := range latencyBuckets {
		c += st.buckets[i].Load()
		cum = append(cum, c)
	}
	if cum[0] != 1 || cum[5] != 2 || cum[len(cum)-1] != 2 || st.count.Load() != 3 {
		t.Errorf("cumulative buckets = %v (count %d), want 1 at 1ms, 2 from 50ms, 2 at 2.5s, count 3", cum, st.count.Load())
	}
}
