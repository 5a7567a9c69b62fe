package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/charts"
	"github.com/bilateral/bilateral/web/respond"
)

// snapshot is everything served for one dataset version, rendered once
// when the version is published and then served from memory. The server
// swaps the whole snapshot in one atomic step, so a reader never sees
// parts of two versions.
type snapshot struct {
	version    int
	versionVal []string // the version as a header value
	createdAt  time.Time
	dataset    *stats.Dataset
	assets     *Assets
	charts     []*charts.Chart
	byID       map[string]*charts.Chart

	// Bodies rendered with the version; their compressed forms are made
	// on first request, once: publishing stays fast, and a version nobody
	// asks for in brotli never pays for brotli.
	dashboard  *respond.Body
	chartPages map[string]*respond.Body
	chartJSON  map[string]*respond.Body
	chartCSV   map[string]*respond.Body
	chartList  *respond.Body

	// Workbooks are built on first request: most versions are never
	// downloaded as Excel.
	mu   sync.Mutex
	xlsx map[string]*respond.Body
}

// versionTag is the entity tag of a body of a version: the version and a
// hash of the content.
func versionTag(version int, body []byte) string {
	return "v" + strconv.Itoa(version) + "-" + respond.Hash(body)
}

// rendered makes a text body of a version.
func rendered(ctype string, body []byte, version int) *respond.Body {
	return respond.New(ctype, body, respond.Text(versionTag(version, body)))
}

// download makes a downloadable body of a version, which answers Range
// requests; text downloads are also compressed.
func download(ctype string, body []byte, version int, text bool) *respond.Body {
	o := respond.Options{Tag: versionTag(version, body), Ranges: true}
	o.LazyGzip, o.LazyBrotli = text, text
	return respond.New(ctype, body, o)
}

// buildSnapshot renders every page and download of a dataset version.
// base makes the common data of a page with a title at a path.
func buildSnapshot(d *stats.Dataset, version int, createdAt time.Time, assets *Assets, pages map[string]*template.Template, base func(snap *snapshot, title, path string) BasePage) (*snapshot, error) {
	cs, err := charts.Build(d)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{
		version: version, versionVal: []string{strconv.Itoa(version)}, createdAt: createdAt, dataset: d, assets: assets, charts: cs,
		byID:       map[string]*charts.Chart{},
		chartPages: map[string]*respond.Body{}, chartJSON: map[string]*respond.Body{}, chartCSV: map[string]*respond.Body{},
		xlsx: map[string]*respond.Body{},
	}
	views := make([]ChartView, len(cs))
	for i, c := range cs {
		snap.byID[c.ID] = c
		views[i] = ChartView{Chart: c, GeoURL: assets.URL("us-states.json"), MapName: charts.MapName, Version: version}
	}

	dash := newDashboardPage(base(snap, d.Meta.Title, "/"), d, views)
	html, err := renderPage(pages, pageDashboard, dash)
	if err != nil {
		return nil, err
	}
	snap.dashboard = rendered("text/html; charset=utf-8", html, version)

	type link struct {
		ID    string            `json:"id"`
		Title string            `json:"title"`
		Links map[string]string `json:"links"`
	}
	var list struct {
		Version int    `json:"version"`
		Charts  []link `json:"charts"`
	}
	list.Version = version
	for _, v := range views {
		c := v.Chart
		bp := base(snap, c.Title+" · "+d.Meta.Title, "/charts/"+c.ID)
		bp.Description = c.Summary
		bp.Scripts = []string{"app.js"}
		v.Page = true
		page := &ChartPage{BasePage: bp, Chart: v, Columns: c.Table.Columns, Rows: c.Table.Rows, NumCols: make([]bool, len(c.Table.Columns))}
		for _, row := range c.Table.Rows {
			for i, cell := range row {
				if cell.Number {
					page.NumCols[i] = true
				}
			}
		}
		html, err := renderPage(pages, pageChart, page)
		if err != nil {
			return nil, err
		}
		snap.chartPages[c.ID] = rendered("text/html; charset=utf-8", html, version)
		snap.chartJSON[c.ID] = rendered("application/json", c.OptionJSON, version)
		csvBody, err := tableCSV(c.Table)
		if err != nil {
			return nil, fmt.Errorf("web: %s.csv: %w", c.ID, err)
		}
		snap.chartCSV[c.ID] = download("text/csv; charset=utf-8", csvBody, version, true)
		list.Charts = append(list.Charts, link{ID: c.ID, Title: c.Title, Links: map[string]string{
			"page": "/charts/" + c.ID, "json": "/charts/" + c.ID + ".json",
			"csv": "/charts/" + c.ID + ".csv", "xlsx": "/charts/" + c.ID + ".xlsx",
		}})
	}
	body, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	snap.chartList = rendered("application/json", body, version)
	return snap, nil
}

// tableCSV writes a chart's table as CSV: values exactly as stored, unit
// and source in their own columns. Text cells that a spreadsheet would
// read as a formula are prefixed with an apostrophe so they stay text.
func tableCSV(t charts.Table) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // lets Excel detect UTF-8 (Hangul, accents)
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.Write(t.Columns); err != nil {
		return nil, err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i, c := range row {
			if c.Number {
				rec[i] = c.Text
			} else {
				rec[i] = inertCSV(c.Text)
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// inertCSV neutralises spreadsheet formula injection in a text cell.
func inertCSV(s string) string {
	if s == "" {
		return s
	}
	if strings.ContainsRune("=+-@\t\r|", rune(s[0])) {
		return "'" + s
	}
	return s
}

func hashString(s string) [32]byte { return sha256.Sum256([]byte(s)) }
