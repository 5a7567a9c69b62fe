package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
)

const testPassword = "correct horse battery"

// editor is a browser-like client of a running test server.
type editor struct {
	t    *testing.T
	srv  *httptest.Server
	c    *http.Client
	csrf string
}

func newEditor(t *testing.T, s *Server, store *sqlite.Store) *editor {
	t.Helper()
	h, err := accounts.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AddUser(context.Background(), "ana", h); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &editor{t: t, srv: srv, c: c}
}

// browserAccept is the Accept header of a browser navigating to a page.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

func (e *editor) do(req *http.Request) (*http.Response, []byte) {
	e.t.Helper()
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", browserAccept)
	}
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (e *editor) get(path string) (*http.Response, []byte) {
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	return e.do(req)
}

func (e *editor) postForm(path string, v url.Values) (*http.Response, []byte) {
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

func (e *editor) login(pw string) *http.Response {
	resp, _ := e.postForm("/admin/login", url.Values{"name": {"ana"}, "password": {pw}})
	if resp.StatusCode == http.StatusSeeOther {
		_, body := e.get("/admin")
		d := doc(e.t, body)
		e.csrf, _ = d.Find("input[name=csrf]").First().Attr("value")
	}
	return resp
}

// multipartBody builds an upload form; csrf first, as the page sends it.
func multipartBody(t testing.TB, fields map[string]string, filename string, data []byte) (string, *bytes.Buffer) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, k := range []string{"csrf", "comment"} {
		if v, ok := fields[k]; ok {
			w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(data)
	w.Close()
	return w.FormDataContentType(), &buf
}

func (e *editor) upload(data []byte, withCSRF bool) (*http.Response, []byte) {
	fields := map[string]string{}
	if withCSRF {
		fields["csrf"] = e.csrf
	}
	ct, body := multipartBody(e.t, fields, "changed.xlsx", data)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/uploads", body)
	req.Header.Set("Content-Type", ct)
	return e.do(req)
}

func workbook(t testing.TB, d *stats.Dataset) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := xlsx.Encode(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEditorFlow(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	e := newEditor(t, s, store)

	if resp, _ := e.get("/admin"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/login" {
		t.Fatalf("GET /admin signed out = %d %s, want 303 to the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := e.login("wrong password!"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d, want 401", resp.StatusCode)
	}
	resp := e.login(testPassword)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d, want 303", resp.StatusCode)
	}
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie = %+v, want HttpOnly and SameSite=Strict", ck)
	}
	if e.csrf == "" {
		t.Fatal("the admin page has no CSRF token")
	}

	// Change one figure, as an analyst would in Excel.
	d := datasets.MustDefault()
	for i, o := range d.Observations {
		if o.Series == "us_goods_exports" && o.Year == 2022 {
			d.Observations[i].Value = 71.9
		}
	}
	if resp, _ := e.upload(workbook(t, d), false); resp.StatusCode != http.StatusForbidden {
		t.Errorf("upload without CSRF token = %d, want 403", resp.StatusCode)
	}
	resp, _ = e.upload(workbook(t, d), true)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/uploads/") {
		t.Fatalf("upload = %d %s, want 303 to a preview", resp.StatusCode, resp.Header.Get("Location"))
	}
	preview := resp.Header.Get("Location")
	_, body := e.get(preview)
	pd := doc(t, body)
	rows := pd.Find("table.changes tbody tr")
	if rows.Length() != 1 {
		t.Fatalf("preview lists %d changes, want 1:\n%s", rows.Length(), pd.Find("table.changes").Text())
	}
	cells := rows.First().Find("td").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if want := []string{"changed", "Observations", "us_goods_exports 2022", "Value", "71.47", "71.9"}; fmt.Sprint(cells) != fmt.Sprint(want) {
		t.Errorf("preview row = %v, want %v", cells, want)
	}
	// The preview draws the charts the change touches, from the upload's
	// data, and shows the text as it will read.
	var drawn []string
	pd.Find("figure.preview-chart").Each(func(_ int, f *goquery.Selection) {
		id, _ := f.Attr("data-chart")
		drawn = append(drawn, id)
	})
	if fmt.Sprint(drawn) != "[us-goods-trade mirror-goods-total]" {
		t.Errorf("preview draws charts %v, want [us-goods-trade mirror-goods-total]", drawn)
	}
	if src, _ := pd.Find("figure.preview-chart img").First().Attr("src"); true {
		resp, img := e.get(src)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(img), "<svg") {
			t.Errorf("GET %s = %d, want the chart drawn as SVG", src, resp.StatusCode)
		}
	}
	if txt := pd.Find(".preview-text").Text(); !strings.Contains(txt, "$71.9 billion") {
		t.Errorf("the preview's text lacks the new figure: %q", txt)
	}
	// Nothing is published before the editor confirms.
	if strings.Contains(get(t, s, "/").Body.String(), "$71.9 billion") {
		t.Fatal("the new figure is live before publishing")
	}
	resp, _ = e.postForm(preview+"/publish", url.Values{"csrf": {e.csrf}, "comment": {"2022 exports revised"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin?published=2&sig=") {
		t.Fatalf("publish = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	dash := get(t, s, "/")
	if !strings.Contains(dash.Body.String(), "$71.9 billion") || dash.Header().Get("X-Dataset-Version") != "2" {
		t.Errorf("after publishing, the dashboard does not show the new figure (version %s)", dash.Header().Get("X-Dataset-Version"))
	}
	if !strings.Contains(get(t, s, "/charts/us-goods-trade.json").Body.String(), `"value":71.9`) {
		t.Errorf("after publishing, the chart does not show the new figure")
	}
	if resp, _ := e.postForm(preview+"/publish", url.Values{"csrf": {e.csrf}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("publishing the same upload twice = %d, want 404", resp.StatusCode)
	}

	// History, diff, and restore.
	_, body = e.get("/admin")
	hd := doc(t, body)
	if n := hd.Find("table.history tbody tr").Length(); n != 2 {
		t.Errorf("history has %d rows, want 2", n)
	}
	if !strings.Contains(hd.Find("table.history").Text(), "2022 exports revised") {
		t.Errorf("history lacks the comment")
	}
	_, body = e.get("/admin/diff?from=1&to=2")
	if !strings.Contains(doc(t, body).Find("table.changes").Text(), "71.9") {
		t.Errorf("diff 1..2 does not show the change")
	}
	if resp, b := e.get("/admin/versions/1/workbook"); resp.StatusCode != http.StatusOK || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("version 1 workbook = %d", resp.StatusCode)
	}
	if resp, _ := e.postForm("/admin/versions/1/restore", url.Values{"csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("restore with a forged token = %d, want 403", resp.StatusCode)
	}
	resp, _ = e.postForm("/admin/versions/1/restore", url.Values{"csrf": {e.csrf}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin?restored=3&sig=") {
		t.Fatalf("restore = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if body := get(t, s, "/").Body.String(); !strings.Contains(body, "$71.47 billion") || strings.Contains(body, "$71.9 billion") {
		t.Errorf("after restoring version 1 the old figure is not back")
	}

	_, body = e.get("/admin/audit")
	log := doc(t, body).Find("table").Text()
	for _, action := range []string{"login_failed", "login", "upload", "publish", "restore"} {
		if !strings.Contains(log, action) {
			t.Errorf("audit log lacks %q", action)
		}
	}

	resp, _ = e.postForm("/admin/logout", url.Values{"csrf": {e.csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout = %d", resp.StatusCode)
	}
	if resp, _ := e.get("/admin"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout /admin = %d, want a redirect to login", resp.StatusCode)
	}
}

func TestBadUploadChangesNothing(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	e := newEditor(t, s, store)
	e.login(testPassword)
	d := datasets.MustDefault()
	d.Observations[3].Source = "no-such-source"
	d.Facts[0].Unit = ""
	resp, body := e.upload(workbook(t, d), true)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad upload = %d, want 422", resp.StatusCode)
	}
	items := doc(t, body).Find(".error-list li")
	if items.Length() != 2 {
		t.Errorf("error list has %d items, want 2: %s", items.Length(), items.Text())
	}
	text := items.Text()
	if !strings.Contains(text, "Observations!D5") || !strings.Contains(text, "no-such-source") || !strings.Contains(text, "Facts!E2") {
		t.Errorf("errors do not name sheet, cell and value: %s", text)
	}
	if n, _ := store.CurrentNumber(context.Background()); n != 1 {
		t.Errorf("after a bad upload current version = %d, want 1", n)
	}
	// The script's JSON form of the same outcome.
	ct, b := multipartBody(t, map[string]string{"csrf": e.csrf}, "bad.xlsx", workbook(t, d))
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/uploads", b)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/json")
	resp, raw := e.do(req)
	var out struct {
		Errors []apiIssue `json:"errors"`
	}
	json.Unmarshal(raw, &out)
	if resp.StatusCode != http.StatusUnprocessableEntity || len(out.Errors) != 2 {
		t.Errorf("JSON upload = %d with %d errors", resp.StatusCode, len(out.Errors))
	}
}

func TestLoginRateLimit(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	// One attempt back per hour, not per 20 s: each refused password costs a
	// bcrypt comparison, which with the race detector on a busy machine can
	// take seconds, and the attempts must not outlast the refill.
	s.logins.every = time.Hour
	e := newEditor(t, s, store)
	codes := map[int]int{}
	for i := 0; i < 8; i++ {
		// A forged X-Forwarded-For must not give each attempt a new address.
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/login", strings.NewReader(url.Values{"name": {fmt.Sprintf("guess%d", i)}, "password": {"nope nope nope"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		resp, _ := e.do(req)
		codes[resp.StatusCode]++
	}
	if codes[http.StatusTooManyRequests] == 0 {
		t.Errorf("8 rapid failed logins from one address gave %v, want some 429", codes)
	}
	// The right password is refused too while the address is throttled.
	if resp := e.login(testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("login while throttled = %d, want 429", resp.StatusCode)
	}
}

func TestCrossSiteFormRefused(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	e := newEditor(t, s, store)
	e.login(testPassword)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/versions/1/restore", strings.NewReader(url.Values{"csrf": {e.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if resp, _ := e.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", resp.StatusCode)
	}
}

// api sends a request with a bearer token.
func api(t testing.TB, s *Server, method, path, token string, body io.Reader, ct string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func TestAPI(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, err := accounts.NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	d := datasets.MustDefault()
	d.Facts[0].Value = 175
	good := workbook(t, d)

	ct, body := multipartBody(t, nil, "x.xlsx", good)
	if rec := api(t, s, http.MethodPost, "/api/v1/datasets", "", body, ct); rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" {
		t.Errorf("no token = %d, want 401 with WWW-Authenticate", rec.Code)
	}
	ct, body = multipartBody(t, nil, "x.xlsx", good)
	if rec := api(t, s, http.MethodPost, "/api/v1/datasets", "blt_wrong", body, ct); rec.Code != http.StatusUnauthorized {
		t.Errorf("bad token = %d, want 401", rec.Code)
	}
	if rec := api(t, s, http.MethodGet, "/api/v1/datasets", "", nil, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("list without token = %d, want 401", rec.Code)
	}

	ct, body = multipartBody(t, nil, "x.xlsx", good)
	rec := api(t, s, http.MethodPost, "/api/v1/datasets?dry_run=1", tok, body, ct)
	var dry struct {
		Valid   bool           `json:"valid"`
		Changes []stats.Change `json:"changes"`
	}
	json.Unmarshal(rec.Body.Bytes(), &dry)
	if rec.Code != http.StatusOK || !dry.Valid || len(dry.Changes) != 1 || dry.Changes[0].Old != "170" || dry.Changes[0].New != "175" {
		t.Fatalf("dry run = %d %s", rec.Code, rec.Body.String())
	}
	if n, _ := store.CurrentNumber(context.Background()); n != 1 {
		t.Fatalf("a dry run published version %d", n)
	}

	bad := datasets.MustDefault()
	bad.Observations[0].Year = 1066
	ct, body = multipartBody(t, nil, "bad.xlsx", workbook(t, bad))
	rec = api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct)
	var inv struct {
		Errors []apiIssue `json:"errors"`
	}
	json.Unmarshal(rec.Body.Bytes(), &inv)
	if rec.Code != http.StatusUnprocessableEntity || len(inv.Errors) != 1 || inv.Errors[0].Sheet != "Observations" || inv.Errors[0].Cell != "B2" {
		t.Errorf("invalid upload = %d %s, want 422 naming Observations!B2", rec.Code, rec.Body.String())
	}

	ct, body = multipartBody(t, map[string]string{"comment": "via CI"}, "x.xlsx", good)
	rec = api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct)
	var created struct {
		Version int `json:"version"`
	}
	json.Unmarshal(rec.Body.Bytes(), &created)
	if rec.Code != http.StatusCreated || created.Version != 2 {
		t.Fatalf("publish = %d %s, want 201 version 2", rec.Code, rec.Body.String())
	}
	if !strings.Contains(get(t, s, "/").Body.String(), "more than $175 billion") {
		t.Errorf("the published figure is not on the dashboard")
	}

	rec = api(t, s, http.MethodGet, "/api/v1/datasets", tok, nil, "")
	var list struct {
		Versions []datasets.VersionInfo `json:"versions"`
	}
	json.Unmarshal(rec.Body.Bytes(), &list)
	if rec.Code != http.StatusOK || len(list.Versions) != 2 || !list.Versions[0].Current || list.Versions[0].Comment != "via CI" || list.Versions[0].Author != "token:ci" {
		t.Errorf("versions = %d %s", rec.Code, rec.Body.String())
	}
	var raw map[string][]map[string]any
	json.Unmarshal(rec.Body.Bytes(), &raw)
	for _, k := range []string{"version", "created_at", "author", "comment", "sha256", "current"} {
		if _, ok := raw["versions"][0][k]; !ok {
			t.Errorf("version entries lack %q", k)
		}
	}

	rec = api(t, s, http.MethodPost, "/api/v1/datasets/1/restore", tok, nil, "")
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"version":3`) {
		t.Errorf("restore = %d %s, want 201 version 3", rec.Code, rec.Body.String())
	}
	if rec := api(t, s, http.MethodPost, "/api/v1/datasets/99/restore", tok, nil, ""); rec.Code != http.StatusNotFound {
		t.Errorf("restore of a missing version = %d, want 404", rec.Code)
	}
	if rec := api(t, s, http.MethodGet, "/api/v1/datasets/2/workbook", tok, nil, ""); rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), good) {
		t.Errorf("workbook of version 2 = %d, not the uploaded bytes", rec.Code)
	}
	if rec := api(t, s, http.MethodPost, "/api/v1/datasets", tok, strings.NewReader("a=b"), "application/x-www-form-urlencoded"); rec.Code != http.StatusBadRequest {
		t.Errorf("non-multipart upload = %d, want 400", rec.Code)
	}
}

func TestUploadSizeLimit(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	s.cfg.MaxUpload = 1 << 20
	tok, _ := accounts.NewAPIToken(context.Background(), store, "ci")
	// Declared too large: refused before reading.
	req := httptest.NewRequest(http.MethodPost, "/api/v1/datasets", strings.NewReader("x"))
	req.ContentLength = 50 << 20
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("declared 50 MiB = %d, want 413", rec.Code)
	}
	// Streamed larger than declared (chunked, no length): cut off at the limit.
	ct, body := multipartBody(t, nil, "big.xlsx", bytes.Repeat([]byte("A"), 3<<20))
	req = httptest.NewRequest(http.MethodPost, "/api/v1/datasets", io.MultiReader(body))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", ct)
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "1 MiB") {
		t.Errorf("3 MiB body = %d %s, want 413 naming the limit", rec.Code, rec.Body.String())
	}
}

func TestConcurrentAPIPublishes(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, _ := accounts.NewAPIToken(context.Background(), store, "ci")
	const n = 5
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			d := datasets.MustDefault()
			d.Facts[0].Value = float64(200 + i)
			ct, body := multipartBody(t, nil, "x.xlsx", workbook(t, d))
			codes[i] = api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct).Code
		}(i)
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusCreated {
			t.Errorf("upload %d = %d, want 201", i, c)
		}
	}
	vs, _ := store.Versions(context.Background())
	if len(vs) != n+1 {
		t.Errorf("%d versions after %d concurrent publishes, want %d", len(vs), n, n+1)
	}
	// What is served is exactly the store's current version.
	info, cur, _ := store.Current(context.Background())
	dash := get(t, s, "/")
	if dash.Header().Get("X-Dataset-Version") != fmt.Sprint(info.Number) || !strings.Contains(dash.Body.String(), fmt.Sprintf("more than $%v billion", cur.Facts[0].Value)) {
		t.Errorf("served version %s does not match the store's current %d", dash.Header().Get("X-Dataset-Version"), info.Number)
	}
}

func TestFollowsOtherReplicas(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	d := datasets.MustDefault()
	d.Facts[0].Value = 321
	// Another replica publishes straight into the shared store.
	if _, err := store.Publish(context.Background(), datasets.NewVersion{Workbook: workbook(t, d), Dataset: d, Author: "replica-b"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(get(t, s, "/").Body.String(), "more than $321 billion") {
		t.Errorf("after Refresh the server does not serve the other replica's version")
	}
}

// TestRefreshNeverGoesBack: a store poll that races with publishes must
// never put an older version back in front of readers.
func TestRefreshNeverGoesBack(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, _ := accounts.NewAPIToken(context.Background(), store, "ci")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				s.Refresh(context.Background())
			}
		}
	}()
	last := 1
	for i := 0; i < 6; i++ {
		d := datasets.MustDefault()
		d.Facts[0].Value = float64(300 + i)
		ct, body := multipartBody(t, nil, "x.xlsx", workbook(t, d))
		if rec := api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct); rec.Code != http.StatusCreated {
			t.Fatalf("publish = %d", rec.Code)
		}
		for j := 0; j < 20; j++ {
			v := s.cur.Load().version
			if v < last {
				t.Fatalf("served version went back from %d to %d", last, v)
			}
			last = v
		}
	}
	close(stop)
	wg.Wait()
}
