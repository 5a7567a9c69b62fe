package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/bilateral/bilateral/datasets"
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

	for _, path := range []string{"/", "/charts/us-goods-trade", "/charts/investment-map", "/nowhere"} {
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
		if path == "/" && !strings.Contains(dd.Find("title").Text(), payload) {
			t.Errorf("%s: the title should show the text, escaped; got %q", path, dd.Find("title").Text())
		}
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
