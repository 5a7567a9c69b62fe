package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/datasets/xlsx/xlsxtest"
	"github.com/bilateral/bilateral/stats"
)

// dryRun posts a workbook with ?dry_run=1 and returns its JSON.
func dryRun(t *testing.T, s *Server, tok string, data []byte) (code int, res struct {
	Valid    bool             `json:"valid"`
	Warnings []schema.Warning `json:"warnings"`
	Errors   []struct{ Sheet, Cell, Message string }
}) {
	t.Helper()
	ct, body := multipartBody(t, nil, "edited.xlsx", data)
	rec := api(t, s, http.MethodPost, "/api/v1/datasets?dry_run=1", tok, body, ct)
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatalf("dry run: %v: %s", err, rec.Body.String())
	}
	return rec.Code, res
}

func publishAPI(t *testing.T, s *Server, tok string, data []byte) {
	t.Helper()
	ct, body := multipartBody(t, nil, "edited.xlsx", data)
	if rec := api(t, s, http.MethodPost, "/api/v1/datasets", tok, body, ct); rec.Code != http.StatusCreated {
		t.Fatalf("publish = %d %s", rec.Code, rec.Body.String())
	}
}

// TestEditorOwnsCharts: the three editor stories of the definition
// sheets, each made with openpyxl on the downloaded workbook.
func TestEditorOwnsCharts(t *testing.T) {
	s, store := newTestServerStore(t, datasets.MustDefault())
	tok, _ := accounts.NewAPIToken(context.Background(), store, "ci")
	current := func() []byte {
		rec := get(t, s, "/data/dataset.xlsx")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /data/dataset.xlsx = %d", rec.Code)
		}
		return rec.Body.Bytes()
	}

	t.Run("add a series and a chart", func(t *testing.T) {
		data := xlsxtest.EditedByOpenpyxl(t, current(), `
row("Series", {"ID": "us_steel_exports", "Name": "U.S. steel exports to Korea (test)", "Unit": "USD million", "Reported by": "US", "Official": "yes"})
for y, v in [(2021, 310.5), (2022, 402.25), (2023, 377)]:
    row("Observations", {"Series": "us_steel_exports", "Year": y, "Value": v, "Source": wb["Sources"]["A2"].value})
row("Charts", {"ID": "steel", "Section": "trade", "Order": 99, "Kind": "bar", "Title": "Steel exports (test)", "Subtitle": "USD million", "Axis 1 name": "USD million"})
row("Chart series", {"Chart": "steel", "Series": "us_steel_exports", "Colour": "gold", "Label": "Steel"})
`)
		code, res := dryRun(t, s, tok, data)
		if code != http.StatusOK || !res.Valid {
			t.Fatalf("dry run = %d %+v", code, res)
		}
		if !hasWarning(res.Warnings, schema.WarnChartAdded, "steel") || !hasWarning(res.Warnings, schema.WarnSeriesAdded, "us_steel_exports") {
			t.Errorf("dry-run warnings %v: want chart_added and series_added", res.Warnings)
		}
		publishAPI(t, s, tok, data)
		if dd := doc(t, get(t, s, "/").Body.Bytes()); dd.Find("#trade figure#chart-steel").Length() != 1 {
			t.Errorf("the new chart is not in the trade section of /")
		}
		page := get(t, s, "/charts/steel")
		if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "402.25") {
			t.Errorf("GET /charts/steel = %d, want the page with its table", page.Code)
		}
		for _, ext := range []string{".json", ".csv", ".xlsx", ".svg", ".png", ".pdf"} {
			rec := get(t, s, "/charts/steel"+ext)
			if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
				t.Errorf("GET /charts/steel%s = %d (%d bytes)", ext, rec.Code, rec.Body.Len())
			}
		}
		if csv := get(t, s, "/charts/steel.csv").Body.String(); !strings.Contains(csv, "us_steel_exports,U.S. steel exports to Korea (test),2022,402.25,official,USD million") {
			t.Errorf("steel.csv lacks the values as stored:\n%s", csv)
		}
	})

	t.Run("remove a series a chart uses", func(t *testing.T) {
		data := xlsxtest.EditedByOpenpyxl(t, current(), `
for sheet, header in [("Chart series", "Series"), ("Observations", "Series"), ("Series", "ID")]:
    ws = wb[sheet]
    c = headers(sheet).index(header) + 1
    for r in range(ws.max_row, 1, -1):
        if ws.cell(row=r, column=c).value == "us_services_imports":
            ws.delete_rows(r)
`)
		code, res := dryRun(t, s, tok, data)
		if code != http.StatusOK || !res.Valid {
			t.Fatalf("dry run = %d %+v", code, res)
		}
		if !hasWarning(res.Warnings, schema.WarnChartLostSeries, "services-trade") || !hasWarning(res.Warnings, schema.WarnSeriesRemoved, "services-trade") {
			t.Errorf("dry-run warnings %v: want chart_lost_series and series_removed naming services-trade", res.Warnings)
		}
		// Removing the series but not the chart's row is refused, naming the cell.
		data = xlsxtest.EditedByOpenpyxl(t, current(), `
ws = wb["Series"]
ws.delete_rows(find("Series", "ID", "us_services_imports"))
`)
		code, res = dryRun(t, s, tok, data)
		if code != http.StatusUnprocessableEntity || len(res.Errors) == 0 {
			t.Fatalf("dry run without the series = %d %+v, want 422", code, res)
		}
		found := false
		for _, e := range res.Errors {
			if e.Sheet == "Chart series" && strings.Contains(e.Message, "no series has this ID") {
				found = true
			}
		}
		if !found {
			t.Errorf("errors %+v: want one on Chart series naming the unknown series", res.Errors)
		}
	})

	t.Run("edit a text cell", func(t *testing.T) {
		data := xlsxtest.EditedByOpenpyxl(t, current(), `
r = find("Text", "Heading", "Trade")
wb["Text"][col("Text", "Body") + str(r)] = "Rewritten for 2025: exports were {{value us_goods_exports 2019}} in 2019."
`)
		code, res := dryRun(t, s, tok, data)
		if code != http.StatusOK || !res.Valid {
			t.Fatalf("dry run = %d %+v", code, res)
		}
		publishAPI(t, s, tok, data)
		txt := doc(t, get(t, s, "/").Body.Bytes()).Find("#trade .story-text").Text()
		if !strings.Contains(txt, "Rewritten for 2025: exports were $") || strings.Contains(txt, "The fact sheet puts two-way trade") {
			t.Errorf("the trade text did not change: %q", txt)
		}
	})

	t.Run("bad text is refused with its cell", func(t *testing.T) {
		data := xlsxtest.EditedByOpenpyxl(t, current(), `
r = find("Text", "Heading", "Energy")
wb["Text"][col("Text", "Body") + str(r)] = "<img src=x onerror=alert(1)> in the energy text"
r = find("Text", "Heading", "COVID-19 cooperation")
wb["Text"][col("Text", "Body") + str(r)] = "A figure of {{value nope 2019}}"
`)
		code, res := dryRun(t, s, tok, data)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("dry run = %d, want 422", code)
		}
		var html, ref bool
		for _, e := range res.Errors {
			if e.Sheet == "Text" && strings.HasPrefix(e.Cell, "E") {
				html = html || strings.Contains(e.Message, "raw HTML")
				ref = ref || strings.Contains(e.Message, `no series has the ID "nope"`)
			}
		}
		if !html || !ref {
			t.Errorf("errors %+v: want raw HTML and the unknown series, at Text!E", res.Errors)
		}
	})
}

