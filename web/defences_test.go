package web

// Tests of issue 10's findings 1, 3, 4, 5, 10, 11, 12 and 16, each named
// after its finding. They reproduce the finding through HTTP and assert the
// defence's mechanism (the server's own accounting), never timings: every
// wait is a deadline on a condition, and every server listens on a port
// chosen at run time.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/internal/testtool"
)

// newConfiguredServer is newTestServerStore with the configuration edited
// by edit, and the log kept.
func newConfiguredServer(t *testing.T, edit func(*Config)) (*Server, *sqlite.Store, *testtool.Buffer) {
	t.Helper()
	store, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	logs := &testtool.Buffer{}
	cfg := Config{Store: store, Logger: slog.New(slog.NewTextHandler(logs, nil))}
	if edit != nil {
		edit(&cfg)
	}
	s, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.images.timeout = testtool.Timeout(2 * time.Minute) // as newTestServerStore
	return s, store, logs
}

// serveLive runs s on 127.0.0.1 at ports chosen now, with a metrics
// listener when the configuration asks for one, and returns the base URLs.
func serveLive(t *testing.T, s *Server) (base, metrics string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mln net.Listener
	if s.cfg.MetricsAddr != "" {
		if mln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		metrics = "http://" + mln.Addr().String()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, mln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(testtool.Timeout(20 * time.Second)):
			t.Error("the server did not shut down")
		}
	})
	return "http://" + ln.Addr().String(), metrics
}

