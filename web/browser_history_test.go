package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/internal/chromium"
)

// TestBrowserHistoryPages: in Chromium, the history's pages have no
// accessibility problems axe finds, and "Go to version" lands on the
// version's row.
func TestBrowserHistoryPages(t *testing.T) {
	ctx := chromium.New(t)
	s, store := newTestServerStore(t, nil)
	withHistory(t, s, store, 119)
	h, _ := accounts.HashPassword(testPassword)
	store.AddUser(context.Background(), "ana", h)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	steps := []struct {
		what string
		act  chromedp.Action[chromedp.Void]
	}{
		{"open /admin", chromedp.Navigate(srv.URL + "/admin")},
		{"see the sign-in form", chromedp.WaitVisible(chromedp.CSS("#name"))},
		{"type the name", chromedp.SendKeys(chromedp.CSS("#name"), "ana")},
		{"type the password", chromedp.SendKeys(chromedp.CSS("#password"), testPassword)},
		{"sign in", chromedp.Click(chromedp.CSS("form button[type=submit]"))},
		{"see the history", chromedp.WaitVisible(chromedp.CSS("#jump-version"))},
		{"enter 42", chromedp.SetValue(chromedp.CSS("#jump-version"), "42")},
		{"go", chromedp.Submit(chromedp.CSS("form.history-jump"))},
		{"see version 42", chromedp.WaitVisible(chromedp.CSS("tr#v42"))},
	}
	for _, st := range steps {
		sctx, cancel := context.WithTimeout(tctx, 30*time.Second)
		err := chromedp.Do(sctx, st.act)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v (at %s)", st.what, err, eval[string](t, tctx, `location.href`))
		}
	}
	if url := eval[string](t, tctx, `location.pathname + location.search + location.hash`); url != "/admin?page=2#v42" {
		t.Errorf("Go to version 42 landed on %s", url)
	}
	if target := eval[string](t, tctx, `document.querySelector(':target')?.id ?? ''`); target != "v42" {
		t.Errorf("the target row is %q", target)
	}
	axe := func(page string) {
		for _, v := range runAxe(t, tctx) {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, n.HTML)
			}
			t.Errorf("%s: axe: %s (%s) at %d places, e.g. %s", page, v.ID, v.Help, len(v.Nodes), strings.Join(where[:min(2, len(where))], " | "))
		}
	}
	axe("/admin?page=2")
	for _, page := range []string{"/admin/diff", "/admin?version=9999"} {
		if err := chromedp.Do(tctx, chromedp.Navigate(srv.URL+page), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatal(err)
		}
		axe(page)
	}
}