func hasWarning(ws []schema.Warning, code, text string) bool {
	for _, w := range ws {
		if w.Code == code && strings.Contains(w.Message, text) {
			return true
		}
	}
	return false
}

// TestRemovedChartIsGone: a chart removed by a publish answers 410 Gone
// with a link to the dashboard, on this server and on one started later
// (which learns the charts of earlier versions from the store).
func TestRemovedChartIsGone(t *testing.T) {
	d := datasets.MustDefault()
	s, store := newTestServerStore(t, d)
	tok, _ := accounts.NewAPIToken(context.Background(), store, "ci")
	publishAPI(t, s, tok, workbook(t, withChart(d)))
	if rec := get(t, s, "/charts/extra"); rec.Code != http.StatusOK {
		t.Fatalf("GET /charts/extra = %d", rec.Code)
	}
	publishAPI(t, s, tok, workbook(t, d)) // removes it again
	for _, path := range []string{"/charts/extra", "/charts/extra.png", "/charts/extra.csv"} {
		rec := get(t, s, path, "Accept", "text/html")
		if rec.Code != http.StatusGone {
			t.Errorf("GET %s after removing the chart = %d, want 410", path, rec.Code)
		}
	}
	if rec := get(t, s, "/charts/extra", "Accept", "text/html"); doc(t, rec.Body.Bytes()).Find(`a[href="/"]`).Length() == 0 {
		t.Errorf("the 410 page has no link to the dashboard")
	}
	// Renaming a chart's title keeps its address.
	r := datasets.MustDefault()
	r.Charts[0].Title = "Goods trade, retitled"
	publishAPI(t, s, tok, workbook(t, r))
	if rec := get(t, s, "/charts/"+r.Charts[0].ID); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Goods trade, retitled") {
		t.Errorf("a retitled chart's address = %d", rec.Code)
	}

	later, err := NewServer(Config{Store: store, Logger: s.log})
	if err != nil {
		t.Fatal(err)
	}
	if rec := get(t, later, "/charts/extra"); rec.Code != http.StatusNotFound {
		t.Errorf("before learning the history: %d, want 404", rec.Code)
	}
	later.learnChartHistory(context.Background())
	if rec := get(t, later, "/charts/extra"); rec.Code != http.StatusGone {
		t.Errorf("a server started later: GET /charts/extra = %d, want 410", rec.Code)
	}
}

// withChart returns a copy of d with one more chart, "extra".
func withChart(d *stats.Dataset) *stats.Dataset {
	c := *d
	c.Charts = append(append([]stats.ChartDef(nil), d.Charts...), stats.ChartDef{ID: "extra", Section: "trade", Order: 99, Kind: stats.KindBar, Title: "Extra"})
	c.ChartSeries = append(append([]stats.ChartSeries(nil), d.ChartSeries...), stats.ChartSeries{Chart: "extra", Series: "us_goods_exports"})
	return &c
}
