package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
)

// TestAuditLogCannotFillTheDisk (issue 10, finding 2): a loop of sign-ins
// with a 15,000-character name wrote one full-size audit row per request
// and pushed every real entry off the audit page; a 900,000-character API
// comment was stored whole and a byte cut split Hangul characters. Now
// fields are capped at a character boundary, throttled attempts are one
// line per address and minute with a count, retention drops only noise,
// and the audit page pages and filters by action.
func TestAuditLogCannotFillTheDisk(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	ctx := context.Background()
	e := newEditor(t, s, store)
	if resp := e.login(testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}

	// The flood: a long name (Hangul, then ASCII, within the sign-in
	// form's size limit), many attempts at once from one address.
	long := strings.Repeat("가", 1000) + strings.Repeat("a", 5000)
	const attempts = 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	throttled := 0
	sem := make(chan struct{}, 8)
	for range attempts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/login", strings.NewReader(url.Values{"name": {long}, "password": {"wrong password here"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				mu.Lock()
				throttled++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if throttled == 0 {
		t.Fatalf("no attempt of %d was throttled", attempts)
	}
	log, err := store.AuditLog(ctx, datasets.AuditQuery{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	rows, counted, bytes, clipped := 0, 0, 0, 0
	for _, en := range log {
		if en.Actor == strings.Repeat("가", datasets.MaxAuditActor-1)+"…" {
			clipped++
		}
		bytes += len(en.Actor) + len(en.Detail) + len(en.Remote)
		if !utf8.ValidString(en.Actor) || utf8.RuneCountInString(en.Actor) > datasets.MaxAuditActor {
			t.Errorf("audit actor of %d runes (valid UTF-8: %v)", utf8.RuneCountInString(en.Actor), utf8.ValidString(en.Actor))
		}
		if en.Action == "login_throttled" {
			rows++
			counted += en.Count
		}
	}
	if clipped == 0 {
		t.Errorf("no audit line holds the name cut at %d characters", datasets.MaxAuditActor)
	}
	// One line per address and minute (two if the flood crossed a minute).
	if rows < 1 || rows > 2 || counted != throttled {
		t.Errorf("%d throttled attempts gave %d audit lines counting %d; want 1 or 2 lines counting all", throttled, rows, counted)
	}
	if bytes > 64<<10 {
		t.Errorf("the flood stored %d bytes of audit text", bytes)
	}

	// Comments: a 900,000-character API comment, and a Hangul comment
	// longer than the cap on the admin page, are cut at a character.
	tok, err := accounts.NewAPIToken(ctx, store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	d := datasets.MustDefault()
	d.Facts[0].Value = 175
	ct, body := multipartBody(t, map[string]string{"comment": strings.Repeat("x", 900000)}, "x.xlsx", workbook(t, d))
	if rec := api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct); rec.Code != http.StatusCreated {
		t.Fatalf("publish = %d %s", rec.Code, rec.Body.String())
	}
	d.Facts[0].Value = 176
	resp, _ := e.upload(exportedFrom(t, d, 2), true)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload = %d", resp.StatusCode)
	}
	if resp, _ := e.postForm(resp.Header.Get("Location")+"/publish", url.Values{"csrf": {e.csrf}, "comment": {strings.Repeat("한", 3000)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish = %d", resp.StatusCode)
	}
	vs, _ := store.Versions(ctx)
	for _, v := range vs[:2] {
		if n := utf8.RuneCountInString(v.Comment); n > datasets.MaxComment || !utf8.ValidString(v.Comment) || !strings.HasSuffix(v.Comment, "…") {
			t.Errorf("version %d comment: %d runes, valid UTF-8 %v; want at most %d, cut with …", v.Number, n, utf8.ValidString(v.Comment), datasets.MaxComment)
		}
	}

	// Retention drops only noise: with room for 3 noise lines, every
	// publish, upload and account line stays.
	for i := range 150 {
		store.Audit(ctx, datasets.AuditEntry{Actor: fmt.Sprint("guess", i), Action: "login_failed", Remote: "192.0.2.1"})
	}
	before, _ := store.AuditLog(ctx, datasets.AuditQuery{Limit: 10000})
	if err := store.PruneAudit(ctx, 3); err != nil {
		t.Fatal(err)
	}
	after, _ := store.AuditLog(ctx, datasets.AuditQuery{Limit: 10000})
	kept := map[string]int{}
	for _, en := range after {
		kept[en.Action]++
	}
	for _, en := range before {
		if !datasets.NoiseActions[en.Action] {
			kept[en.Action]--
		}
	}
	for a, n := range kept {
		if !datasets.NoiseActions[a] && n != 0 {
			t.Errorf("retention changed the %s lines by %d", a, n)
		}
	}
	if n := kept["login_failed"] + kept["login_throttled"]; n != 3 {
		t.Errorf("retention kept %d noise lines, want 3", n)
	}

	// Real entries stay in view: filtered by action, and paged.
	for range 120 {
		store.Audit(ctx, datasets.AuditEntry{Actor: "x", Action: "login_failed", Remote: "192.0.2.1"})
	}
	_, page := e.get("/admin/audit?action=publish")
	pd := doc(t, page)
	if n := pd.Find(`tr[data-action="publish"]`).Length(); n != 2 || pd.Find(`tbody tr`).Length() != 2 {
		t.Errorf("audit page filtered by publish shows %d publish rows of %d", n, pd.Find(`tbody tr`).Length())
	}
	_, page = e.get("/admin/audit")
	pd = doc(t, page)
	older, ok := pd.Find(`a[rel=next]`).Attr("href")
	if pd.Find(`tbody tr`).Length() != auditPageSize || !ok {
		t.Fatalf("first audit page: %d rows, older link %v", pd.Find(`tbody tr`).Length(), ok)
	}
	_, page = e.get(older)
	if n := doc(t, page).Find(`tr[data-action="publish"]`).Length(); n != 2 {
		t.Errorf("the older page shows %d publish rows, want 2", n)
	}
}
