package web

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/chartimage"
	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/charts"
	"github.com/bilateral/bilateral/web/story"
)

// ChartPreview is a chart an upload adds or changes, drawn from the
// upload's data by the server's renderer.
type ChartPreview struct {
	ID, Title string
	Added     bool
	ImageURL  string
}

// TextPreview is a block of text an upload adds or changes, rendered
// with the upload's figures.
type TextPreview struct {
	Section string
	Heading template.HTML
	Body    template.HTML
}

// previewCiter numbers sources for a preview on its own.
type previewCiter struct {
	d    *stats.Dataset
	nums map[string]int
}

func (p *previewCiter) Cite(id string) (stats.Source, int, bool) {
	src, ok := p.d.Source(id)
	if !ok {
		return src, 0, false
	}
	if p.nums[id] == 0 {
		p.nums[id] = len(p.nums) + 1
	}
	return src, p.nums[id], true
}

// changedCharts lists the upload's charts whose option differs from the
// base version's (a changed definition or changed data), or that are new.
func changedCharts(uploadID string, base, up *stats.Dataset) []ChartPreview {
	var out []ChartPreview
	for _, spec := range charts.Specs(up) {
		nc, err := charts.BuildOne(up, spec)
		if err != nil {
			continue
		}
		p := ChartPreview{ID: spec.ID, Title: spec.Title, ImageURL: "/admin/uploads/" + uploadID + "/charts/" + spec.ID + ".svg"}
		if ospec, ok := charts.SpecByID(base, spec.ID); ok {
			oc, err := charts.BuildOne(base, ospec)
			if err == nil && bytes.Equal(oc.OptionJSON, nc.OptionJSON) && oc.Alt == nc.Alt {
				continue
			}
		} else {
			p.Added = true
		}
		out = append(out, p)
	}
	return out
}

// changedText renders the upload's text blocks that read differently from
// the base version's, with the upload's figures.
func changedText(base, up *stats.Dataset) []TextPreview {
	render := func(d *stats.Dataset, b stats.Block) (template.HTML, template.HTML) {
		c := &previewCiter{d: d, nums: map[string]int{}}
		return story.Inline(d, b.Heading, c), story.Render(d, b.Body, c)
	}
	old := map[string]template.HTML{}
	for _, b := range base.Text {
		h, body := render(base, b)
		old[string(h)+"\x00"+string(body)] = body
	}
	var out []TextPreview
	for _, b := range up.Blocks() {
		h, body := render(up, b)
		if _, same := old[string(h)+"\x00"+string(body)]; same {
			continue
		}
		out = append(out, TextPreview{Section: b.Section, Heading: h, Body: body})
	}
	return out
}

// handleUploadChart serves /admin/uploads/{id}/charts/{chart}.svg (or
// .png): a chart drawn from an upload's data, for the preview.
func (s *Server) handleUploadChart(c echo.Context) error {
	u, err := s.loadUpload(c)
	if err != nil {
		return err
	}
	file := c.Param("file")
	id, ext, _ := strings.Cut(file, ".")
	f, err := chartimage.ParseFormat(ext)
	if err != nil || f == chartimage.PDF {
		return stats.NewError(stats.NotFound, "Preview images are .svg or .png.")
	}
	spec, ok := charts.SpecByID(u.Dataset, id)
	if !ok {
		return stats.NewError(stats.NotFound, "This upload has no chart called "+quote(id)+".")
	}
	ch, err := charts.BuildOne(u.Dataset, spec)
	if err != nil {
		return err
	}
	req, err := parseImageRequest(c, id, f)
	if err != nil {
		return err
	}
	capt := Caption(ch, u.Dataset.Meta.AsOf, "")
	b, err := s.image(c.Request().Context(), &snapshot{version: -1}, ch, req, capt)
	if err != nil {
		return err
	}
	if f == chartimage.SVG {
		c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:")
	}
	return serve(c, b, []string{"private, no-store"})
}
