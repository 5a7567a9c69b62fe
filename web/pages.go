package web

import (
	"strings"

	"github.com/bilateral/bilateral/chartimage"

	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"time"

	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/charts"
)

// Page names; each is parsed from layout.html plus its own file.
const (
	pageDashboard = "dashboard"
	pageChart     = "chart"
	pageError     = "error"
	pageLogin     = "admin_login"
	pageAdmin     = "admin"
	pagePreview   = "admin_preview"
	pageDiff      = "admin_diff"
	pageAudit     = "admin_audit"
	pageAccounts  = "admin_accounts"
)

// pageFiles lists every page and the files it is parsed from. A test
// asserts each one parses and renders.
var pageFiles = map[string][]string{
	pageDashboard: {"layout.html", "dashboard.html"},
	pageChart:     {"layout.html", "chart.html"},
	pageError:     {"layout.html", "error.html"},
	pageLogin:     {"layout.html", "admin_login.html"},
	pageAdmin:     {"layout.html", "admin_partials.html", "admin.html"},
	pagePreview:   {"layout.html", "admin_partials.html", "admin_preview.html"},
	pageDiff:      {"layout.html", "admin_partials.html", "admin_diff.html"},
	pageAudit:     {"layout.html", "admin_partials.html", "admin_audit.html"},
	pageAccounts:  {"layout.html", "admin_partials.html", "admin_accounts.html"},
}

var templateFuncs = template.FuncMap{
	"dec": func(n int) int { return n - 1 },
	"inc": func(n int) int { return n + 1 },
}

// parsePages parses every page once; a missing or broken template fails
// start-up rather than a request.
func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for name, files := range pageFiles {
		t, err := template.New(name).Funcs(templateFuncs).ParseFS(fsys, files...)
		if err != nil {
			return nil, fmt.Errorf("web: parsing page %q: %w", name, err)
		}
		if t.Lookup("layout") == nil || t.Lookup("content") == nil {
			return nil, fmt.Errorf("web: page %q lacks a layout or content template", name)
		}
		out[name] = t
	}
	return out, nil
}

