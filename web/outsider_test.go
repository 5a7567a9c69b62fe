package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/chartimage"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/stats"
)

// Weaknesses found by the outside attack after issue 10's fixes.

// renameChart gives a dataset's first chart a new ID everywhere it is
// named.
func renameChart(d *stats.Dataset, id string) string {
	old := d.Charts[0].ID
	d.Charts[0].ID = id
	for i := range d.ChartSeries {
		if d.ChartSeries[i].Chart == old {
			d.ChartSeries[i].Chart = id
		}
	}
	for i := range d.Text {
		if d.Text[i].Chart == old {
			d.Text[i].Chart = id
		}
	}
	return old
}

// TestChartIDWithDotRefused: a chart ID with a dot ("us-goods.2024") was
// accepted and published, and the dashboard linked to /charts/us-goods.2024,
// which answered 404 (the handler read "2024" as a file extension), while
// /charts/us-goods.2024.png worked; a chart "x.png" beside a chart "x"
// would take x's image address. Uploads now refuse the dot, naming the
// cell, and a version stored before the rule serves its page by its
// whole ID.
func TestChartIDWithDotRefused(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, err := accounts.NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	d := datasets.MustDefault()
	renameChart(d, "us-goods.2024")
	resp, m := apiUpload(t, s, "/api/v1/datasets?dry_run=1", tok, exportedFrom(t, d, 1))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("dry run of a chart ID with a dot = %d %v; want 422", resp.StatusCode, m)
	}
	errs, _ := m["errors"].([]any)
	found := false
	for _, e := range errs {
		em, _ := e.(map[string]any)
		if em["sheet"] == stats.TableCharts && em["cell"] == "A2" && strings.Contains(em["message"].(string), "without '.'") {
			found = true
		}
	}
	if !found {
		t.Errorf("errors %v do not name Charts!A2 and the dot", errs)
	}

	// A version stored before the rule (written to the store directly).
	if _, err := store.Publish(context.Background(), datasets.NewVersion{Workbook: workbook(t, d), Dataset: d, Author: "earlier"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/charts/us-goods.2024", "/charts/us-goods.2024.csv", "/charts/us-goods.2024.json"} {
		if rec := get(t, s, path); rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d; want 200", path, rec.Code)
		}
	}
	// When a later version removes it, its address says it is gone.
	if _, err := store.Publish(context.Background(), datasets.NewVersion{Workbook: workbook(t, datasets.MustDefault()), Dataset: datasets.MustDefault(), Author: "later"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rec := get(t, s, "/charts/us-goods.2024"); rec.Code != http.StatusGone {
		t.Errorf("GET the removed /charts/us-goods.2024 = %d; want 410", rec.Code)
	}
}

// TestTokenResponsesNotStored: GET /api/v1/datasets, answered only with a
// token, carried no Cache-Control at all (while /current said no-store),
// so a cache in front could keep the version list (authors, comments)
// under a URL anyone may ask for.
func TestTokenResponsesNotStored(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, err := accounts.NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/datasets", "/api/v1/datasets/current"} {
		req, _ := http.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp := serveRequest(s, req)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") && !strings.Contains(cc, "private") {
			t.Errorf("GET %s: Cache-Control %q; want no-store (or private)", path, cc)
		}
	}
}

// TestClientCannotChooseRequestID: Echo's RequestID adopted any client's
// X-Request-Id, so a visitor could give its requests (their log lines and
// error bodies) the id of another reader's request, which the server's
// own ids (a prefix and a counter) make easy to guess, or 60 KB of text.
// Only a trusted proxy's id, and only a short token, is kept.
func TestClientCannotChooseRequestID(t *testing.T) {
	s, _, _ := newConfiguredServer(t, func(c *Config) { c.TrustedProxies = []string{"198.51.100.0/24"} })
	idOf := func(remote, sent string) string {
		req := newRequest(http.MethodGet, "/no-such-page", nil)
		req.RemoteAddr = remote
		req.Header.Set("X-Request-Id", sent)
		resp := serveRequest(s, req)
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		if m["request_id"] != resp.Header.Get("X-Request-Id") {
			t.Errorf("body names request %v, header %q", m["request_id"], resp.Header.Get("X-Request-Id"))
		}
		return resp.Header.Get("X-Request-Id")
	}
	if id := idOf("192.0.2.7:1234", "victim-request-1"); id == "victim-request-1" || id == "" {
		t.Errorf("a visitor's X-Request-Id became the request's id (%q)", id)
	}
	if id := idOf("198.51.100.2:1234", "proxy-abc.123"); id != "proxy-abc.123" {
		t.Errorf("the trusted proxy's request id was replaced by %q", id)
	}
	long := strings.Repeat("x", 5000)
	if id := idOf("198.51.100.2:1234", long); id == long || id == "" {
		t.Errorf("a 5000-byte request id from the proxy was kept")
	}
	if id := idOf("198.51.100.2:1234", "a\"<b>"); id == "a\"<b>" {
		t.Errorf("a request id with markup was kept")
	}
}

