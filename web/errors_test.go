package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/stats"
)

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error     string `json:"error"`
	Code      string `json:"code"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Sheet, Cell, Message string
	} `json:"errors"`
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) errorBody {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error response is %q, want JSON: %s", ct, rec.Body.String())
	}
	var b errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body %s: %v", rec.Body.String(), err)
	}
	if b.Error == "" || b.Code == "" || b.RequestID == "" {
		t.Errorf("error body %s lacks error, code or request_id", rec.Body.String())
	}
	return b
}

// TestErrorKinds sends an error of every kind through the server and
// checks its status, its JSON and HTML forms and Retry-After.
func TestErrorKinds(t *testing.T) {
	s := newTestServer(t, nil)
	want := map[stats.Kind]int{
		stats.Internal: 500, stats.BadRequest: 400, stats.Unauthorized: 401, stats.Forbidden: 403,
		stats.NotFound: 404, stats.Conflict: 409, stats.Gone: 410, stats.PreconditionFailed: 412,
		stats.TooLarge: 413, stats.Invalid: 422, stats.RateLimited: 429, stats.Unavailable: 503,
	}
	if len(want) != len(stats.Kinds()) || len(kindStatus) != len(stats.Kinds()) {
		t.Fatalf("test covers %d kinds, table %d, stats %d", len(want), len(kindStatus), len(stats.Kinds()))
	}
	s.echo.GET("/test/kind/:k", func(c echo.Context) error {
		for _, k := range stats.Kinds() {
			if k.String() == c.Param("k") {
				return stats.Wrap(k, "message of "+k.String(), io.ErrUnexpectedEOF)
			}
		}
		return nil
	})
	for _, k := range stats.Kinds() {
		t.Run(k.String(), func(t *testing.T) {
			rec := get(t, s, "/test/kind/"+k.String(), "Accept", "*/*")
			if rec.Code != want[k] {
				t.Errorf("status %d, want %d", rec.Code, want[k])
			}
			b := decodeError(t, rec)
			if b.Code != k.String() {
				t.Errorf("code %q, want %q", b.Code, k.String())
			}
			wantMsg := "message of " + k.String()
			if k == stats.Internal {
				wantMsg = internalMessage // a fault of ours is not described
			}
			if b.Error != wantMsg {
				t.Errorf("error %q, want %q", b.Error, wantMsg)
			}
			if strings.Contains(rec.Body.String(), "unexpected EOF") {
				t.Errorf("the cause leaked: %s", rec.Body.String())
			}
			ra := rec.Header().Get("Retry-After")
			if (k == stats.RateLimited || k == stats.Unavailable) != (ra != "") {
				t.Errorf("Retry-After = %q", ra)
			}
			html := get(t, s, "/test/kind/"+k.String(), "Accept", browserAccept)
			if html.Code != want[k] || !strings.HasPrefix(html.Header().Get("Content-Type"), "text/html") {
				t.Errorf("browser got %d %s, want %d HTML", html.Code, html.Header().Get("Content-Type"), want[k])
			}
			if k != stats.Internal && !strings.Contains(html.Body.String(), wantMsg) {
				t.Errorf("error page lacks the message")
			}
		})
	}
}

func TestRetryAfterFromError(t *testing.T) {
	s := newTestServer(t, nil)
	s.echo.GET("/test/busy", func(echo.Context) error {
		return &stats.Error{Kind: stats.Unavailable, Message: "busy", RetryAfter: 1500 * time.Millisecond}
	})
	if rec := get(t, s, "/test/busy"); rec.Code != 503 || rec.Header().Get("Retry-After") != "2" {
		t.Errorf("got %d Retry-After %q, want 503 and 2", rec.Code, rec.Header().Get("Retry-After"))
	}
}

func TestPrefersHTML(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                                  false,
		"*/*":                               false, // curl, fetch()
		"application/json":                  false,
		"application/json, text/html":       false, // a tie goes to JSON
		"text/html":                         true,
		browserAccept:                       true,
		"text/html;q=0.5, application/json": false,
		"text/*, application/json;q=0.9":    true,
		"text/html;q=0, */*":                false,
		"image/avif,image/webp,*/*;q=0.8":   false, // an <img> request
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if got := prefersHTML(r); got != want {
			t.Errorf("prefersHTML(%q) = %v, want %v", accept, got, want)
		}
	}
}

func TestEchoErrorsAreDescribed(t *testing.T) {
	s := newTestServer(t, nil)
	// Echo's own 405: a known path with a method it does not have.
	req := httptest.NewRequest(http.MethodDelete, "/healthz", nil)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE /healthz = %d", rec.Code)
	}
	if b := decodeError(t, rec); b.Code != "method_not_allowed" {
		t.Errorf("code %q", b.Code)
	}
	// Echo's own 404 and a handler's, both as JSON when asked.
	for _, path := range []string{"/nowhere", "/charts/nope.json", "/api/v1/nowhere"} {
		rec := get(t, s, path, "Accept", "application/json")
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s = %d", path, rec.Code)
		}
		if b := decodeError(t, rec); b.Code != "not_found" {
			t.Errorf("%s: code %q", path, b.Code)
		}
	}
}

// staleStore makes every publish lose the race with another replica.
type staleStore struct{ datasets.Store }

func (staleStore) Publish(context.Context, datasets.NewVersion) (datasets.VersionInfo, error) {
	return datasets.VersionInfo{}, datasets.ErrStale
}

func TestAPIConflict(t *testing.T) {
	store, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s, err := NewServer(Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.store = staleStore{store}
	tok, _ := accounts.NewAPIToken(context.Background(), store, "ci")
	d := datasets.MustDefault()
	d.Facts[0].Value = 175
	ct, body := multipartBody(t, nil, "x.xlsx", workbook(t, d))
	rec := api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct)
	if rec.Code != http.StatusConflict {
		t.Fatalf("stale API publish = %d %s, want 409", rec.Code, rec.Body.String())
	}
	if b := decodeError(t, rec); b.Code != "conflict" || !strings.Contains(b.Error, "Send it again") {
		t.Errorf("409 body %+v", b)
	}
}

func TestInvalidWorkbookJSON(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, _ := accounts.NewAPIToken(context.Background(), store, "ci")
	d := datasets.MustDefault()
	d.Observations[3].Source = "no-such-source"
	ct, body := multipartBody(t, nil, "bad.xlsx", workbook(t, d))
	rec := api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad workbook = %d %s", rec.Code, rec.Body.String())
	}
	b := decodeError(t, rec)
	if b.Code != "invalid" || len(b.Errors) == 0 || b.Errors[0].Sheet == "" || b.Errors[0].Message == "" {
		t.Errorf("422 body %s", rec.Body.String())
	}
}

// TestAdminUploadErrorsAsJSON: the upload script asks for JSON and gets
// the server's message for every refusal, the size limit included.
func TestAdminUploadErrorsAsJSON(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	s.cfg.MaxUpload = 1 << 20
	e := newEditor(t, s, store)
	e.login(testPassword)
	send := func(csrf string, data []byte) (*http.Response, errorBody) {
		ct, body := multipartBody(t, map[string]string{"csrf": csrf}, "big.xlsx", data)
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/uploads", body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Accept", "application/json")
		resp, raw := e.do(req)
		var b errorBody
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatalf("%d %s: not JSON", resp.StatusCode, raw)
		}
		return resp, b
	}
	resp, b := send(e.csrf, make([]byte, 2<<20))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(b.Error, "1 MiB") || b.Code != "too_large" {
		t.Errorf("too large = %d %+v, want 413 naming the limit", resp.StatusCode, b)
	}
	resp, b = send("forged", []byte("PK"))
	if resp.StatusCode != http.StatusForbidden || b.Code != "forbidden" || b.Error == "" {
		t.Errorf("forged token = %d %+v, want 403 with a message", resp.StatusCode, b)
	}
	// The same refusal to a browser posting the form: the admin page with
	// the message.
	ct, body := multipartBody(t, map[string]string{"csrf": e.csrf}, "big.xlsx", make([]byte, 2<<20))
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/uploads", body)
	req.Header.Set("Content-Type", ct)
	resp, raw := e.do(req)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(raw), "1 MiB limit") || !strings.Contains(resp.Header.Get("Content-Type"), "html") {
		t.Errorf("browser too large = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
