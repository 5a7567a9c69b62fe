package web

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
)

// scopedToken stores a token with a scope and an expiry and returns it.
func scopedToken(t *testing.T, store datasets.AccountStore, name, scope string, exp time.Time) string {
	t.Helper()
	tok, hash := accounts.NewTokenSecret()
	if _, err := store.AddScopedToken(context.Background(), datasets.NewToken{Name: name, Hash: hash, Scope: scope, ExpiresAt: exp}); err != nil {
		t.Fatal(err)
	}
	return tok
}

// signedIn returns another browser of the same test server, signed in as
// name (who must exist) with testPassword.
func (e *editor) signedIn(name string) *editor {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	o := &editor{t: e.t, srv: e.srv, c: &http.Client{Jar: jar, CheckRedirect: e.c.CheckRedirect}}
	resp, _ := o.postForm("/admin/login", url.Values{"name": {name}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login of %s = %d", name, resp.StatusCode)
	}
	_, body := o.get("/admin")
	o.csrf, _ = doc(e.t, body).Find("input[name=csrf]").First().Attr("value")
	return o
}

// TestTokenScopesAndExpiryOverAPI (issue 10, finding 15): every token
// could publish and none expired. A read token may now list and download
// but not upload or restore; an expired token is refused, saying so.
func TestTokenScopesAndExpiryOverAPI(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	readTok := scopedToken(t, store, "history-script", datasets.ScopeRead, time.Time{})
	for _, path := range []string{"/api/v1/datasets", "/api/v1/datasets/current", "/api/v1/datasets/1/workbook"} {
		if rec := api(t, s, http.MethodGet, path, readTok, nil, ""); rec.Code != http.StatusOK {
			t.Errorf("read token GET %s = %d", path, rec.Code)
		}
	}
	ct, body := multipartBody(t, nil, "x.xlsx", workbook(t, datasets.MustDefault()))
	if rec := api(t, s, http.MethodPost, "/api/v1/datasets", readTok, body, ct); rec.Code != http.StatusForbidden {
		t.Errorf("read token upload = %d %s, want 403", rec.Code, rec.Body.String())
	}
	if rec := api(t, s, http.MethodPost, "/api/v1/datasets/1/restore", readTok, nil, ""); rec.Code != http.StatusForbidden {
		t.Errorf("read token restore = %d, want 403", rec.Code)
	}
	expTok := scopedToken(t, store, "old", datasets.ScopePublish, time.Now().Add(-time.Minute))
	if rec := api(t, s, http.MethodGet, "/api/v1/datasets", expTok, nil, ""); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "expired") {
		t.Errorf("expired token = %d %s, want 401 saying it expired", rec.Code, rec.Body.String())
	}
}

// TestAccountsAdminPage (issue 10, finding 15): signed-in editors can
// create, list and revoke tokens, remove another editor (whose sessions
// end at once) and change their password (which ends their other
// sessions).
func TestAccountsAdminPage(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	ctx := context.Background()
	ana := newEditor(t, s, store)
	if resp := ana.login(testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	h, _ := accounts.HashPassword(testPassword)
	if err := store.AddUser(ctx, "bo", h); err != nil {
		t.Fatal(err)
	}
	bo := ana.signedIn("bo")
	anaElsewhere := ana.signedIn("ana")

	// Create a publish token on the page: shown once, and it works.
	resp, body := ana.postForm("/admin/accounts/tokens", url.Values{"csrf": {ana.csrf}, "name": {"nightly"}, "scope": {"publish"}, "expires": {"30d"}})
	tok := strings.TrimSpace(doc(t, body).Find("code[data-new-token]").Text())
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(tok, "blt_") {
		t.Fatalf("create token = %d, token %q", resp.StatusCode, tok)
	}
	if rec := api(t, s, http.MethodGet, "/api/v1/datasets", tok, nil, ""); rec.Code != http.StatusOK {
		t.Fatalf("new token = %d", rec.Code)
	}
	_, body = ana.get("/admin/accounts")
	page := doc(t, body)
	if page.Find("table.tokens tbody tr").Length() != 1 || !strings.Contains(page.Find("table.tokens").Text(), "nightly") || strings.Contains(string(body), tok) {
		t.Errorf("token list does not show the token once created (or shows the secret)")
	}
	if page.Find(`tr[data-user="bo"]`).Length() != 1 || page.Find(`tr[data-user="ana"] form`).Length() != 0 {
		t.Errorf("editor list: bo missing, or ana may remove herself")
	}
	id, _ := page.Find("table.tokens tbody tr").Attr("data-token")
	if resp, _ := ana.postForm("/admin/accounts/tokens/"+id+"/revoke", url.Values{"csrf": {ana.csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke = %d", resp.StatusCode)
	}
	if rec := api(t, s, http.MethodGet, "/api/v1/datasets", tok, nil, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("revoked token = %d, want 401", rec.Code)
	}

	// Remove bo: signed out at once.
	if resp, _ := bo.get("/admin"); resp.StatusCode != http.StatusOK {
		t.Fatalf("bo before removal = %d", resp.StatusCode)
	}
	if resp, _ := ana.postForm("/admin/accounts/users/bo/remove", url.Values{"csrf": {ana.csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove bo = %d", resp.StatusCode)
	}
	if resp, _ := bo.get("/admin"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/login" {
		t.Errorf("bo after removal = %d %s, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := store.PasswordHash(ctx, "bo"); err == nil {
		t.Errorf("bo's account is still there")
	}

	// Change the password: ana's other session ends, this one goes on.
	const newPW = "a brand new password"
	resp, _ = ana.postForm("/admin/accounts/password", url.Values{"csrf": {ana.csrf}, "current": {testPassword}, "new": {newPW}, "repeat": {newPW}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password = %d", resp.StatusCode)
	}
	if resp, _ := anaElsewhere.get("/admin"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("ana's other session after the password change = %d, want a redirect to sign in", resp.StatusCode)
	}
	resp, body = ana.get("/admin/accounts")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("ana's own session after the password change = %d, want 200", resp.StatusCode)
	}
	ana.csrf, _ = doc(t, body).Find("input[name=csrf]").First().Attr("value") // a new session, a new token
	if h, _ := store.PasswordHash(ctx, "ana"); !accounts.CheckPassword(h, newPW) {
		t.Errorf("the new password does not work")
	}
	// A wrong current password changes nothing.
	resp, _ = ana.postForm("/admin/accounts/password", url.Values{"csrf": {ana.csrf}, "current": {"not the password"}, "new": {"another new password"}, "repeat": {"another new password"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("change with a wrong current password = %d, want 401", resp.StatusCode)
	}
}
