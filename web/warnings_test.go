package web

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets/xlsx/xlsxtest"
)

// TestUploadWarnings checks that warnings reach the API's dry run, the
// admin upload's JSON and the preview page in the one format
// {"sheet","cell","code","message"}.
func TestUploadWarnings(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, err := accounts.NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	// Workbooks downloaded from the server record their version, so the
	// only warnings are the ones added here.
	downloaded := get(t, s, "/data/dataset.xlsx").Body.Bytes()
	warned := xlsxtest.WithWarnings(t, downloaded)
	wantCodes := map[string]string{"Observations!G1": "unknown_column", "Scratch!": "unknown_sheet"}
	checkWarnings := func(what string, body []byte) {
		t.Helper()
		var res struct {
			Warnings []map[string]string `json:"warnings"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, body)
		}
		got := map[string]string{}
		for _, w := range res.Warnings {
			if keys := slices.Sorted(maps.Keys(w)); !slices.Equal(keys, []string{"cell", "code", "message", "sheet"}) {
				t.Errorf("%s: warning %v has keys %v, want cell, code, message, sheet", what, w, keys)
			}
			got[w["sheet"]+"!"+w["cell"]] = w["code"]
		}
		if !maps.Equal(got, wantCodes) {
			t.Errorf("%s: warnings %s, want codes by place %v", what, body, wantCodes)
		}
	}

	ct, body := multipartBody(t, nil, "x.xlsx", warned)
	rec := api(t, s, http.MethodPost, "/api/v1/datasets?dry_run=1", tok, body, ct)
	if rec.Code != http.StatusOK {
		t.Fatalf("dry run with warnings = %d %s, want 200", rec.Code, rec.Body.String())
	}
	checkWarnings("dry run", rec.Body.Bytes())

	ct, body = multipartBody(t, nil, "x.xlsx", downloaded)
	rec = api(t, s, http.MethodPost, "/api/v1/datasets?dry_run=1", tok, body, ct)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"warnings":[]`) {
		t.Errorf("dry run without warnings = %d %s, want 200 with \"warnings\":[]", rec.Code, rec.Body.String())
	}

	e := newEditor(t, s, store)
	if resp := e.login(testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	ct, body = multipartBody(t, map[string]string{"csrf": e.csrf}, "warned.xlsx", warned)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/admin/uploads", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/json")
	resp, b := e.do(req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin upload asking for JSON = %d %s, want 200", resp.StatusCode, b)
	}
	checkWarnings("admin upload", b)
	var up struct {
		Location string `json:"location"`
	}
	json.Unmarshal(b, &up)

	_, page := e.get(up.Location)
	items := doc(t, page).Find("li[data-code]")
	got := map[string]string{}
	for i := range items.Length() {
		li := items.Eq(i)
		code, _ := li.Attr("data-code")
		got[li.Find("strong").Text()] = code
	}
	if want := map[string]string{"Observations!G1": "unknown_column", "Scratch": "unknown_sheet"}; !maps.Equal(got, want) {
		t.Errorf("preview page warnings = %v, want %v", got, want)
	}
}