// healthy reports whether GET url/healthz answers 200, dialling from the
// local address from (nil: any).
func healthy(t *testing.T, base string, from net.IP) bool {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	if from != nil {
		d.LocalAddr = &net.TCPAddr{IP: from}
	}
	c := &http.Client{Timeout: testtool.Timeout(10 * time.Second), Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
	resp, err := c.Get(base + "/healthz")
	if err != nil {
		t.Logf("healthz: %v", err)
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// TestImageFloodBudget: finding 1. Ten parallel PNG requests, each a new
// size so the cache never hits, took the server from 0.8 to 5.9 GB; every
// render ran at once, outside any limit. Now a flood within the size cap
// shares a pixel budget: the budget is never exceeded (the server's own
// accounting, read from /metrics), the excess gets 503 with Retry-After,
// and /healthz answers while images are being drawn.
func TestImageFloodBudget(t *testing.T) {
	const w0, h = 640, 480
	s, _, _ := newConfiguredServer(t, func(c *Config) { c.ImageBudget = 2 * (w0 + 40) * h })
	s.images.budget.maxQueue = 2
	s.images.budget.wait = 100 * time.Millisecond
	base, _ := serveLive(t, s)
	if _, err := s.rendererFor(); err != nil {
		t.Fatal(err)
	}

	const n = 16
	type result struct {
		code       int
		retryAfter string
	}
	results := make(chan result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := http.Get(fmt.Sprintf("%s/charts/us-goods-trade.png?width=%d&height=%d&scale=1", base, w0+i, h))
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			results <- result{resp.StatusCode, resp.Header.Get("Retry-After")}
		}()
	}
	close(start)
	// While images are being drawn, the process still answers probes.
	testtool.WaitFor(t, 30*time.Second, func() bool { return s.images.budget.inUse() > 0 }, "an image is being drawn")
	if !healthy(t, base, nil) {
		t.Error("/healthz did not answer during the image flood")
	}
	wg.Wait()
	close(results)
	codes := map[int]int{}
	for r := range results {
		codes[r.code]++
		if r.code == http.StatusServiceUnavailable && r.retryAfter == "" {
			t.Error("a 503 without Retry-After")
		}
	}
	if codes[http.StatusOK] == 0 || codes[http.StatusServiceUnavailable] == 0 || codes[http.StatusOK]+codes[http.StatusServiceUnavailable] != n {
		t.Errorf("flood of %d images answered %v, want some 200, some 503 and nothing else", n, codes)
	}
	// The accounting, as /metrics reports it.
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := parseMetrics(string(body))
	if m["bilateral_image_pixels_in_flight_peak"] > m["bilateral_image_budget_pixels"] || m["bilateral_image_pixels_in_flight_peak"] == 0 {
		t.Errorf("peak pixels in flight %v, budget %v", m["bilateral_image_pixels_in_flight_peak"], m["bilateral_image_budget_pixels"])
	}
	if m["bilateral_image_refused_total"] != float64(codes[http.StatusServiceUnavailable]) {
		t.Errorf("refused_total %v, 503s %d", m["bilateral_image_refused_total"], codes[http.StatusServiceUnavailable])
	}
	if m["bilateral_image_pixels_in_flight"] != 0 {
		t.Errorf("pixels in flight after the flood: %v", m["bilateral_image_pixels_in_flight"])
	}
}

// parseMetrics reads the unlabelled samples of a Prometheus text page.
func parseMetrics(page string) map[string]float64 {
	m := map[string]float64{}
	for _, line := range strings.Split(page, "\n") {
		var name string
		var v float64
		if strings.HasPrefix(line, "#") || strings.Contains(line, "{") {
			continue
		}
		if _, err := fmt.Sscanf(line, "%s %g", &name, &v); err == nil {
			m[name] = v
		}
	}
	return m
}

// TestImagePixelCap: finding 1. A PNG of 4000×4000 at scale 2 (64
// megapixels, 0.5 GB in flight) was drawn; a request over 16 megapixels is
// now refused with a 400 that names the limit, before anything is drawn.
func TestImagePixelCap(t *testing.T) {
	s := newTestServer(t, nil)
	rec := get(t, s, "/charts/us-goods-trade.png?width=4000&height=4000&scale=2")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "16 megapixels") || !strings.Contains(rec.Body.String(), fmt.Sprint(MaxImagePixels)) {
		t.Errorf("64-megapixel PNG = %d %s, want 400 naming the 16-megapixel limit", rec.Code, rec.Body.String())
	}
	if s.images.renders.Load() != 0 || s.images.budget.peak.Load() != 0 {
		t.Error("the refused image was drawn")
	}
}

// loginFrom posts a sign-in as if from the client address ip, through a
// trusted proxy (the test server's loopback address).
func loginFrom(t *testing.T, base, ip, name, pw string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/admin/login", strings.NewReader(url.Values{"name": {name}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestLoginLockoutPerAddress: finding 3. Five wrong passwords for an
// account from one address locked the account for everyone: its owner's
// right password from another address got 429. Limits now count per
// address and per (account, address): the flood is throttled, the owner
// signs in from elsewhere, and the lock is logged.
func TestLoginLockoutPerAddress(t *testing.T) {
	s, store, logs := newConfiguredServer(t, func(c *Config) { c.TrustedProxies = []string{"127.0.0.0/8"} })
	h, _ := accounts.HashPassword(testPassword)
	if err := store.AddUser(context.Background(), "ana", h); err != nil {
		t.Fatal(err)
	}
	s.logins.every = time.Hour // attempts slower than a refill (bcrypt under -race) must not refill
	base, _ := serveLive(t, s)

	// A flood against one account from one address.
	codes := map[int]int{}
	for range 8 {
		resp := loginFrom(t, base, "203.0.113.7", "ana", "wrong wrong wrong")
		codes[resp.StatusCode]++
		if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if codes[http.StatusTooManyRequests] == 0 || codes[http.StatusUnauthorized] > loginPairBurst {
		t.Errorf("8 wrong passwords from one address: %v, want at most %d checked, the rest 429", codes, loginPairBurst)
	}
	// The owner, from an address that has not been failing, gets in.
	if resp := loginFrom(t, base, "198.51.100.20", "ana", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("right password from another address during the flood = %d, want 303", resp.StatusCode)
	}
	// The flooding address stays throttled, even with the right password,
	// and for every other account too (the limit per address).
	if resp := loginFrom(t, base, "203.0.113.7", "ana", testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password from the flooding address = %d, want 429", resp.StatusCode)
	}
	if resp := loginFrom(t, base, "203.0.113.7", "bob", "whatever whatever"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("another account from the flooding address = %d, want 429", resp.StatusCode)
	}
	log := logs.String()
	if !strings.Contains(log, "sign-in attempts locked") || !strings.Contains(log, "address=203.0.113.7") ||
		!strings.Contains(log, `scope="account from address"`) || !strings.Contains(log, "scope=address") {
		t.Errorf("the locks were not logged:\n%s", log)
	}
}

// TestCSRFEveryStateChangingRoute: finding 4. Any multipart POST skipped
// the CSRF check: `curl -b <session> -F x=1 /admin/versions/1/restore`
// published a new version, and so did publish, discard and logout. Every
// state-changing route now needs the token, and Origin: null without
// fetch metadata is refused.
func TestCSRFEveryStateChangingRoute(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	e := newEditor(t, s, store)
	if resp := e.login(testPassword); resp.StatusCode != http.StatusSeeOther || e.csrf == "" {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	ctx := context.Background()
	_, d, err := store.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d.Facts[0].Value++
	id, err := store.SaveUpload(ctx, datasets.Upload{Author: "ana", Filename: "x.xlsx", Workbook: workbook(t, d), Dataset: d, BaseVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	multipartPost := func(path string, fields map[string]string, hdr ...string) int {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range fields {
			w.WriteField(k, v)
		}
		w.Close()
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, _ := e.do(req)
		return resp.StatusCode
	}
	// Every POST route of the editors' pages, as registered (sign-in
	// aside, which has no session yet), so that a route added later is
	// covered too.
	var routes []string
	for _, r := range s.echo.Routes() {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Path, "/admin/") || r.Path == "/admin/login" {
			continue
		}
		p := strings.NewReplacer(":id", id, ":version", "1", ":name", "ana").Replace(r.Path)
		routes = append(routes, p)
	}
	if len(routes) < 5 {
		t.Fatalf("found only %v", routes)
	}
	for _, path := range routes {
		if code := multipartPost(path, map[string]string{"x": "1"}); code != http.StatusForbidden {
			t.Errorf("multipart POST %s without the token = %d, want 403", path, code)
		}
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, nil)
		req.Header.Set("Content-Type", "multipart/anything")
		if resp, _ := e.do(req); resp.StatusCode != http.StatusForbidden && !(path == "/admin/uploads" && resp.StatusCode == http.StatusBadRequest) {
			t.Errorf("POST %s as multipart/anything without a body = %d, want 403", path, resp.StatusCode)
		}
		// An opaque origin without fetch metadata, even with the token.
		if code := multipartPost(path, map[string]string{"csrf": e.csrf}, "Origin", "null"); code != http.StatusForbidden {
			t.Errorf("POST %s from Origin: null = %d, want 403", path, code)
		}
	}
	if n, _ := store.CurrentNumber(ctx); n != 1 {
		t.Fatalf("refused posts published: current version %d", n)
	}
	if _, err := store.Upload(ctx, id); err != nil {
		t.Fatalf("refused posts discarded the upload: %v", err)
	}
	// The token in a multipart form is accepted, and a same-origin request
	// whose Origin is null (fetch metadata present) is too.
	if code := multipartPost("/admin/versions/1/restore", map[string]string{"csrf": e.csrf}, "Origin", "null", "Sec-Fetch-Site", "same-origin"); code != http.StatusSeeOther {
		t.Errorf("restore with the token in a multipart form = %d, want 303", code)
	}
	if n, _ := store.CurrentNumber(ctx); n != 2 {
		t.Errorf("current version %d after the restore, want 2", n)
	}
}

// TestSlowClientsBounded: finding 5. Requests could take five minutes to
// arrive, and one address could hold any number of them: 20,000 trickling
// sockets exhausted the file handles and /healthz stopped answering. Now
// one address holds at most MaxConnsPerClient connections (trusted
// proxies exempt), a body that stops coming is cut off, and health checks
// from elsewhere keep answering throughout.
func TestSlowClientsBounded(t *testing.T) {
	const perClient = 4
	s, _, _ := newConfiguredServer(t, func(c *Config) {
		c.MaxConnsPerClient = perClient
		c.TrustedProxies = []string{"127.0.0.3/32"}
		c.MetricsAddr = "127.0.0.1:0"
	})
	s.bodyTimes = bodyLimits{window: 500 * time.Millisecond, minBytes: 1 << 10, total: 20 * time.Second, write: 300 * time.Millisecond}
	base, metrics := serveLive(t, s)
	addr := strings.TrimPrefix(base, "http://")
	dial := func(from string) net.Conn {
		d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// closed reports whether the server closed c (after any response).
	closed := func(c net.Conn) bool {
		c.SetReadDeadline(time.Now().Add(testtool.Timeout(15 * time.Second)))
		_, err := io.Copy(io.Discard, c)
		return err == nil || !errors.Is(err, os.ErrDeadlineExceeded)
	}
	// Slow clients: each sends its headers and the start of a body, then
	// nothing.
	var slow []net.Conn
	for range perClient {
		c := dial("127.0.0.1")
		fmt.Fprintf(c, "POST /admin/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nname=")
		slow = append(slow, c)
	}
	testtool.WaitFor(t, 10*time.Second, func() bool { return s.conns.openBy("127.0.0.1") == perClient }, "the slow clients' connections are counted")
	// One more from the same address is closed at once.
	extra := dial("127.0.0.1")
	fmt.Fprintf(extra, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	extra.SetReadDeadline(time.Now().Add(testtool.Timeout(15 * time.Second)))
	if b, err := io.ReadAll(extra); len(b) > 0 || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("connection %d from one address was served (%q, %v), want it closed", perClient+1, b, err)
	}
	// Health checks from another address, and on the metrics address.
	if !healthy(t, base, net.ParseIP("127.0.0.2")) {
		t.Error("/healthz from another address did not answer while one address was at its cap")
	}
	if !healthy(t, metrics, nil) {
		t.Error("/healthz on the metrics address did not answer")
	}
	// A trusted proxy may hold more.
	var proxied []net.Conn
	for range perClient + 2 {
		proxied = append(proxied, dial("127.0.0.3"))
	}
	for i, c := range proxied {
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(testtool.Timeout(15 * time.Second)))
		b, _ := io.ReadAll(c)
		if !bytes.HasPrefix(b, []byte("HTTP/1.1 200")) {
			t.Errorf("proxy connection %d: %q, want 200", i, b)
		}
	}
	// The stalled bodies are cut off, and their places given back.
	for i, c := range slow {
		if !closed(c) {
			t.Errorf("slow client %d was not cut off", i)
		}
	}
	// A slow but steady upload is read to the end and answered, though it
	// took longer to arrive than a response may take to be sent.
	steady := dial("127.0.0.2")
	const chunks, chunk = 12, 1 << 10
	fmt.Fprintf(steady, "POST /admin/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\nname=&password=", chunks*chunk+len("name=&password="))
	tick := time.NewTicker(100 * time.Millisecond) // the client's pace: 10 KiB/s, well above the floor
	for range chunks {
		<-tick.C
		if _, err := steady.Write(bytes.Repeat([]byte("x"), chunk)); err != nil {
			t.Fatalf("the steady upload was cut off: %v", err)
		}
	}
	tick.Stop()
	steady.SetReadDeadline(time.Now().Add(testtool.Timeout(15 * time.Second)))
	if b, _ := io.ReadAll(steady); !bytes.HasPrefix(b, []byte("HTTP/1.1 401")) {
		t.Errorf("a steady body that took longer to arrive than a response may take got %q, want its answer (401)", b)
	}
	testtool.WaitFor(t, 10*time.Second, func() bool { return s.conns.openBy("127.0.0.1") == 0 }, "the slow clients' places are given back")
	if s.conns.refused.Load() == 0 {
		t.Error("no connection was counted as refused")
	}
	if !healthy(t, base, net.ParseIP("127.0.0.1")) {
		t.Error("the address was not served again after its slow connections ended")
	}
}

// TestDecodeLimitAndDryRunCap: finding 10. Every upload was decoded at
// once (ten dry runs of a 50,000-row workbook: 173 MB to 1.1 GB), and a dry
// run listed every change (224 MB of JSON). Decodes now wait for a slot,
// then get 503 with Retry-After; a dry run lists the first changes with a
// summary that counts them all.
func TestDecodeLimitAndDryRunCap(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, err := accounts.NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	_, d, err := store.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for i := range d.Observations {
		if o := &d.Observations[i]; changed < 8 && !math.IsNaN(o.Value) {
			o.Value++
			changed++
		}
	}
	wb := workbook(t, d)
	s.decodes = newBudget("upload", 1, 0, 50*time.Millisecond, 15*time.Second)
	release, err := s.decodes.acquire(1) // a decode in progress
	if err != nil {
		t.Fatal(err)
	}
	ct, body := multipartBody(t, nil, "d.xlsx", wb)
	rec := api(t, s, http.MethodPost, "/api/v1/datasets?dry_run=1", tok, body, ct)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("dry run while the decode slots are taken = %d (Retry-After %q), want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	release()

	s.dryRunChanges = 3
	ct, body = multipartBody(t, nil, "d.xlsx", wb)
	rec = api(t, s, http.MethodPost, "/api/v1/datasets?dry_run=1", tok, body, ct)
	var out struct {
		Changes []json.RawMessage `json:"changes"`
		Summary changeSummary     `json:"change_summary"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("dry run = %d %s", rec.Code, rec.Body.String())
	}
	if len(out.Changes) != 3 || out.Summary.Total < 8 || out.Summary.Changed < 8 || out.Summary.Shown != 3 || !out.Summary.Truncated {
		t.Errorf("dry run listed %d changes with summary %+v, want 3 listed of at least 8", len(out.Changes), out.Summary)
	}
	// The pages that list changes list the same first ones, and say how
	// many more there are.
	ct, body = multipartBody(t, nil, "d.xlsx", wb)
	if rec := api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct); rec.Code != http.StatusCreated {
		t.Fatalf("publish = %d %s", rec.Code, rec.Body.String())
	}
	e := newEditor(t, s, store)
	e.login(testPassword)
	_, page := e.get("/admin/diff?from=1&to=2")
	if rows := doc(t, page).Find("table.changes tbody tr").Length(); rows != 3 || !strings.Contains(string(page), "more are counted above but not listed") {
		t.Errorf("the compare page lists %d changes, want 3 and a note of the rest", rows)
	}
	if s.decodes.peak.Load() > 1 {
		t.Errorf("%d decodes ran at once, limit 1", s.decodes.peak.Load())
	}
}

// TestFullDiskExplained: finding 11. A full disk made a publish fail with
// a generic 500 "Something went wrong" while /readyz still said ok. Now
// the publish says the disk is full (503 with Retry-After) and /readyz
// reports that the store cannot write.
func TestFullDiskExplained(t *testing.T) {
	dir := t.TempDir()
	first, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewServer(Config{Store: first, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		t.Fatal(err)
	}
	tok, err := accounts.NewAPIToken(context.Background(), first, "ci")
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	fi, err := os.Stat(filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	// The disk is full: the store may not grow past its present size.
	store, err := sqlite.OpenWithQuota(dir, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s, err := NewServer(Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	_, d, err := store.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d.Facts[0].Value++
	ct, body := multipartBody(t, nil, "d.xlsx", workbook(t, d))
	rec := api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "disk is full") || rec.Header().Get("Retry-After") == "" {
		t.Errorf("publish on a full disk = %d %s, want 503 saying the disk is full", rec.Code, rec.Body.String())
	}
	rec = get(t, s, "/readyz")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "cannot write") {
		t.Errorf("/readyz on a full disk = %d %s, want 503 saying the store cannot write", rec.Code, rec.Body.String())
	}
	if rec := get(t, s, "/"); rec.Code != http.StatusOK {
		t.Errorf("the dashboard on a full disk = %d, want 200", rec.Code)
	}
}

// TestForwardedHeadersAndCaptionHost: finding 12. X-Forwarded-Proto from
// any client turned on HSTS and Secure cookies, and an image's caption
// and cache key came from the request's Host: a new Host forced a new
// render with the attacker's name drawn in. Forwarded headers now count
// only from --trusted-proxies, and captions use --base-url or the path.
func TestForwardedHeadersAndCaptionHost(t *testing.T) {
	s, store, _ := newConfiguredServer(t, func(c *Config) { c.TrustedProxies = []string{"192.0.2.0/24"} })
	h, _ := accounts.HashPassword(testPassword)
	if err := store.AddUser(context.Background(), "ana", h); err != nil {
		t.Fatal(err)
	}
	forwarded := func(remote, path string) *http.Response {
		req := newRequest(http.MethodGet, path, nil)
		req.RemoteAddr = remote
		req.Header.Set("X-Forwarded-Proto", "https")
		return serveRequest(s, req)
	}
	// Clients that are not the configured proxy, on a public, a private
	// and the loopback address (Echo's default believes the last two).
	for _, remote := range []string{"203.0.113.9:4000", "10.1.2.3:4000", "127.0.0.1:4000"} {
		if resp := forwarded(remote, "/"); resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("X-Forwarded-Proto from the client %s turned on HSTS", remote)
		}
	}
	if resp := forwarded("192.0.2.10:4000", "/"); resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("X-Forwarded-Proto from a trusted proxy did not turn on HSTS")
	}
	req := newRequest(http.MethodPost, "/admin/login", strings.NewReader(url.Values{"name": {"ana"}, "password": {testPassword}}.Encode()))
	req.RemoteAddr = "10.1.2.3:4000"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	if resp := serveRequest(s, req); resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) == 0 || resp.Cookies()[0].Secure {
		t.Errorf("sign-in with a client's X-Forwarded-Proto = %d, cookies %v: want a cookie without Secure", resp.StatusCode, resp.Cookies())
	}

	img := func(host string) (string, string) {
		req := newRequest(http.MethodGet, "/charts/us-goods-trade.svg", nil)
		req.Host = host
		resp := serveRequest(s, req)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("image for Host %s = %d", host, resp.StatusCode)
		}
		return string(b), resp.Header.Get("ETag")
	}
	svg, tag := img("evil.example")
	if strings.Contains(svg, "evil.example") || !strings.Contains(svg, "/charts/us-goods-trade") {
		t.Error("the caption does not hold the chart's path alone")
	}
	renders := s.images.renders.Load()
	svg2, tag2 := img("other.example")
	if s.images.renders.Load() != renders || tag2 != tag || svg2 != svg {
		t.Error("a new Host drew the image again")
	}
}

// TestMetricsOwnAddress: finding 16. /metrics (failed sign-ins, uploads,
// heap size) was public. With --metrics-addr it is served only there, with
// the health checks beside it.
func TestMetricsOwnAddress(t *testing.T) {
	s, _, _ := newConfiguredServer(t, func(c *Config) { c.MetricsAddr = "127.0.0.1:0" })
	base, metrics := serveLive(t, s)
	status := func(u string) (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := status(base + "/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the public address = %d, want 404", code)
	}
	if code, body := status(metrics + "/metrics"); code != http.StatusOK || !strings.Contains(body, "bilateral_dataset_version") {
		t.Errorf("/metrics on the metrics address = %d", code)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, _ := status(metrics + p); code != http.StatusOK {
			t.Errorf("%s on the metrics address = %d", p, code)
		}
		if code, _ := status(base + p); code != http.StatusOK {
			t.Errorf("%s on the public address = %d", p, code)
		}
	}
	if code, _ := status(metrics + "/"); code != http.StatusNotFound {
		t.Errorf("the dashboard on the metrics address = %d, want 404", code)
	}
}

// newRequest and serveRequest run one request through the handler.
func newRequest(method, path string, body io.Reader) *http.Request {
	req, _ := http.NewRequest(method, "http://example.test"+path, body)
	req.RequestURI = path
	req.RemoteAddr = "192.0.2.200:1234"
	return req
}

func serveRequest(s *Server, req *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec.Result()
}

// TestLoginLockoutIPv6Prefix: finding 3, beyond the report. An IPv6
// subscriber holds a whole /64, so a limit per address let one guess as
// often as it liked by taking a new address each time; the limits count
// a /64 as one address.
func TestLoginLockoutIPv6Prefix(t *testing.T) {
	s, _, logs := newConfiguredServer(t, func(c *Config) { c.TrustedProxies = []string{"127.0.0.0/8"} })
	s.logins.every = time.Hour
	base, _ := serveLive(t, s)
	codes := map[int]int{}
	for i := range loginAddrBurst + 1 {
		codes[loginFrom(t, base, fmt.Sprintf("2001:db8:1:2::%x", i+1), fmt.Sprintf("guess%d", i), "nope nope nope").StatusCode]++
	}
	if codes[http.StatusTooManyRequests] == 0 {
		t.Errorf("%d attempts from one /64: %v, want the last refused", loginAddrBurst+1, codes)
	}
	if resp := loginFrom(t, base, "2001:db8:1:3::1", "guess", "nope nope nope"); resp.StatusCode == http.StatusTooManyRequests {
		t.Error("another /64 was throttled too")
	}
	if !strings.Contains(logs.String(), "address=2001:db8:1:2::/64") {
		t.Errorf("the lock of the /64 was not logged:\n%s", logs.String())
	}
}

// TestChartsZipLimited: finding 1, beyond the report. An archive of every
// chart holds all their images in memory while it is built; archives are
// built a few at a time, and the rest get 503 with Retry-After.
func TestChartsZipLimited(t *testing.T) {
	s := newTestServer(t, nil)
	s.zips = newBudget("archive", 1, 0, 10*time.Millisecond, 10*time.Second)
	release, err := s.zips.acquire(1) // an archive being built
	if err != nil {
		t.Fatal(err)
	}
	rec := get(t, s, "/data/charts.zip?format=svg")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("a second archive at once = %d (Retry-After %q), want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	release()
	if rec := get(t, s, "/data/charts.zip?format=svg"); rec.Code != http.StatusOK {
		t.Errorf("the archive once the first is done = %d", rec.Code)
	}
}

// TestSlowClientsTotalCap: finding 5, beyond the report. Many addresses,
// each under its own cap, could still use up the process's open files;
// all clients together stay under a cap below the open-file limit, and
// the metrics address's health check answers.
func TestSlowClientsTotalCap(t *testing.T) {
	s, _, _ := newConfiguredServer(t, func(c *Config) { c.MetricsAddr = "127.0.0.1:0" })
	if s.conns.maxTotal <= 0 {
		t.Skip("no open-file limit on this system")
	}
	s.conns.maxTotal = 3
	base, metrics := serveLive(t, s)
	addr := strings.TrimPrefix(base, "http://")
	var held []net.Conn
	for i := range 3 {
		d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(10+i))}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		held = append(held, c)
	}
	testtool.WaitFor(t, 10*time.Second, func() bool { return s.conns.total.Load() == 3 }, "three connections are counted")
	if healthy(t, base, net.IPv4(127, 0, 0, 20)) {
		t.Error("a connection over the total cap was served")
	}
	if !healthy(t, metrics, nil) {
		t.Error("/healthz on the metrics address did not answer")
	}
	for _, c := range held {
		c.Close()
	}
	testtool.WaitFor(t, 10*time.Second, func() bool { return s.conns.total.Load() == 0 }, "the connections are given back")
	if !healthy(t, base, net.IPv4(127, 0, 0, 20)) {
		t.Error("not served again once under the cap")
	}
}
