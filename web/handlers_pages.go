package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/chartimage"
	"github.com/bilateral/bilateral/datasets/xlsx"
)

// Header values used on every page response, made once (see fixedHeaders).
var (
	varyEncoding  = []string{"Accept-Encoding"}
	encodingGzip  = []string{"gzip"}
	encodingBr    = []string{"br"}
	revalidateVal = []string{revalidate}
)

// serveRendered sends a pre-rendered body, answering 304 when the client
// already holds this version. It is the hottest path of the server, so it
// writes headers straight into the map with values made in advance.
func serveRendered(c echo.Context, r *rendered, cacheControl string) error {
	h := c.Response().Header()
	h["Etag"] = r.etagVal
	if cacheControl == revalidate {
		h["Cache-Control"] = revalidateVal
	} else {
		h["Cache-Control"] = []string{cacheControl}
	}
	h["Vary"] = varyEncoding
	req := c.Request().Header
	if inm := req["If-None-Match"]; len(inm) > 0 && etagMatch(inm[0], r.etag) {
		c.Response().WriteHeader(http.StatusNotModified)
		return nil
	}
	var ae string
	if v := req["Accept-Encoding"]; len(v) > 0 {
		ae = v[0]
	}
	body := r.body
	switch {
	case acceptsEncoding(ae, "br"):
		body = r.brotli()
		h["Content-Encoding"] = encodingBr
	case acceptsEncoding(ae, "gzip"):
		body = r.gzipped()
		h["Content-Encoding"] = encodingGzip
	}
	h["Content-Type"] = r.ctypeVal
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	c.Response().WriteHeader(http.StatusOK)
	_, err := c.Response().Write(body)
	return err
}

// etagMatch reports whether an If-None-Match header lists etag.
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// HTML and data may change with the next publish: browsers revalidate,
// which costs a 304 when nothing changed.
const revalidate = "public, no-cache"

func (s *Server) handleDashboard(c echo.Context) error {
	snap, err := s.snapshot()
	if err != nil {
		return err
	}
	setVersion(c, snap)
	return serveRendered(c, snap.dashboard, revalidate)
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
	if i := strings.LastIndexByte(file, '.'); i >= 0 {
		id, ext = file[:i], file[i+1:]
	}
	ch := snap.byID[id]
	if ch == nil {
		return echo.NewHTTPError(http.StatusNotFound, "There is no chart called "+quote(id)+".")
	}
	setVersion(c, snap)
	switch ext {
	case "":
		return serveRendered(c, snap.chartPages[id], revalidate)
	case "json":
		return serveRendered(c, snap.chartJSON[id], revalidate)
	case "csv":
		attachment(c, snap, id+".csv")
		return serveRendered(c, snap.chartCSV[id], revalidate)
	case "svg", "png", "pdf":
		f, _ := chartimage.ParseFormat(ext)
		return s.handleChartImage(c, snap, ch, f)
	case "xlsx":
		b, err := snap.chartWorkbook(id)
		if err != nil {
			return err
		}
		attachment(c, snap, id+".xlsx")
		c.Response().Header().Set("Cache-Control", revalidate)
		return c.Blob(http.StatusOK, xlsxType, b)
	}
	return echo.NewHTTPError(http.StatusNotFound, "Charts are available as a page, .json, .csv, .xlsx, .svg, .png and .pdf.")
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// attachment names the downloaded file after the chart and the version,
// so several downloads do not overwrite each other.
func attachment(c echo.Context, snap *snapshot, name string) {
	base, ext, _ := strings.Cut(name, ".")
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+base+"-v"+itoa(snap.version)+"."+ext+`"`)
}

// chartWorkbook builds (once per version) the workbook of a chart's table.
func (snap *snapshot) chartWorkbook(id string) ([]byte, error) {
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
	snap.xlsx[id] = buf.Bytes()
	return buf.Bytes(), nil
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
		b = buf.Bytes()
		snap.xlsx[""] = b
	}
	snap.mu.Unlock()
	setVersion(c, snap)
	attachment(c, snap, "dataset.xlsx")
	c.Response().Header().Set("Cache-Control", revalidate)
	return c.Blob(http.StatusOK, xlsxType, b)
}

func (s *Server) handleAPICharts(c echo.Context) error {
	snap, err := s.snapshot()
	if err != nil {
		return err
	}
	setVersion(c, snap)
	return serveRendered(c, snap.chartList, revalidate)
}

func (s *Server) handleRobots(c echo.Context) error {
	return c.String(http.StatusOK, "User-agent: *\nDisallow: /admin\nDisallow: /api/\n")
}