func renderPage(pages map[string]*template.Template, name string, data any) ([]byte, error) {
	t := pages[name]
	if t == nil {
		return nil, fmt.Errorf("web: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("web: rendering %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// NavItem is a link in the site navigation.
type NavItem struct{ Href, Label string }

// BasePage is embedded in every page's data.
type BasePage struct {
	Title       string
	Description string
	// Canonical is the page's absolute address, from the configured base
	// URL; empty (no canonical link) without one.
	Canonical    string
	SiteName     string
	DatasetTitle string
	AsOf         time.Time
	Version      int
	// PublishedAt is when the current version was published; zero for a
	// dataset not read from the store.
	PublishedAt time.Time
	Nav         []NavItem
	// Scripts are the logical names of the scripts the page loads.
	Scripts []string
	assets  *Assets
}

// ChartsScript is the URL of the interactive charts' bundle when the page
// has charts, for the loader in app.js.
func (b *BasePage) ChartsScript() string {
	for _, s := range b.Scripts {
		if s == "app.js" {
			return b.assets.URL("charts.js")
		}
	}
	return ""
}

// Asset returns the hashed URL of a front-end file.
func (b *BasePage) Asset(name string) string { return b.assets.URL(name) }

func (s *Server) basePage(snap *snapshot, title string) BasePage {
	d := snap.dataset
	return BasePage{
		Title:        title,
		Description:  d.Meta.Description,
		SiteName:     "bilateral",
		DatasetTitle: d.Meta.Title,
		AsOf:         d.Meta.AsOf,
		Version:      snap.version,
		PublishedAt:  snap.createdAt,
		assets:       snap.assets,
	}
}

// publicPage is basePage for a public page at path, which names its
// canonical address when the server knows its public one (--base-url).
func (s *Server) publicPage(snap *snapshot, title, path string) BasePage {
	bp := s.basePage(snap, title)
	if s.cfg.BaseURL != "" {
		bp.Canonical = strings.TrimRight(s.cfg.BaseURL, "/") + path
	}
	return bp
}

var dashboardNav = []NavItem{
	{"#trade", "Trade"}, {"#investment", "Investment"}, {"#development", "Development"},
	{"#energy", "Energy"}, {"#covid", "COVID-19"}, {"#technology", "Technology"},
	{"#next", "Next"}, {"#sources", "Sources"},
}

// ChartView is a chart as a template sees it.
type ChartView struct {
	*charts.Chart
	GeoURL  string
	MapName string
	Version int
	// Page is true on the chart's own page, where the box is wider.
	Page bool
}

// Sizes of the server-rendered images that stand in for the interactive
// charts, in CSS pixels: the box of a dashboard chart, of a chart page, and
// of a phone. Box heights are fixed in the CSS, so nothing shifts when the
// interactive chart replaces the image.
const (
	imageWide      = 680
	imagePageWide  = 1150
	imageNarrow    = 360
	imageHeight    = 360
	imageTallWidth = 440
)

// ImageWidth is the width of an image variant ("wide" or "narrow").
func (v ChartView) ImageWidth(variant string) int {
	switch {
	case variant == "narrow":
		return imageNarrow
	case v.Page:
		return imagePageWide
	}
	return imageWide
}

// ImageHeight is the height of the chart's box.
func (v ChartView) ImageHeight() int {
	if v.Tall {
		return imageTallWidth
	}
	return imageHeight
}

// ImageURL is the address of the chart's image without caption (the page
// shows title and sources around it) for a theme and width variant. The
// version in the URL makes it immutable, so browsers cache it for good.
func (v ChartView) ImageURL(theme, variant string) string {
	return fmt.Sprintf("/charts/%s.svg?plain=1&theme=%s&width=%d&height=%d&v=%d", v.ID, theme, v.ImageWidth(variant), v.ImageHeight(), v.Version)
}

// maxCaptionSources is how many sources a chart caption names before
// pointing to the chart page for the rest: as many as the image names.
const maxCaptionSources = chartimage.MaxCaptionSources

// OptionJS returns the option for a <script type="application/json">
// element. The JSON was encoded with "<", ">" and "&" escaped, so no
// workbook text can close the element.
func (v ChartView) OptionJS() template.JS { return template.JS(v.OptionJSON) }

// ShownSources are the sources named in the caption.
func (v ChartView) ShownSources() []stats.Source {
	if len(v.Sources) > maxCaptionSources {
		return v.Sources[:maxCaptionSources]
	}
	return v.Sources
}

// MoreSources is the number of sources not named in the caption.
func (v ChartView) MoreSources() int { return max(0, len(v.Sources)-maxCaptionSources) }

// Figure is one sourced number quoted in the narrative.
type Figure struct {
	OK        bool
	Key       string
	Value     float64
	Unit      string
	Qualifier string
	Year      int
	Source    stats.Source
	Cite      int // the source's number in the page's source list
	// Status is the observation's status (official, preliminary, ...);
	// empty for a fact.
	Status string
}

// Preliminary reports whether the figure is official but subject to
// revision.
func (f Figure) Preliminary() bool { return f.Status == stats.StatusPreliminary }

// Text is the figure in words, e.g. "more than $170 billion".
func (f Figure) Text() string { return charts.Quantity(f.Value, f.Unit, f.Qualifier) }

// Abs returns the figure with its sign dropped, for prose that names the
// direction in words ("a deficit of $66 billion").
func (f Figure) Abs() Figure {
	f.Value = math.Abs(f.Value)
	return f
}

// Word returns pos for a value of zero or more and neg otherwise, so that
// "surplus" or "deficit" follows the data rather than the prose.
func (f Figure) Word(pos, neg string) string {
	if f.Value < 0 {
		return neg
	}
	return pos
}

// KeyFigure is a headline number at the top of the dashboard.
type KeyFigure struct {
	Label  string
	Figure Figure
}

// DashboardPage is the data of the home page. Its methods look figures up
// in the dataset and number their sources in order of first citation.
type DashboardPage struct {
	BasePage
	dataset    *stats.Dataset
	charts     []ChartView
	KeyFigures []KeyFigure
	cited      []stats.Source
	citeNum    map[string]int
}

func (p *DashboardPage) cite(id string) (stats.Source, int) {
	src, ok := p.dataset.Source(id)
	if !ok {
		return stats.Source{}, 0
	}
	if n, ok := p.citeNum[id]; ok {
		return src, n
	}
	p.cited = append(p.cited, src)
	p.citeNum[id] = len(p.cited)
	return src, len(p.cited)
}

// Fact returns a fact by key.
func (p *DashboardPage) Fact(key string) Figure {
	f, ok := p.dataset.Fact(key)
	if !ok {
		return Figure{Key: key}
	}
	src, n := p.cite(f.Source)
	return Figure{OK: true, Key: key, Value: f.Value, Unit: f.Unit, Qualifier: f.Qualifier, Year: f.Year, Source: src, Cite: n}
}

// Obs returns a series' value in one year.
func (p *DashboardPage) Obs(series string, year int) Figure {
	key := fmt.Sprintf("%s %d", series, year)
	o, ok := p.dataset.Observation(series, year)
	s, sok := p.dataset.SeriesByID(series)
	if !ok || !sok || o.IsGap() {
		return Figure{Key: key}
	}
	src, n := p.cite(o.Source)
	return Figure{OK: true, Key: key, Value: o.Value, Unit: s.Unit, Year: o.Year, Source: src, Cite: n, Status: o.State()}
}

// Latest returns a series' most recent value.
func (p *DashboardPage) Latest(series string) Figure {
	o, ok := p.dataset.Latest(series)
	if !ok {
		return Figure{Key: series + " (latest)"}
	}
	return p.Obs(series, o.Year)
}

// ChartsIn returns the charts of one narrative section, citing their
// sources so the page's source list covers them.
func (p *DashboardPage) ChartsIn(section string) []ChartView {
	var out []ChartView
	for _, c := range p.charts {
		if c.Section != section {
			continue
		}
		for _, s := range c.Sources {
			p.cite(s.ID)
		}
		out = append(out, c)
	}
	return out
}

// CitedSources lists every source cited so far, numbered in citation order.
func (p *DashboardPage) CitedSources() []stats.Source { return p.cited }

// keyFigureSpecs chooses the headline numbers; each is a fact or the latest
// value of a series. A series label has a %d for the year of the value.
var keyFigureSpecs = []struct {
	label  string
	fact   string
	series string
}{
	{label: "U.S. goods balance with Korea, %d (U.S. Census basis; negative: U.S. deficit)", series: "us_goods_balance"},
	{label: "Korea's goods balance with the U.S., %d (Korean customs; positive: Korean surplus)", series: "kr_goods_balance_with_us"},
	{label: "Korean direct investment position in the U.S., %d (BEA)", series: "kr_di_position_in_us_bea"},
	{label: "Korea's total development assistance, %d (grant-equivalent)", series: "kr_oda_grant_equivalent"},
	{label: "U.S.-Korea trade in goods and services, 2019 (2020 fact sheet)", fact: "us_rok_trade_goods_services_2019"},
	{label: "Korea's rank among U.S. goods trading partners, 2020 (2020 fact sheet)", fact: "rok_rank_us_goods_partner"},
	{label: "American companies operating in Korea, 2020 (2020 fact sheet)", fact: "us_companies_in_rok"},
	{label: "Korea's development assistance committed to ASEAN countries, 2020 (2020 fact sheet)", fact: "rok_oda_asean_2020"},
}

func newDashboardPage(base BasePage, d *stats.Dataset, cs []ChartView) *DashboardPage {
	p := &DashboardPage{BasePage: base, dataset: d, charts: cs, citeNum: map[string]int{}}
	p.Nav = dashboardNav
	p.Scripts = []string{"app.js"}
	for _, k := range keyFigureSpecs {
		if k.fact != "" {
			p.KeyFigures = append(p.KeyFigures, KeyFigure{Label: k.label, Figure: p.Fact(k.fact)})
			continue
		}
		f := p.Latest(k.series)
		p.KeyFigures = append(p.KeyFigures, KeyFigure{Label: fmt.Sprintf(k.label, f.Year), Figure: f})
	}
	return p
}

// ChartPage is the data of /charts/{id}.
type ChartPage struct {
	BasePage
	Chart   ChartView
	Columns []string
	Rows    [][]charts.Cell
	// NumCols marks the columns whose cells are numbers, so their headers
	// align with them.
	NumCols []bool
}

// ErrorPage is the data of an error page.
type ErrorPage struct {
	BasePage
	Heading string
	Message string
}
