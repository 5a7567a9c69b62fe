package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"time"

	"github.com/bilateral/bilateral/chartimage"
	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/charts"
	"github.com/bilateral/bilateral/web/story"
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
type Figure = story.Figure

// KeyFigure is a headline number at the top of the dashboard.
type KeyFigure struct {
	Label  template.HTML
	Figure Figure
}

// Section is one section of the narrative with the charts beside it.
type Section struct {
	ID      string
	Heading template.HTML
	Blocks  []BlockView
	Charts  []ChartView
}

// BlockView is one rendered block of text and the chart it discusses, if
// any, so the page can set the two side by side.
type BlockView struct {
	HTML  template.HTML
	Chart string
}

// Sections of the Text sheet shown in their own places and styles.
const (
	sectionKeyFigures = stats.SectionKeyFigures
	sectionOverview   = stats.SectionOverview
	sectionAbout      = stats.SectionAbout
)

// DashboardPage is the data of the home page: the Text sheet's blocks
// rendered with their figures, sources numbered in order of first citation.
type DashboardPage struct {
	BasePage
	dataset    *stats.Dataset
	KeyFigures []KeyFigure
	// Lede is the overview section's text under the title.
	Lede     []template.HTML
	Sections []Section
	About    *Section
	cited    []stats.Source
	citeNum  map[string]int
}

// Cite numbers a source in order of first citation.
func (p *DashboardPage) Cite(id string) (stats.Source, int, bool) {
	src, ok := p.dataset.Source(id)
	if !ok {
		return stats.Source{}, 0, false
	}
	if n, ok := p.citeNum[id]; ok {
		return src, n, true
	}
	p.cited = append(p.cited, src)
	p.citeNum[id] = len(p.cited)
	return src, len(p.cited), true
}

// CitedSources lists every source cited, numbered in citation order.
func (p *DashboardPage) CitedSources() []stats.Source { return p.cited }

// lede gives the overview's paragraphs the lede style.
func lede(h template.HTML) template.HTML {
	return template.HTML(strings.ReplaceAll(string(h), "<p>", `<p class="lede">`))
}

func newDashboardPage(base BasePage, d *stats.Dataset, cs []ChartView) *DashboardPage {
	p := &DashboardPage{BasePage: base, dataset: d, citeNum: map[string]int{}}
	p.Scripts = []string{"app.js"}
	blocks := d.Blocks()
	for _, b := range blocks {
		if b.Section != sectionKeyFigures {
			continue
		}
		kf := KeyFigure{Label: story.Inline(d, b.Heading, p)}
		if segs, err := stats.ParseRefs(b.Body); err == nil {
			for _, sg := range segs {
				if sg.Ref != nil {
					kf.Figure = story.Resolve(d, sg.Ref, p)
					break
				}
			}
		}
		p.KeyFigures = append(p.KeyFigures, kf)
	}
	for _, b := range blocks {
		if b.Section == sectionOverview {
			p.Lede = append(p.Lede, lede(story.Render(d, b.Body, p)))
		}
	}
	for _, id := range d.SectionOrder() {
		if id == sectionKeyFigures || id == sectionOverview {
			continue
		}
		sec := Section{ID: id}
		menu := ""
		for _, b := range blocks {
			if b.Section != id {
				continue
			}
			if sec.Heading == "" && b.Heading != "" {
				sec.Heading = story.Inline(d, b.Heading, p)
			}
			if menu == "" {
				menu = b.Menu
			}
			sec.Blocks = append(sec.Blocks, BlockView{HTML: story.Render(d, b.Body, p), Chart: b.Chart})
		}
		for _, c := range cs {
			if c.Section != id {
				continue
			}
			for _, s := range c.Sources {
				p.Cite(s.ID)
			}
			sec.Charts = append(sec.Charts, c)
		}
		if id == sectionAbout {
			p.About = &sec
			continue
		}
		p.Sections = append(p.Sections, sec)
		if menu != "" {
			p.Nav = append(p.Nav, NavItem{"#" + id, menu})
		}
	}
	if len(p.cited) > 0 {
		p.Nav = append(p.Nav, NavItem{"#sources", "Sources"})
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
