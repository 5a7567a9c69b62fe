package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/stats"
)

// payload is workbook text that would run script if it reached a page raw.
const payload = `</script><img src=x onerror=alert(1)>`

// goEchartsFunc is go-echarts' marker for "this string is JavaScript";
// our pages must treat it as plain text.
const goEchartsFunc = `__f__function(){alert(2)}__f__`

func TestInjectionIsInert(t *testing.T) {
	d := datasets.MustDefault()
	d.Meta.Title = payload
	for i := range d.Series {
		if d.Series[i].ID == "us_goods_exports" {
			d.Series[i].Name = payload
		}
		// Every series of one unit, so that no axis mixes units.
		if d.Series[i].Unit == "USD billion" {
			d.Series[i].Unit = payload
		}
	}
	// A chart of kind table, whose cells are workbook text and numbers
	// formatted with the (hostile) unit, and whose gaps show their notes.
	d.Charts = append(d.Charts, stats.ChartDef{ID: "inj-table", Section: "trade", Order: 99, Kind: stats.KindTable})
	d.ChartSeries = append(d.ChartSeries, stats.ChartSeries{Chart: "inj-table", Series: "us_goods_exports"}, stats.ChartSeries{Chart: "inj-table", Series: "us_gs_exports"})
	// The definition sheets: chart titles, subtitles, summaries, notes,
	// axis names and legend labels; text headings are checked as text.
	for i := range d.Charts {
		d.Charts[i].Title = payload
		d.Charts[i].Subtitle = payload
		d.Charts[i].Summary = payload
		d.Charts[i].Notes = payload
		d.Charts[i].Axis1.Name = payload
	}
	for i := range d.ChartSeries {
		d.ChartSeries[i].Label = payload
	}
	for i := range d.Text {
		if d.Text[i].Section == "trade" && d.Text[i].Heading != "" {
			d.Text[i].Menu = payload
		}
	}
	for i := range d.Sources {
		d.Sources[i].Organisation = payload
		d.Sources[i].Title = payload
		d.Sources[i].Note = payload
	}
	for i := range d.Observations {
		d.Observations[i].Note = goEchartsFunc
	}
	d.Projects[0].Company = payload
	d.Projects[1].Company = "=HYPERLINK(\"http://evil\",\"x\")"
	d.Facts[0].Label = payload
	if ps := d.Validate(); len(ps) > 0 {
		t.Fatalf("test dataset invalid: %v", ps[0])
	}
	s := newTestServer(t, d)

	for _, path := range []string{"/", "/charts/us-goods-trade", "/charts/investment-map", "/charts/inj-table", "/nowhere"} {
		rec := get(t, s, path)
		body := rec.Body.Bytes()
		if bytes.Contains(body, []byte(payload)) {
			t.Errorf("%s: the payload appears unescaped", path)
		}
		dd := doc(t, body)
		if n := dd.Find("img[onerror], img[src=x]").Length(); n > 0 {
			t.Errorf("%s: %d <img> elements parsed from workbook text", path, n)
		}
		dd.Find("script").Each(func(_ int, sc *goquery.Selection) {
			if _, ok := sc.Attr("src"); ok {
				return
			}
			if typ, _ := sc.Attr("type"); typ != "application/json" {
				t.Errorf("%s: a script element that is not JSON data: %q", path, sc.Text())
				return
			}
			var v any
			if err := json.Unmarshal([]byte(sc.Text()), &v); err != nil {
				t.Errorf("%s: a JSON script element was cut short: %v", path, err)
			}
		})
		if path == "/" || path == "/charts/inj-table" {
			// The table chart shows the text as text: labels, units and gap notes.
			cells := dd.Find("#chart-inj-table table.chart-table")
			if n := cells.Find("thead th").Length(); n != 3 {
				t.Errorf("%s: the table chart has %d column headers, want 3", path, n)
			}
			if txt := cells.Text(); !strings.Contains(txt, payload) {
				t.Errorf("%s: the table chart lost its text (label or unit)", path)
			}
			if note, _ := cells.Find("td[title]").First().Attr("title"); note != goEchartsFunc {
				t.Errorf("%s: a gap's cell lost its note: %q", path, note)
			}
			if cells.Find("*").FilterFunction(func(_ int, e *goquery.Selection) bool {
				switch goquery.NodeName(e) {
				case "caption", "thead", "tbody", "tr", "th", "td", "span", "small":
					return false
				case "a": // the caption's link to the reasons for gaps
					href, _ := e.Attr("href")
					return href != "/charts/inj-table#coverage"
				}
				return true
			}).Length() > 0 {
				t.Errorf("%s: the table chart holds elements parsed from workbook text", path)
			}
		}
		if path == "/" && !strings.Contains(dd.Find("title").Text(), payload) {
			t.Errorf("%s: the title should show the text, escaped; got %q", path, dd.Find("title").Text())
		}
	}

	// The table chart's image holds the text as SVG text, escaped.
	svg := get(t, s, "/charts/inj-table.svg")
	if svg.Code != 200 || bytes.Contains(svg.Body.Bytes(), []byte(payload)) || bytes.Contains(svg.Body.Bytes(), []byte("<img")) {
		t.Errorf("inj-table.svg = %d: the payload appears as markup", svg.Code)
	}
	if !bytes.Contains(svg.Body.Bytes(), []byte("&lt;/script&gt;")) {
		t.Errorf("inj-table.svg lost the text of the payload")
	}

	// The option JSON carries the text as data, HTML-escaped, and the
	// go-echarts function marker as a plain string.
	js := get(t, s, "/charts/us-goods-trade.json").Body.Bytes()
	if bytes.Contains(js, []byte("</script>")) || bytes.Contains(js, []byte("<img")) {
		t.Errorf("option JSON contains raw markup")
	}
	var opt struct {
		Series []struct {
			Data []*struct {
				Unit string `json:"unit"`
				Note string `json:"note"`
			} `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(js, &opt); err != nil {
		t.Fatal(err)
	}
	var sawUnit, sawNote bool
	for _, ser := range opt.Series {
		for _, p := range ser.Data {
			if p != nil && p.Unit == payload {
				sawUnit = true
			}
			if p != nil && p.Note == goEchartsFunc {
				sawNote = true
			}
		}
	}
	if !sawUnit || !sawNote {
		t.Errorf("option JSON lost the text (unit kept: %v, note kept: %v)", sawUnit, sawNote)
	}

	// CSV: text that a spreadsheet would run as a formula is neutralised.
	c := get(t, s, "/charts/investment-map.csv").Body.String()
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		for _, f := range r {
			if strings.HasPrefix(f, "=") {
				t.Errorf("CSV cell starts with '=': %q", f)
			}
		}
	}
	if !strings.Contains(c, `'=HYPERLINK`) {
		t.Errorf("CSV lost the formula-like company name instead of quoting it")
	}
}

// TestInjectionInertOnEditorPages: workbook text shown in the preview of
// changes and in error messages stays text.
func TestInjectionInertOnEditorPages(t *testing.T) {
	s, store := newTestServerStore(t, nil)
	e := newEditor(t, s, store)
	e.login(testPassword)
	d := datasets.MustDefault()
	d.Observations[0].Note = payload
	// The definition sheets reach the preview's charts, warnings and text.
	d.Charts[0].Title = payload
	d.ChartSeries[0].Label = payload
	d.Facts[0].Label = payload
	// A new table chart is previewed as its table.
	d.Charts = append(d.Charts, stats.ChartDef{ID: "inj-table", Section: "trade", Order: 99, Kind: stats.KindTable, Title: payload})
	d.ChartSeries = append(d.ChartSeries, stats.ChartSeries{Chart: "inj-table", Series: "us_goods_exports", Label: payload})
	d.Text[len(d.Text)-1].Heading = "About " + strings.ReplaceAll(payload, "<", "&lt;")
	resp, _ := e.upload(workbook(t, d), true)
	_, body := e.get(resp.Header.Get("Location"))
	if bytes.Contains(body, []byte(payload)) || doc(t, body).Find("img[onerror]").Length() > 0 {
		t.Errorf("preview page shows workbook text unescaped")
	}
	if n := doc(t, body).Find("figure.preview-chart").Length(); n == 0 {
		t.Errorf("the preview draws no changed chart")
	}
	if !strings.Contains(doc(t, body).Find("figure.preview-chart figcaption").Text(), payload) {
		t.Errorf("the preview lost the chart's title")
	}
	if grid := doc(t, body).Find(`figure.preview-chart[data-chart="inj-table"] table.chart-table`); grid.Length() != 1 || !strings.Contains(grid.Text(), payload) {
		t.Errorf("the preview does not show the new table chart as its table, with its label as text")
	}
	if !strings.Contains(doc(t, body).Find("table.changes").Text(), payload) {
		t.Errorf("preview page lost the text of the change")
	}
	bad := datasets.MustDefault()
	bad.Observations[0].Source = payload
	_, body = e.upload(workbook(t, bad), true)
	if bytes.Contains(body, []byte(payload)) || doc(t, body).Find("img[onerror]").Length() > 0 {
		t.Errorf("error list shows workbook text unescaped")
	}
	if !strings.Contains(doc(t, body).Find(".error-list").Text(), payload) {
		t.Errorf("error list does not quote the offending value")
	}
}