// TestBearerSchemeAnyCase: "Authorization: bearer TOKEN" (the scheme in
// lower case, as some HTTP libraries send it) was answered 401 "needs an
// Authorization: Bearer TOKEN header"; the scheme is case-insensitive.
func TestBearerSchemeAnyCase(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, err := accounts.NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		req := newRequest(http.MethodGet, "/api/v1/datasets/current", nil)
		req.Header.Set("Authorization", scheme+" "+tok)
		if resp := serveRequest(s, req); resp.StatusCode != http.StatusOK {
			t.Errorf("%s TOKEN: %d; want 200", scheme, resp.StatusCode)
		}
	}
	req := newRequest(http.MethodGet, "/api/v1/datasets/current", nil)
	req.Header.Set("Authorization", "Basic "+tok)
	if resp := serveRequest(s, req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("Basic TOKEN: %d; want 401", resp.StatusCode)
	}
}

// renderAlloc returns the bytes allocated while serving one new PNG of
// the first chart (after a warm-up render at another size).
func renderAlloc(t *testing.T, s *Server, id string) uint64 {
	t.Helper()
	if rec := get(t, s, "/charts/"+id+".png?width=700&height=400&scale=1"); rec.Code != http.StatusOK {
		t.Fatalf("warm-up PNG = %d %s", rec.Code, rec.Body.String())
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rec := get(t, s, "/charts/"+id+".png?width=801&height=400&scale=1")
	runtime.ReadMemStats(&after)
	if rec.Code != http.StatusOK {
		t.Fatalf("PNG = %d %s", rec.Code, rec.Body.String())
	}
	return after.TotalAlloc - before.TotalAlloc
}

// TestLongLabelOutsideImageBudget: the image budget counts pixels, but a
// chart whose legend label is a 32,000-character cell (the most a
// workbook cell holds) drew every glyph of it: each 800×400 PNG of it
// allocated about half a gigabyte and took seconds, so six anonymous
// requests at once (well within the pixel budget) took the server from
// 0.6 to 1.8 GB. A text run is now cut to what the largest image could
// show: 1.7 GB allocated per PNG before, under 0.3 GB now (a clipped
// label is still drawn as outlines), and six such requests stay under
// 0.5 GB resident.
func TestLongLabelOutsideImageBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("renders chart images")
	}
	normal := datasets.MustDefault()
	long := datasets.MustDefault()
	long.ChartSeries[0].Label = strings.Repeat("Long label ", 3000)[:32767]
	id := long.ChartSeries[0].Chart
	sNormal, _ := newTestServerStore(t, normal)
	sLong, _ := newTestServerStore(t, long)
	a, b := renderAlloc(t, sNormal, id), renderAlloc(t, sLong, id)
	t.Logf("allocated per PNG: normal label %d MB, 32,767-character label %d MB", a>>20, b>>20)
	if b > 10*a+200<<20 {
		t.Errorf("a PNG with a 32,767-character label allocated %d MB, against %d MB with a normal one", b>>20, a>>20)
	}
}

// TestErrorsNeverCachedAsImmutable: an image URL that names the current
// version (as every image on the dashboard does: ?v=N) is answered with
// "public, max-age=31536000, immutable", set before the image is drawn;
// when drawing was refused (the image budget spent, 503) the error kept
// that header, so anyone able to keep the budget busy could have a cache
// in front keep the dashboard's images as errors for a year.
func TestErrorsNeverCachedAsImmutable(t *testing.T) {
	s, _, _ := newConfiguredServer(t, nil)
	s.images.budget = newBudget("image", 1, 0, 0, 5*time.Second)
	release, err := s.images.budget.acquire(1) // an attacker's render in flight
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	snap, err := s.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/charts/%s.svg?plain=1&width=680&height=360&v=%d", snap.charts[0].ID, snap.version)
	resp := serveRequest(s, newRequest(http.MethodGet, path, nil))
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET %s with the budget spent = %d; want 503", path, resp.StatusCode)
	}
	if cc := resp.Header.Get("Cache-Control"); strings.Contains(cc, "max-age") || strings.Contains(cc, "immutable") || !strings.Contains(cc, "no-store") {
		t.Errorf("503 for a versioned image URL: Cache-Control %q; want no-store", cc)
	}
}

// slotWatcher is a response writer that notes, when the body starts to
// be written, how many archive slots are taken.
type slotWatcher struct {
	*httptest.ResponseRecorder
	s       *Server
	atWrite int64
	wrote   bool
}

