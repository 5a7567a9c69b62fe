package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/xlsx/xlsxtest"
)

// TestBidiControlsStripped: a right-to-left override in a source's name
// (issue 10, finding 9) reversed the rest of its line on the page and in
// image captions, the server's own "and N more" included. Uploaded text
// arrives without directional controls on every surface.
func TestBidiControlsStripped(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, err := accounts.NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	d := datasets.MustDefault()
	for i := range d.Sources {
		d.Sources[i].Organisation = "\u202E" + d.Sources[i].Organisation + "\u2066"
	}
	ct, body := multipartBody(t, nil, "bidi.xlsx", workbook(t, d))
	if rec := api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct); rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
		t.Fatalf("publish = %d %s", rec.Code, rec.Body.String())
	}
	const controls = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069"
	for _, path := range []string{"/", "/charts/us-goods-trade", "/charts/us-goods-trade.svg", "/charts/us-goods-trade.csv", "/charts/us-goods-trade.json", "/data/dataset.xlsx"} {
		rec := get(t, s, path)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s = %d", path, rec.Code)
		}
		if i := strings.IndexAny(rec.Body.String(), controls); i >= 0 {
			t.Errorf("%s carries a directional control at byte %d", path, i)
		}
	}
}

// TestBinDefaultIsNotAMacro: a workbook whose [Content_Types].xml declares
// a default type for ".bin" files but holds no macro part was refused as
// "contains macros" (issue 10, finding 14). The part itself decides.
func TestBinDefaultIsNotAMacro(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, err := accounts.NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	binDefault := func(ct string) string {
		return strings.Replace(ct, "<Default ", `<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default `, 1)
	}
	plain := workbook(t, datasets.MustDefault())
	for _, tc := range []struct {
		name     string
		data     []byte
		wantCode int
		want     string
	}{
		{"bin default, no macro part", xlsxtest.EditPart(t, plain, "[Content_Types].xml", binDefault), http.StatusOK, `"valid":true`},
		{"bin default and a macro part", xlsxtest.EditPart(t, plain, "[Content_Types].xml", binDefault, "xl/vbaProject.bin", "\x00macro"), http.StatusUnprocessableEntity, "contains macros"},
	} {
		ct, body := multipartBody(t, nil, "x.xlsx", tc.data)
		rec := api(t, s, http.MethodPost, "/api/v1/datasets?dry_run=1", tok, body, ct)
		if rec.Code != tc.wantCode || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s: dry run = %d %s; want %d containing %q", tc.name, rec.Code, rec.Body.String(), tc.wantCode, tc.want)
		}
	}
}

// TestSignInRefusesPasswordSuffix: bcrypt reads 72 bytes, so sign-in took
// any suffix after a 72-byte password (issue 10, finding 13).
func TestSignInRefusesPasswordSuffix(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	e := newEditor(t, s, store)
	long := strings.Repeat("p", 72)
	h, err := accounts.HashPassword(long)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetPassword(context.Background(), "ana", h); err != nil {
		t.Fatal(err)
	}
	if resp := e.login(long + "-anything"); resp.StatusCode == http.StatusSeeOther {
		t.Errorf("sign-in with a suffix after the 72-byte password succeeded")
	}
	if resp := e.login(long); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in with the password = %d, want 303", resp.StatusCode)
	}
}

// TestHugeValuesRefusedWithTheirCell: two values of 1e308 passed the dry
// run and then made a computed total +Inf, so publishing failed with a
// generic 500 (issue 10, finding 7). Values are bounded (10^15 in size),
// so every total a chart computes from two of them stays finite, and the
// upload is refused with the cells named before anything is published.
func TestHugeValuesRefusedWithTheirCell(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	tok, err := accounts.NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	d := datasets.MustDefault()
	n := 0
	for i, o := range d.Observations {
		if (o.Series == "us_goods_exports" || o.Series == "us_goods_imports") && o.Year == 2019 {
			d.Observations[i].Value = 1e308
			n++
		}
	}
	if n != 2 {
		t.Fatalf("found %d observations to spoil, want 2", n)
	}
	for _, path := range []string{"/api/v1/datasets?dry_run=1", "/api/v1/datasets"} {
		ct, body := multipartBody(t, nil, "huge.xlsx", workbook(t, d))
		rec := api(t, s, http.MethodPost, path, tok, body, ct)
		var out struct {
			Errors []apiIssue `json:"errors"`
		}
		json.Unmarshal(rec.Body.Bytes(), &out)
		cells := 0
		for _, e := range out.Errors {
			if e.Sheet == "Observations" && strings.HasPrefix(e.Cell, "C") && strings.Contains(e.Message, "10^15") {
				cells++
			}
		}
		if rec.Code != http.StatusUnprocessableEntity || cells != 2 {
			t.Errorf("%s = %d %s; want 422 naming both Observations value cells", path, rec.Code, rec.Body.String())
		}
	}
	if v, _ := store.CurrentNumber(context.Background()); v != 1 {
		t.Errorf("current version is %d, want 1", v)
	}
}
