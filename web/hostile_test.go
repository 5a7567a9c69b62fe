package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/xlsx/xlsxtest"
)

// TestHostileUploads sends every broken and hostile workbook of the corpus
// through the API: each gets a 4xx naming what is wrong, the server stays
// up with bounded memory, and the published data does not change.
func TestHostileUploads(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, _ := accounts.NewAPIToken(context.Background(), store, "ci")
	before := get(t, s, "/").Body.String()
	var ms runtime.MemStats
	for _, c := range xlsxtest.Hostile(t) {
		t.Run(c.Name, func(t *testing.T) {
			ct, body := multipartBody(t, nil, "upload.xlsx", c.Data)
			rec := api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct)
			if rec.Code < 400 || rec.Code >= 500 {
				t.Fatalf("status %d, want 4xx: %s", rec.Code, rec.Body.String())
			}
			var out struct {
				Errors []apiIssue `json:"errors"`
			}
			json.Unmarshal(rec.Body.Bytes(), &out)
			found := false
			for _, i := range out.Errors {
				if strings.Contains(i.Message, c.Message) && (c.Sheet == "" || i.Sheet == c.Sheet) && (c.Cell == "" || i.Cell == c.Cell) {
					found = true
				}
			}
			if !found {
				t.Errorf("no error at %s!%s containing %q in %s", c.Sheet, c.Cell, c.Message, rec.Body.String())
			}
			// What the upload left behind, not garbage awaiting collection:
			// the heap is the whole test binary's, and other tests run
			// beside this one. The peak during a decode is bounded by the
			// decoder's own tests (datasets/xlsx TestDecodeHostile).
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > 512<<20 {
				t.Errorf("live heap %d MiB after this upload", ms.HeapAlloc>>20)
			}
		})
	}
	if n, _ := store.CurrentNumber(context.Background()); n != 1 {
		t.Errorf("current version is %d after hostile uploads, want 1", n)
	}
	if after := get(t, s, "/").Body.String(); after != before {
		t.Errorf("the dashboard changed after hostile uploads")
	}
	if rec := get(t, s, "/healthz"); rec.Code != http.StatusOK {
		t.Errorf("server unhealthy after hostile uploads: %d", rec.Code)
	}
}

// TestUploadsSavedByOtherPrograms: the default workbook re-saved by
// openpyxl and by LibreOffice Calc uploads and publishes.
func TestUploadsSavedByOtherPrograms(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, _ := accounts.NewAPIToken(context.Background(), store, "ci")
	for i, tc := range []struct {
		name string
		save func(testing.TB, []byte) []byte
	}{
		{"openpyxl", xlsxtest.SavedByOpenpyxl},
		{"LibreOffice", xlsxtest.SavedByLibreOffice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := datasets.MustDefault()
			d.Facts[0].Value = float64(171 + i) // differs from whatever is current
			orig := workbook(t, d)
			data := tc.save(t, orig)
			if bytes.Equal(data, orig) {
				t.Fatal("the program did not rewrite the file")
			}
			ct, body := multipartBody(t, nil, tc.name+".xlsx", data)
			rec := api(t, s, http.MethodPost, "/api/v1/datasets?dry_run=1", tok, body, ct)
			var dry struct {
				Valid   bool  `json:"valid"`
				Changes []any `json:"changes"`
			}
			json.Unmarshal(rec.Body.Bytes(), &dry)
			if rec.Code != http.StatusOK || !dry.Valid {
				t.Fatalf("dry run of a %s-saved workbook = %d %s", tc.name, rec.Code, rec.Body.String())
			}
			if len(dry.Changes) != 1 {
				t.Errorf("a %s-saved workbook changes %d things, want only the edited figure: %v", tc.name, len(dry.Changes), dry.Changes)
			}
			ct, body = multipartBody(t, nil, tc.name+".xlsx", data)
			if rec := api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct); rec.Code != http.StatusCreated {
				t.Errorf("publishing a %s-saved workbook = %d %s", tc.name, rec.Code, rec.Body.String())
			}
		})
	}
}