func (w *slotWatcher) Write(b []byte) (int, error) {
	if !w.wrote {
		w.wrote, w.atWrite = true, w.s.zips.inUse()
	}
	return w.ResponseRecorder.Write(b)
}

// TestChartsZipSlotFreedBeforeSending: the archive slot (two at once) was
// held until the archive had been sent, so two clients that asked for
// /data/charts.zip and did not read the answer (a few kilobytes of
// receive window) denied every archive to everyone with 503 until the
// write deadline, two minutes, again and again. The slot bounds building;
// it is given back before the first byte is sent.
func TestChartsZipSlotFreedBeforeSending(t *testing.T) {
	s := newTestServer(t, nil)
	w := &slotWatcher{ResponseRecorder: httptest.NewRecorder(), s: s}
	s.Handler().ServeHTTP(w, newRequest(http.MethodGet, "/data/charts.zip?format=svg", nil))
	if w.Code != http.StatusOK || !w.wrote {
		t.Fatalf("GET /data/charts.zip = %d", w.Code)
	}
	if w.atWrite != 0 {
		t.Errorf("%d archive slot(s) held while the archive is sent; want 0", w.atWrite)
	}
}

// TestChartsZipShared: with the slot given back before sending, each
// request for the archive built and held its own copy while it was sent,
// so a client holding many connections without reading pinned one copy
// per connection. The same archive is now built once and shared.
func TestChartsZipShared(t *testing.T) {
	s := newTestServer(t, nil)
	first := get(t, s, "/data/charts.zip?format=svg")
	second := get(t, s, "/data/charts.zip?format=svg")
	if first.Code != http.StatusOK || second.Code != http.StatusOK {
		t.Fatalf("GET /data/charts.zip = %d, %d", first.Code, second.Code)
	}
	if s.images.cache.size == 0 {
		t.Fatal("the archive was not kept")
	}
	if _, ok := s.images.cache.get("zip/" + imageRequest{opts: chartimage.DefaultOptions(chartimage.SVG)}.key(1)); !ok {
		t.Error("the archive is not kept under its version and parameters")
	}
	if !bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) || first.Header().Get("Etag") != second.Header().Get("Etag") {
		t.Error("the second archive differs from the first")
	}
}

// TestNotFoundEchoesLittle: the 404 for /charts/NAME quoted NAME whole, so
// a 60 KB address came back as a 60 KB page of the visitor's text on the
// site's own error page. The echo stops after a chart ID's length.
func TestNotFoundEchoesLittle(t *testing.T) {
	s := newTestServer(t, nil)
	long := strings.Repeat("Call-0800-SCAM-", 400)
	for _, accept := range []string{"application/json", "text/html"} {
		rec := get(t, s, "/charts/"+long, "Accept", accept)
		if rec.Code != http.StatusNotFound {
			t.Fatalf("GET /charts/<6000 characters> = %d", rec.Code)
		}
		if n := strings.Count(rec.Body.String(), "Call-0800-SCAM-"); n > 6 {
			t.Errorf("%s: the 404 repeats the address's text %d times; want at most the first 80 characters", accept, n)
		}
	}
}

// TestNoticesCannotBeSpoofed: a link such as /admin/accounts?removed=… or
// /admin?published=999 made an editor's page announce what never
// happened. Notices now carry a signature keyed by the editor's session.
func TestNoticesCannotBeSpoofed(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	e := newEditor(t, s, store)
	if resp := e.login(testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	for _, path := range []string{"/admin?published=999", "/admin?published=999&sig=00", "/admin/accounts?removed=Call%200800%20SCAM", "/admin/accounts?revoked=7"} {
		_, body := e.get(path)
		if strings.Contains(string(body), "999 is published") || strings.Contains(string(body), "SCAM") || strings.Contains(string(body), "is revoked") {
			t.Errorf("%s: the page shows a notice taken from the address", path)
		}
	}
	// A real notice still shows: discard an upload and follow the redirect.
	changed := datasets.MustDefault()
	changed.Facts[0].Value++
	resp, _ := e.upload(workbook(t, changed), true)
	_, body := e.get(resp.Header.Get("Location"))
	d := doc(t, body)
	action, _ := d.Find(`form[action$="/discard"]`).Attr("action")
	if action == "" {
		t.Fatalf("no discard form on the preview")
	}
	resp, _ = e.postForm(action, url.Values{"csrf": {e.csrf}})
	loc := resp.Header.Get("Location")
	if !strings.Contains(loc, "sig=") {
		t.Fatalf("discard redirected to %q, want a signed notice", loc)
	}
	if _, body := e.get(loc); !strings.Contains(string(body), "The upload was discarded") {
		t.Errorf("the signed notice is not shown at %s", loc)
	}
}
