package web

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/datasets/xlsx/xlsxtest"
	"github.com/bilateral/bilateral/stats"
)

// exportedFrom encodes d as a workbook downloaded from version n, the way
// an editor's edited copy of /data/dataset.xlsx looks.
func exportedFrom(t testing.TB, d *stats.Dataset, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := xlsx.EncodeWith(&b, d, xlsx.EncodeOptions{ExportedFrom: n}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// apiUpload posts a workbook to the API with optional extra headers.
func apiUpload(t testing.TB, s *Server, path, tok string, data []byte, hdr ...string) (*http.Response, map[string]any) {
	t.Helper()
	ct, body := multipartBody(t, nil, "edit.xlsx", data)
	req, _ := http.NewRequest(http.MethodPost, path, body)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", ct)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rr := httptest.NewRecorder()
	s.Handler().ServeHTTP(rr, req)
	resp := rr.Result()
	var m map[string]any
	json.Unmarshal(rr.Body.Bytes(), &m)
	return resp, m
}

func warningCodes(m map[string]any) []string {
	var out []string
	ws, _ := m["warnings"].([]any)
	for _, w := range ws {
		if wm, ok := w.(map[string]any); ok {
			out = append(out, wm["code"].(string))
		}
	}
	return out
}

// TestStaleBaseRefusedOverAPI (issue 10, finding 6): export at version 1,
// publish edit A, then upload edit B also made from version 1. On the old
// code B silently undid A. Now the dry run shows what B overwrites, a
// publish without ?force=1 gets 409 stale_base, If-Match naming another
// version gets 412 before anything else, an older base that overwrites
// nothing goes through with a note, and ?force=1 overrides.
func TestStaleBaseRefusedOverAPI(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, err := accounts.NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	// The download records its version, outside the dataset.
	res, err := xlsx.Decode(get(t, s, "/data/dataset.xlsx").Body.Bytes(), xlsx.DefaultLimits())
	if err != nil || res.ExportedFrom != 1 {
		t.Fatalf("downloaded workbook: exported from %v, %v; want 1", res, err)
	}
	if !slices.Equal(stats.Diff(res.Dataset, datasets.MustDefault()), nil) {
		t.Fatalf("the Exported-from row leaked into the dataset: %v", stats.Diff(res.Dataset, datasets.MustDefault()))
	}
	orig := datasets.MustDefault()
	editA := datasets.MustDefault()
	editA.Facts[0].Value = 175
	if resp, m := apiUpload(t, s, "/api/v1/datasets", tok, exportedFrom(t, editA, 1)); resp.StatusCode != http.StatusCreated {
		t.Fatalf("publish A = %d %v", resp.StatusCode, m)
	}
	// B, made from version 1, changes another fact and leaves fact 0 at
	// its version-1 value: it would undo A.
	editB := datasets.MustDefault()
	editB.Facts[1].Value = 999
	wbB := exportedFrom(t, editB, 1)

	resp, m := apiUpload(t, s, "/api/v1/datasets?dry_run=1", tok, wbB)
	if resp.StatusCode != http.StatusOK || m["base_version"] != 1.0 || m["current_version"] != 2.0 {
		t.Fatalf("dry run of B = %d %v; want 200 with base 1, current 2", resp.StatusCode, m)
	}
	ow, _ := m["overwrites"].([]any)
	if len(ow) != 1 {
		t.Fatalf("dry run of B overwrites %v; want fact 0's value", m["overwrites"])
	}
	o := ow[0].(map[string]any)
	if o["table"] != stats.TableFacts || o["key"] != orig.Facts[0].Key || o["field"] != "Value" || o["current"] != "175" || o["upload"] != strconv.FormatFloat(orig.Facts[0].Value, 'f', -1, 64) {
		t.Errorf("overwrite = %v", o)
	}
	if !slices.Contains(warningCodes(m), schema.WarnOlderBase) {
		t.Errorf("dry run warnings %v lack %s", warningCodes(m), schema.WarnOlderBase)
	}

	resp, m = apiUpload(t, s, "/api/v1/datasets", tok, wbB)
	if resp.StatusCode != http.StatusConflict || m["code"] != "stale_base" {
		t.Fatalf("publish of B = %d %v; want 409 stale_base", resp.StatusCode, m)
	}
	if keys := slices.Sorted(maps.Keys(m)); !slices.Equal(keys, []string{"base_version", "code", "current_version", "error", "overwrites", "request_id"}) {
		t.Errorf("409 body keys = %v", keys)
	}
	if m["base_version"] != 1.0 || m["current_version"] != 2.0 || len(m["overwrites"].([]any)) != 1 {
		t.Errorf("409 body = %v", m)
	}

	// The current version and its ETag.
	rec := api(t, s, http.MethodGet, "/api/v1/datasets/current", tok, nil, "")
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"v2"` {
		t.Fatalf("current = %d, ETag %q; want 200 \"v2\"", rec.Code, rec.Header().Get("ETag"))
	}
	// If-Match naming another version: 412 before the body is even read
	// (this one is not a workbook at all).
	resp, m = apiUpload(t, s, "/api/v1/datasets", tok, []byte("not a workbook"), "If-Match", `"v1"`)
	if resp.StatusCode != http.StatusPreconditionFailed || m["code"] != "precondition_failed" || m["current_version"] != 2.0 {
		t.Errorf("If-Match \"v1\" = %d %v; want 412", resp.StatusCode, m)
	}
	// If-Match naming the current version passes on to the other checks.
	if resp, m = apiUpload(t, s, "/api/v1/datasets", tok, wbB, "If-Match", `"v2"`); resp.StatusCode != http.StatusConflict {
		t.Errorf("If-Match \"v2\" with B = %d %v; want 409", resp.StatusCode, m)
	}

	// D, also made from version 1, keeps A's change: it overwrites nothing
	// and goes through, with a note.
	editD := datasets.MustDefault()
	editD.Facts[0].Value = 175
	editD.Facts[2].Value = 42
	resp, m = apiUpload(t, s, "/api/v1/datasets", tok, exportedFrom(t, editD, 1))
	if resp.StatusCode != http.StatusCreated || m["version"] != 3.0 || len(m["overwrites"].([]any)) != 0 || !slices.Contains(warningCodes(m), schema.WarnOlderBase) {
		t.Fatalf("publish of D = %d %v; want 201 version 3 with a note", resp.StatusCode, m)
	}

	// ?force=1 publishes B over the newer values.
	resp, m = apiUpload(t, s, "/api/v1/datasets?force=1", tok, wbB)
	if resp.StatusCode != http.StatusCreated || m["version"] != 4.0 {
		t.Fatalf("forced publish of B = %d %v; want 201 version 4", resp.StatusCode, m)
	}

	// A workbook without the row (made by a script) has no base: allowed,
	// with a warning that it replaces the current version whole.
	resp, m = apiUpload(t, s, "/api/v1/datasets", tok, workbook(t, editA))
	if resp.StatusCode != http.StatusCreated || !slices.Contains(warningCodes(m), schema.WarnNoBase) {
		t.Errorf("publish without a base = %d %v; want 201 with %s", resp.StatusCode, m, schema.WarnNoBase)
	}
	// A base this store does not hold needs the confirmation too.
	resp, m = apiUpload(t, s, "/api/v1/datasets", tok, exportedFrom(t, editA, 99))
	if resp.StatusCode != http.StatusConflict || m["code"] != "stale_base" || m["base_version"] != 99.0 {
		t.Errorf("publish from an unknown base = %d %v; want 409 stale_base", resp.StatusCode, m)
	}
}

// TestStaleBaseNeedsConfirmationOnAdminPage (issue 10, finding 6): the
// preview lists the values a stale upload would overwrite and publishing
// it needs the confirmation box; without it nothing is published.
func TestStaleBaseNeedsConfirmationOnAdminPage(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	e := newEditor(t, s, store)
	if resp := e.login(testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	editA := datasets.MustDefault()
	editA.Facts[0].Value = 175
	if _, err := s.publish(context.Background(), datasets.NewVersion{Workbook: exportedFrom(t, editA, 1), Dataset: editA, Author: "bo"}); err != nil {
		t.Fatal(err)
	}
	editB := datasets.MustDefault()
	editB.Facts[1].Value = 999
	resp, _ := e.upload(exportedFrom(t, editB, 1), true)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload = %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	_, body := e.get(loc)
	d := doc(t, body)
	if n := d.Find("table.overwrites tbody tr").Length(); n != 1 {
		t.Errorf("preview lists %d overwrites, want 1", n)
	}
	if d.Find("input[name=confirm_overwrite][required]").Length() != 1 {
		t.Errorf("preview has no required confirmation box")
	}
	resp, _ = e.postForm(loc+"/publish", url.Values{"csrf": {e.csrf}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("publish without confirmation = %d, want 409", resp.StatusCode)
	}
	if n, _ := store.CurrentNumber(context.Background()); n != 2 {
		t.Fatalf("current = %d after an unconfirmed publish, want 2", n)
	}
	resp, _ = e.postForm(loc+"/publish", url.Values{"csrf": {e.csrf}, "confirm_overwrite": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("confirmed publish = %d, want 303", resp.StatusCode)
	}
	if n, _ := store.CurrentNumber(context.Background()); n != 3 {
		t.Errorf("current = %d after a confirmed publish, want 3", n)
	}
	log, _ := store.AuditLog(context.Background(), datasets.AuditQuery{Action: "publish", Limit: 1})
	if len(log) != 1 || !strings.Contains(log[0].Detail, "confirmed over 1 newer value") {
		t.Errorf("audit of the confirmed publish = %+v", log)
	}
}

// TestFormulaCellsWarnedAndRawUploadForEditorsOnly (issue 10, finding 8):
// a formula cell with a saved value (here a DDE payload whose saved value
// is not what it computes) was accepted silently and its upload served
// back byte for byte. Now every formula is a warning naming sheet, cell
// and formula; the history says which versions' uploads hold formulas;
// the raw upload is served to editors only, labelled as the uploaded
// file, and never to readers.
func TestFormulaCellsWarnedAndRawUploadForEditorsOnly(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, err := accounts.NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	const dde = "cmd|' /C calc'!A0"
	wb := xlsxtest.WithFormula(t, get(t, s, "/data/dataset.xlsx").Body.Bytes(), "Observations", "C2", dde)

	resp, m := apiUpload(t, s, "/api/v1/datasets?dry_run=1", tok, wb)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dry run = %d %v", resp.StatusCode, m)
	}
	var found bool
	for _, w := range m["warnings"].([]any) {
		w := w.(map[string]any)
		if w["code"] == schema.WarnFormulaCell && w["sheet"] == "Observations" && w["cell"] == "C2" && strings.Contains(w["message"].(string), dde) {
			found = true
		}
	}
	if !found {
		t.Fatalf("dry run warnings %v lack formula_cell at Observations!C2 naming %q", m["warnings"], dde)
	}

	e := newEditor(t, s, store)
	e.login(testPassword)
	resp, _ = e.upload(wb, true)
	_, body := e.get(resp.Header.Get("Location"))
	if d := doc(t, body); d.Find(`li[data-code="formula_cell"]`).Length() != 1 {
		t.Errorf("preview does not show the formula warning")
	}
	resp, _ = e.postForm(resp.Header.Get("Location")+"/publish", url.Values{"csrf": {e.csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish = %d", resp.StatusCode)
	}
	_, body = e.get("/admin")
	if d := doc(t, body); d.Find(`[data-formulas="1"]`).Length() != 1 || !strings.Contains(d.Find("table.history").Text(), "contains 1 formula") {
		t.Errorf("history does not say that version 2's upload contains a formula")
	}

	// Editors get the upload byte for byte, labelled as such.
	resp, raw := e.get("/admin/versions/2/workbook")
	if resp.StatusCode != http.StatusOK || !bytes.Equal(raw, wb) || !strings.Contains(resp.Header.Get("Content-Disposition"), "as-uploaded") || resp.Header.Get("X-Bilateral-Formulas") != "1" {
		t.Errorf("editor download = %d, %d bytes, %q, formulas %q", resp.StatusCode, len(raw), resp.Header.Get("Content-Disposition"), resp.Header.Get("X-Bilateral-Formulas"))
	}
	// Readers never do: the version route needs a session, and the public
	// workbook is generated.
	if rec := get(t, s, "/admin/versions/2/workbook"); rec.Code == http.StatusOK {
		t.Errorf("anonymous GET of the uploaded workbook = 200")
	}
	pub := get(t, s, "/data/dataset.xlsx").Body.Bytes()
	if bytes.Equal(pub, wb) || bytes.Contains(pub, []byte("calc")) {
		t.Errorf("the public workbook is the upload, or carries its formula")
	}
	if res, err := xlsx.Decode(pub, xlsx.DefaultLimits()); err != nil || res.Formulas != 0 || res.ExportedFrom != 2 {
		t.Errorf("public workbook: %+v, %v; want no formulas, exported from 2", res, err)
	}

	// A version stored before uploads were counted (formulas not known)
	// is counted once the server runs.
	ctx := context.Background()
	old, err := store.Publish(ctx, datasets.NewVersion{Workbook: wb, Dataset: datasets.MustDefault(), Author: "wave 1", Formulas: -1})
	if err != nil || old.Formulas != -1 {
		t.Fatalf("publish with an unknown count: %+v, %v", old, err)
	}
	s.countFormulas(ctx)
	if v, _, err := store.Version(ctx, old.Number); err != nil || v.Formulas != 1 {
		t.Errorf("version %d after counting: formulas %d, %v; want 1", old.Number, v.Formulas, err)
	}
}
