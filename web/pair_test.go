package web

import (
	"archive/zip"
	"bytes"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/charts"
)

// pairDataset is a second country pair (Japan and Viet Nam) made of
// INVENTED SAMPLE DATA (web/testdata/pair), used only to prove that
// nothing in the code is specific to the United States and Korea.
func pairDataset(t testing.TB) *stats.Dataset {
	t.Helper()
	d, err := datasets.LoadCSV(os.DirFS("testdata/pair"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// usKorea matches wording of the first instance that must not leak into
// another pair's pages.
var usKorea = regexp.MustCompile(`(?i)korea|\bU\.S\.|united states|american|census|\bROK\b`)

// TestSecondPair serves the whole dashboard, every chart page, download
// and image from a second pair's workbook with no code change.
func TestSecondPair(t *testing.T) {
	d := pairDataset(t)
	s := newTestServer(t, d)
	check := func(path string, body []byte) {
		t.Helper()
		if m := usKorea.Find(body); m != nil {
			i := bytes.Index(body, m)
			t.Errorf("%s: U.S.–Korea wording %q left over: …%s…", path, m, body[max(0, i-80):min(len(body), i+80)])
		}
	}
	rec := get(t, s, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / = %d", rec.Code)
	}
	check("/", rec.Body.Bytes())
	page := doc(t, rec.Body.Bytes())
	if h := page.Find("h1").Text(); !strings.Contains(h, "Japan and Viet Nam") {
		t.Errorf("h1 = %q", h)
	}
	for _, want := range []string{"Trade in goods", "Investment", "About the data"} {
		if !strings.Contains(page.Find("h2").Text(), want) {
			t.Errorf("no heading %q on the dashboard", want)
		}
	}
	if n := page.Find("figure.chart").Length(); n != len(d.Charts) {
		t.Errorf("%d charts on the dashboard, want %d", n, len(d.Charts))
	}
	if txt := page.Find("#trade").Text(); !strings.Contains(txt, "$18.1 billion") {
		t.Errorf("the trade text lacks its figure: %q", txt)
	}
	if txt := page.Find(".figures").Text(); !strings.Contains(txt, "about 2,000 companies") || !strings.Contains(txt, "exports to Viet Nam, 2023") {
		t.Errorf("key figures = %q", txt)
	}
	nav := page.Find(".site-nav").Text()
	if !strings.Contains(nav, "Trade") || !strings.Contains(nav, "Investment") || strings.Contains(nav, "COVID") {
		t.Errorf("menu = %q", nav)
	}
	for _, spec := range charts.Specs(d) {
		for _, ext := range []string{"", ".json", ".csv", ".xlsx", ".svg", ".png", ".pdf"} {
			path := "/charts/" + spec.ID + ext
			rec := get(t, s, path)
			if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
				t.Errorf("GET %s = %d (%d bytes)", path, rec.Code, rec.Body.Len())
				continue
			}
			switch ext {
			case "", ".json", ".csv", ".svg":
				check(path, rec.Body.Bytes())
			case ".xlsx":
				zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				for _, f := range zr.File {
					rc, _ := f.Open()
					var b bytes.Buffer
					b.ReadFrom(rc)
					rc.Close()
					check(path+"!"+f.Name, b.Bytes())
				}
			}
		}
	}
	// The computed difference, the stacked bars, the year range and the
	// second axis reach the option.
	js := get(t, s, "/charts/jp-vn-goods.json").Body.String()
	if !strings.Contains(js, `"name":"Balance (exports minus imports)"`) || !strings.Contains(js, `"value":-2.2`) {
		t.Errorf("jp-vn-goods option lacks the computed balance: %s", js)
	}
	js = get(t, s, "/charts/jp-vn-stacked.json").Body.String()
	if !strings.Contains(js, `"stack":"stack"`) || strings.Contains(js, `"2018"`) {
		t.Errorf("jp-vn-stacked option: want stacked bars from 2019: %s", js)
	}
	js = get(t, s, "/charts/jp-fdi-rank.json").Body.String()
	if !strings.Contains(js, `"inverse":true`) || !strings.Contains(js, `"yAxisIndex":1`) {
		t.Errorf("jp-fdi-rank option: want an inverted second axis: %s", js)
	}
	if rec := get(t, s, "/data/dataset.xlsx"); rec.Code != http.StatusOK {
		t.Errorf("GET /data/dataset.xlsx = %d", rec.Code)
	}
	// A chart of the built-in definitions this server never showed for
	// this pair is gone, not unknown.
	if rec := get(t, s, "/charts/us-goods-trade"); rec.Code != http.StatusGone {
		t.Errorf("GET /charts/us-goods-trade = %d, want 410", rec.Code)
	}
	if rec := get(t, s, "/charts/never-was"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /charts/never-was = %d, want 404", rec.Code)
	}
}
