package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
)

func TestCanonicalFromBaseURL(t *testing.T) {
	store, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := NewServer(Config{Store: store, Logger: quiet, BaseURL: "https://example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/":                      "https://example.org/",
		"/charts/us-goods-trade": "https://example.org/charts/us-goods-trade",
	} {
		href, _ := doc(t, get(t, s, path).Body.Bytes()).Find("head link[rel=canonical]").Attr("href")
		if href != want {
			t.Errorf("%s: canonical %q, want %q", path, href, want)
		}
	}
	if n := doc(t, get(t, s, "/admin/login").Body.Bytes()).Find("link[rel=canonical]").Length(); n != 0 {
		t.Errorf("the sign-in page has a canonical link")
	}
	// Without a base URL the server does not guess one.
	plain := newTestServer(t, nil)
	if n := doc(t, get(t, plain, "/").Body.Bytes()).Find("link[rel=canonical]").Length(); n != 0 {
		t.Errorf("canonical link without a base URL")
	}
	for _, bad := range []string{"example.org", "/charts", "ftp://example.org", "https://"} {
		if _, err := NewServer(Config{Store: store, Logger: quiet, BaseURL: bad}); err == nil {
			t.Errorf("base URL %q accepted", bad)
		}
	}
}

// failingAudit is a store whose audit log cannot be written.
type failingAudit struct{ datasets.Store }

func (failingAudit) Audit(context.Context, datasets.AuditEntry) error { return errors.New("disk full") }

// TestAuditFailureIsLogged: an action that happened is not undone by a
// failure to record it, and the failure is logged with who did what.
func TestAuditFailureIsLogged(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	var logs bytes.Buffer
	s.log = slog.New(slog.NewTextHandler(&logs, nil))
	e := newEditor(t, s, store)
	if resp := e.login(testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	es, err := store.AuditLog(context.Background(), datasets.AuditQuery{Limit: 10})
	if err != nil || len(es) == 0 || es[0].Action != "login" || es[0].Actor != "ana" || es[0].Remote == "" {
		t.Fatalf("audit log after login: %+v, %v", es, err)
	}
	s.store = failingAudit{store}
	if resp := e.login("wrong password!"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("failed login = %d", resp.StatusCode)
	}
	if resp, _ := e.postForm("/admin/logout", map[string][]string{"csrf": {e.csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout with no audit log = %d", resp.StatusCode)
	}
	for _, want := range []string{`msg="writing the audit log"`, "action=login_failed", "action=logout", "actor=ana", "disk full"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}
