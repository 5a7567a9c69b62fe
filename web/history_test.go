package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
)

// withHistory adds n versions after the first, straight into the store
// (one transaction), and has the server serve the newest.
func withHistory(t *testing.T, s *Server, store *sqlite.Store, n int) {
	t.Helper()
	ctx := context.Background()
	wb, err := store.Workbook(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishRepeated(ctx, datasets.NewVersion{Workbook: wb, Dataset: datasets.MustDefault(), Author: "script", Comment: "scheduled"}, n); err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestAdminHistoryPages(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	withHistory(t, s, store, 119) // 120 versions: pages of 50, 50, 20
	e := newEditor(t, s, store)
	e.login(testPassword)

	_, body := e.get("/admin")
	d := doc(t, body)
	rows := d.Find("table.history tbody tr")
	if rows.Length() != historyPageSize {
		t.Fatalf("first page has %d rows, want %d", rows.Length(), historyPageSize)
	}
	if id, _ := rows.First().Attr("id"); id != "v120" || !rows.First().HasClass("current") {
		t.Errorf("first row = %s, want the current version 120", id)
	}
	if href, _ := rows.Eq(1).Find("a[href^='/admin/diff']").Attr("href"); href != "/admin/diff?from=118&to=119" {
		t.Errorf("version 119's Changes link = %q", href)
	}
	if !strings.Contains(d.Find("nav.pager").First().Text(), "Page 1 of 3") || d.Find("nav.pager a[rel=next]").Length() == 0 {
		t.Errorf("pager = %q", d.Find("nav.pager").First().Text())
	}

	_, body = e.get("/admin?page=3")
	d = doc(t, body)
	rows = d.Find("table.history tbody tr")
	if rows.Length() != 20 {
		t.Fatalf("last page has %d rows, want 20", rows.Length())
	}
	if id, _ := rows.Last().Attr("id"); id != "v1" || rows.Last().Find("a[href^='/admin/diff']").Length() != 0 {
		t.Errorf("last row = %s, want version 1 without a Changes link", id)
	}
	if href, _ := rows.First().Find("a[href^='/admin/diff']").Attr("href"); href != "/admin/diff?from=19&to=20" {
		t.Errorf("page 3's first Changes link = %q (its previous version is on the same page)", href)
	}
	// Out of range pages show the nearest one.
	if _, body = e.get("/admin?page=99"); doc(t, body).Find("table.history tbody tr").Length() != 20 {
		t.Errorf("page 99 does not show the last page")
	}

	resp, _ := e.get("/admin?version=7")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin?page=3#v7" {
		t.Errorf("jump to version 7 = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = e.get("/admin?version=70")
	if resp.Header.Get("Location") != "/admin?page=2#v70" {
		t.Errorf("jump to version 70 = %s", resp.Header.Get("Location"))
	}
	resp, body = e.get("/admin?version=9999")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "There is no version 9999") {
		t.Errorf("jump to a missing version = %d", resp.StatusCode)
	}

	// Old versions still compare and restore.
	if resp, body := e.get("/admin/diff?from=1&to=2"); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "0 added, 0 changed, 0 removed") {
		t.Errorf("diff of versions 1 and 2 = %d", resp.StatusCode)
	}
	if d := doc(t, body); d.Find("select").Length() != 0 {
		t.Errorf("the diff page lists versions in a select")
	}
	resp, _ = e.postForm("/admin/versions/3/restore", url.Values{"csrf": {e.csrf}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin?restored=121&sig=") {
		t.Errorf("restore of version 3 = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAPIVersionsPages(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	withHistory(t, s, store, 119)
	tok, _ := accounts.NewAPIToken(context.Background(), store, "ci")
	type page struct {
		Versions []datasets.VersionInfo `json:"versions"`
		Next     string                 `json:"next"`
	}
	rec := api(t, s, http.MethodGet, "/api/v1/datasets", tok, nil, "")
	var p page
	json.Unmarshal(rec.Body.Bytes(), &p)
	if rec.Code != http.StatusOK || len(p.Versions) != apiPageSize || p.Versions[0].Number != 120 || !p.Versions[0].Current ||
		p.Next != "/api/v1/datasets?before=71&limit=50" || rec.Header().Get("Link") != `</api/v1/datasets?before=71&limit=50>; rel="next"` {
		t.Fatalf("first page = %d, %d versions, next %q, Link %q", rec.Code, len(p.Versions), p.Next, rec.Header().Get("Link"))
	}
	// Following next with a small limit visits every version once, newest first.
	var seen []int
	next := "/api/v1/datasets?limit=7"
	for next != "" {
		rec := api(t, s, http.MethodGet, next, tok, nil, "")
		var p page
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%s = %d %v", next, rec.Code, err)
		}
		for _, v := range p.Versions {
			seen = append(seen, v.Number)
		}
		next = p.Next
	}
	if len(seen) != 120 || seen[0] != 120 || seen[119] != 1 {
		t.Errorf("paged through %d versions (%v…)", len(seen), seen[:min(5, len(seen))])
	}
	for _, q := range []string{"limit=0", "limit=x", "before=-1", "before=x"} {
		if rec := api(t, s, http.MethodGet, "/api/v1/datasets?"+q, tok, nil, ""); rec.Code != http.StatusBadRequest {
			t.Errorf("?%s = %d, want 400", q, rec.Code)
		}
	}
	rec = api(t, s, http.MethodGet, "/api/v1/datasets?before=3", tok, nil, "")
	if !strings.Contains(rec.Body.String(), `"version":2`) || strings.Contains(rec.Body.String(), `"next"`) {
		t.Errorf("the last page = %s", rec.Body.String())
	}
}

// TestUnchangedUpload: an upload with no changes is reported as such and
// publishes nothing unless asked to; asked to, it adds a history row and
// no stored bytes.
func TestUnchangedUpload(t *testing.T) {
	ctx := context.Background()
	s, store := newTestServerStore(t, nil)
	tok, _ := accounts.NewAPIToken(ctx, store, "ci")
	same, err := store.Workbook(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}

	ct, body := multipartBody(t, nil, "same.xlsx", same)
	rec := api(t, s, http.MethodPost, "/api/v1/datasets?dry_run=1", tok, body, ct)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"changes":[]`) || !strings.Contains(rec.Body.String(), `"unchanged":true`) {
		t.Errorf("dry run of the current workbook = %d %s", rec.Code, rec.Body.String())
	}
	ct, body = multipartBody(t, nil, "same.xlsx", same)
	rec = api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct)
	var got map[string]any
	json.Unmarshal(rec.Body.Bytes(), &got)
	if rec.Code != http.StatusOK || got["version"] != 1.0 || got["unchanged"] != true {
		t.Errorf("publishing the current workbook = %d %s, want 200 version 1 unchanged", rec.Code, rec.Body.String())
	}
	if n, _ := store.CountVersions(ctx, 0); n != 1 {
		t.Errorf("%d versions after an unchanged upload, want 1", n)
	}

	size, _ := store.Size(ctx)
	for i := range 5 {
		ct, body = multipartBody(t, nil, "same.xlsx", same)
		rec = api(t, s, http.MethodPost, "/api/v1/datasets?allow_empty=1", tok, body, ct)
		if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), fmt.Sprintf(`"version":%d`, i+2)) {
			t.Fatalf("allow_empty publish = %d %s", rec.Code, rec.Body.String())
		}
	}
	if grown, _ := store.Size(ctx); grown-size > 16<<10 {
		t.Errorf("5 identical publishes grew the store by %d bytes", grown-size)
	}
	for n := 1; n <= 6; n++ {
		if rec := api(t, s, http.MethodGet, fmt.Sprintf("/api/v1/datasets/%d/workbook", n), tok, nil, ""); rec.Body.String() != string(same) {
			t.Errorf("version %d's workbook is not the published bytes", n)
		}
	}

	// A changed file is not unchanged.
	d := datasets.MustDefault()
	d.Facts[0].Value++
	ct, body = multipartBody(t, nil, "x.xlsx", workbook(t, d))
	if rec := api(t, s, http.MethodPost, "/api/v1/datasets?dry_run=1", tok, body, ct); !strings.Contains(rec.Body.String(), `"unchanged":false`) {
		t.Errorf("dry run of a change = %s", rec.Body.String())
	}

	// The editors' preview says so too.
	e := newEditor(t, s, store)
	e.login(testPassword)
	resp, _ := e.upload(same, true)
	_, page := e.get(resp.Header.Get("Location"))
	pd := doc(t, page)
	if pd.Find("[data-unchanged]").Length() != 1 || pd.Find("table.changes tbody tr").Length() != 0 || !strings.Contains(pd.Find("button").Text(), "Publish anyway") {
		t.Errorf("the preview of an unchanged upload does not say so")
	}
}

// TestRetention: the rules remove old versions and their unshared
// storage, never the current, the first or one in use, and say so in
// the audit log; what is kept still compares and restores.
func TestRetention(t *testing.T) {
	ctx := context.Background()
	s, store := newTestServerStore(t, nil)
	if got, _ := s.Prune(ctx); got != nil {
		t.Errorf("the default retention removed %v", got)
	}
	for i := 2; i <= 10; i++ {
		d := datasets.MustDefault()
		d.Facts[0].Value = float64(300 + i)
		if _, err := s.publish(ctx, datasets.NewVersion{Workbook: workbook(t, d), Dataset: d, Author: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	s.cfg.Retention = datasets.Retention{KeepVersions: 3}
	release := s.pinned.hold(4) // a comparison running on version 4
	got, err := s.Prune(ctx)
	release()
	if err != nil || fmt.Sprint(got) != "[2 3 5 6 7]" {
		t.Fatalf("Prune = %v, %v; want [2 3 5 6 7]", got, err)
	}
	vs, _ := store.Versions(ctx)
	var kept []int
	for _, v := range vs {
		kept = append(kept, v.Number)
	}
	if fmt.Sprint(kept) != "[10 9 8 4 1]" {
		t.Errorf("kept %v", kept)
	}
	log, _ := store.AuditLog(ctx, datasets.AuditQuery{Limit: 5})
	if len(log) == 0 || log[0].Action != "versions_removed" || !strings.Contains(log[0].Detail, "2-3, 5-7") || !strings.Contains(log[0].Detail, "keep-versions 3") {
		t.Errorf("audit log = %+v", log)
	}
	e := newEditor(t, s, store)
	e.login(testPassword)
	if resp, _ := e.get("/admin/diff?from=1&to=4"); resp.StatusCode != http.StatusOK {
		t.Errorf("diff of kept versions = %d", resp.StatusCode)
	}
	if resp, _ := e.get("/admin/diff?from=2&to=4"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("diff of a removed version = %d, want 404", resp.StatusCode)
	}
	_, body := e.get("/admin")
	if href, _ := doc(t, body).Find("#v8 a[href^='/admin/diff']").Attr("href"); href != "/admin/diff?from=4&to=8" {
		t.Errorf("version 8's Changes link = %q, want it against version 4, the one before it that is kept", href)
	}
	resp, _ := e.postForm("/admin/versions/1/restore", url.Values{"csrf": {e.csrf}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin?restored=11&sig=") {
		t.Errorf("restore of version 1 = %d %s (numbers are never reused)", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Another pass keeps the newest 3 again: 11, 10, 9, plus 1.
	if got, _ := s.Prune(ctx); fmt.Sprint(got) != "[4 8]" {
		t.Errorf("second Prune = %v", got)
	}
}

// TestRetentionRunsAfterPublishes: the server applies its rules by itself
// after publishing.
func TestRetentionRunsAfterPublishes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, store := newTestServerStore(t, nil)
	s.cfg.Retention = datasets.Retention{KeepVersions: 2}
	done := make(chan struct{})
	go func() { s.retain(ctx); close(done) }()
	for i := 2; i <= 6; i++ {
		d := datasets.MustDefault()
		d.Facts[0].Value = float64(400 + i)
		if _, err := s.publish(ctx, datasets.NewVersion{Workbook: workbook(t, d), Dataset: d, Author: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		vs, _ := store.Versions(ctx)
		var kept []int
		for _, v := range vs {
			kept = append(kept, v.Number)
		}
		if fmt.Sprint(kept) == "[6 5 1]" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("kept %v, want [6 5 1]", kept)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
}
