package web

import (
	"bytes"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/chartimage"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/respond"
)

// Cache-Control values, made once (see fixedHeaders).
var (
	// HTML and data may change with the next publish: browsers
	// revalidate, which costs a 304 when nothing changed.
	revalidate = []string{"public, no-cache"}
	// Files whose URL names their content or version never change.
	immutable = []string{"public, max-age=31536000, immutable"}
	// A version's workbook never changes, but only editors and tokens
	// may read it.
	privateImmutable = []string{"private, max-age=31536000, immutable"}
)

// serve sends a body held in memory (see package respond) with a
// Cache-Control value.
func serve(c echo.Context, b *respond.Body, cacheControl []string) error {
	c.Response().Header()["Cache-Control"] = cacheControl
	return b.Serve(c.Response(), c.Request())
}

func (s *Server) handleDashboard(c echo.Context) error {
	snap, err := s.snapshot()
	if err != nil {
		return err
	}
	setVersion(c, snap)
	return serve(c, snap.dashboard, revalidate)
}

func setVersion(c echo.Context, snap *snapshot) {
	c.Response().Header()["X-Dataset-Version"] = snap.versionVal
}

// handleChart serves /charts/{id} and its .json, .csv and .xlsx forms.
func (s *Server) handleChart(c echo.Context) error {
	snap, err := s.snapshot()
	if err != nil {
		return err
	}
	file := c.Param("file")
	id, ext := file, ""
	// A chart ID has no dot (validation refuses one); a version stored
	// before that rule may have one, and its page is found (or said to be
	// gone) by its whole ID.
	if i := strings.LastIndexByte(file, '.'); i >= 0 && snap.byID[file] == nil && !s.wasChart(file) {
		id, ext = file[:i], file[i+1:]
	}
	ch := snap.byID[id]
	if ch == nil && s.wasChart(id) {
		return stats.NewError(stats.Gone, "The chart "+quote(id)+" has been removed from the dashboard. The dashboard has the current charts.")
	}
	if ch == nil {
		return stats.NewError(stats.NotFound, "There is no chart called "+quote(id)+".")
	}
	setVersion(c, snap)
	switch ext {
	case "":
		return serve(c, snap.chartPages[id], revalidate)
	case "json":
		return serve(c, snap.chartJSON[id], revalidate)
	case "csv":
		attachment(c, snap, id+".csv")
		return serve(c, snap.chartCSV[id], revalidate)
	case "svg", "png", "pdf":
		f, _ := chartimage.ParseFormat(ext)
		return s.handleChartImage(c, snap, ch, f)
	case "xlsx":
		b, err := snap.chartWorkbook(id)
		if err != nil {
			return err
		}
		attachment(c, snap, id+".xlsx")
		return serve(c, b, revalidate)
	}
	return stats.NewError(stats.NotFound, "Charts are available as a page, .json, .csv, .xlsx, .svg, .png and .pdf.")
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// attachment names the downloaded file after the chart and the version,
// so several downloads do not overwrite each other.
func attachment(c echo.Context, snap *snapshot, name string) {
	base, ext, _ := strings.Cut(name, ".")
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+base+"-v"+itoa(snap.version)+"."+ext+`"`)
}

// chartWorkbook builds (once per version) the workbook of a chart's table.
func (snap *snapshot) chartWorkbook(id string) (*respond.Body, error) {
	snap.mu.Lock()
	defer snap.mu.Unlock()
	if b, ok := snap.xlsx[id]; ok {
		return b, nil
	}
	ch := snap.byID[id]
	t := xlsx.Table{Title: ch.Title, Subtitle: ch.Subtitle, Columns: ch.Table.Columns}
	for _, row := range ch.Table.Rows {
		r := make([]xlsx.Cell, len(row))
		for i, c := range row {
			r[i] = xlsx.Cell{Text: c.Text, Number: c.Number, Value: c.Value}
		}
		t.Rows = append(t.Rows, r)
	}
	var buf bytes.Buffer
	if err := xlsx.WriteTable(&buf, t); err != nil {
		return nil, err
	}
	b := download(xlsxType, buf.Bytes(), snap.version, false)
	snap.xlsx[id] = b
	return b, nil
}

// handleDatasetXLSX serves the whole current dataset as the editing workbook.
func (s *Server) handleDatasetXLSX(c echo.Context) error {
	snap, err := s.snapshot()
	if err != nil {
		return err
	}
	snap.mu.Lock()
	b, ok := snap.xlsx[""]
	if !ok {
		var buf bytes.Buffer
		// The download records its version, so that an upload made from
		// it can be compared with what was published since.
		if err := xlsx.EncodeWith(&buf, snap.dataset, xlsx.EncodeOptions{ExportedFrom: snap.version}); err != nil {
			snap.mu.Unlock()
			return err
		}
		b = download(xlsxType, buf.Bytes(), snap.version, false)
		snap.xlsx[""] = b
	}
	snap.mu.Unlock()
	setVersion(c, snap)
	attachment(c, snap, "dataset.xlsx")
	return serve(c, b, revalidate)
}

func (s *Server) handleAPICharts(c echo.Context) error {
	snap, err := s.snapshot()
	if err != nil {
		return err
	}
	setVersion(c, snap)
	return serve(c, snap.chartList, revalidate)
}

// robotsTxt keeps crawlers out of the editors' pages and the API.
var robotsTxt = respond.New("text/plain; charset=utf-8", []byte("User-agent: *\nDisallow: /admin\nDisallow: /api/\n"), respond.Options{})

func (s *Server) handleRobots(c echo.Context) error { return serve(c, robotsTxt, revalidate) }
