package chartimage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"
)

// Logical names of the built front-end files the renderer loads (keys of
// web/static/dist/manifest.json).
const (
	AssetECharts     = "echarts-ssr.js"
	AssetFontRegular = "font-regular"
	AssetFontBold    = "font-bold"
	AssetMap         = "us-states.json"
)

// MapName is the name the map geometry is registered under in ECharts; the
// map chart's series refers to it (charts.MapName).
const MapName = "us-states"

// DefaultTimeout bounds one render when New is given no timeout.
const DefaultTimeout = 10 * time.Second

// Renderer renders chart images. It is safe for concurrent use: renders
// run in parallel, one per pooled JavaScript runtime.
type Renderer struct {
	fonts    *fonts
	pdfFonts *fonts    // the same faces, drawing only glyphs a PDF can map back to text
	web      *webFonts // the page's woff2 subsets, embedded in SVGs (nil: none)
	// subsetters cut glyph subsets for the page's stand-in images, by weight.
	subsetters map[int]*subsetter
	// pdfMu makes PDFs one at a time: writing one subsets pdfFonts in place.
	pdfMu sync.Mutex
	pool  *pool
}

// New loads ECharts, the fonts and the map geometry from dist (the built
// front-end files), using manifest to find them (nil reads dist's
// manifest.json). size is the number of JavaScript runtimes, and so of
// renders that run at once (<= 0: GOMAXPROCS); timeout bounds each render
// (<= 0: DefaultTimeout). New compiles ECharts once and starts one runtime,
// so a broken bundle fails here rather than on the first request.
func New(dist fs.FS, manifest map[string]string, size int, timeout time.Duration) (*Renderer, error) {
	if manifest == nil {
		var err error
		if manifest, err = readManifest(dist); err != nil {
			return nil, err
		}
	}
	read := func(name string) ([]byte, error) { return readAsset(dist, manifest, name) }
	if size <= 0 {
		size = runtime.GOMAXPROCS(0)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}

	// The PDF writer subsets its fonts and, doing so, writes into them
	// (font.SFNT.Subset changes its source's glyph count), so PDFs get
	// faces of their own, used one PDF at a time; so do the stand-in
	// images' subsets (see subsetter).
	faces := &fonts{}
	pdfFonts := &fonts{textGlyphs: true}
	subsetters := map[int]*subsetter{}
	for _, f := range []struct {
		name      string
		style     canvas.FontStyle
		dst, pdst **face
		weight    int
	}{{AssetFontRegular, canvas.FontRegular, &faces.regular, &pdfFonts.regular, 400}, {AssetFontBold, canvas.FontBold, &faces.bold, &pdfFonts.bold, 700}} {
		b, err := read(f.name)
		if err != nil {
			return nil, err
		}
		if *f.dst, err = loadFace(b, f.style); err != nil {
			return nil, fmt.Errorf("render: %s: %w", f.name, err)
		}
		if *f.pdst, err = loadFace(b, f.style); err != nil {
			return nil, fmt.Errorf("render: %s: %w", f.name, err)
		}
		if subsetters[f.weight], err = newSubsetter(b); err != nil {
			return nil, fmt.Errorf("render: %s: %w", f.name, err)
		}
	}

	src, err := read(AssetECharts)
	if err != nil {
		return nil, err
	}
	bundle, err := goja.Compile(AssetECharts, string(src), false)
	if err != nil {
		return nil, fmt.Errorf("render: compile %s: %w", AssetECharts, err)
	}
	setup, err := goja.Compile("setup.js", setupJS, true)
	if err != nil {
		return nil, fmt.Errorf("render: compile setup: %w", err)
	}
	geo, err := read(AssetMap)
	if err != nil {
		return nil, err
	}

	web, err := loadWebFonts(dist, manifest)
	if err != nil {
		return nil, err
	}
	r := &Renderer{fonts: faces, pdfFonts: pdfFonts, web: web, subsetters: subsetters, pool: newPool(bundle, setup, string(geo), MapName, faces, size, timeout)}
	e, err := r.pool.newEngine()
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	<-r.pool.slots
	r.pool.slots <- e
	// The other runtimes start in the background, so that the first renders
	// that run side by side do not each pay for loading ECharts.
	go r.pool.warm(size - 1)
	return r, nil
}

// Render draws the chart of option (the dashboard's ECharts option as
// JSON) with its caption, in the format and size of o. It returns a
// *BoundsError when o is out of bounds, an error wrapping ErrTimeout when
// the render took too long, and ctx's error when ctx ended first.
func (r *Renderer) Render(ctx context.Context, option []byte, c Caption, o Options) ([]byte, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	doc, err := r.document(ctx, option, c, o)
	if err != nil {
		return nil, err
	}
	return r.encode(doc, c, o)
}

// encode writes a laid-out document in o's format.
func (r *Renderer) encode(doc *node, c Caption, o Options) ([]byte, error) {
	switch o.Format {
	case SVG:
		{
			// A downloaded image embeds the page's own font files, which
			// keep kerning exactly as the page and the PNG have it; the
			// stand-in on the page (Bare) embeds a small subset instead.
			css, err := "", error(nil)
			if o.Bare {
				css, err = r.subsetStyle(doc)
			} else if r.web != nil {
				css, err = r.web.styleFor(doc)
			}
			if err != nil {
				return nil, err
			}
			if css != "" {
				// After <title> and <desc>, before anything drawn.
				defs := el("defs")
				defs.children = []*node{{name: "style", text: "\n" + css}}
				i := 0
				for i < len(doc.children) && (doc.children[i].name == "title" || doc.children[i].name == "desc") {
					i++
				}
				doc.children = append(doc.children[:i], append([]*node{defs}, doc.children[i:]...)...)
			}
		}
		var buf bytes.Buffer
		buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		writeSVG(&buf, doc, 0)
		return buf.Bytes(), nil
	case PNG:
		// Colours blend in sRGB values, not linear light, as browsers do.
		rr := newRasterRenderer(float64(o.Width), float64(o.Height), o.Scale)
		r.paint(doc, o, r.fonts, o.Scale).RenderTo(rr)
		var buf bytes.Buffer
		if err := encodePNG(&buf, rr.img); err != nil {
			return nil, fmt.Errorf("render: encode PNG: %w", err)
		}
		return buf.Bytes(), nil
	case PDF:
		// One CSS pixel is 1/96 inch, as in a browser's print.
		const mmPerPx = 25.4 / 96
		var buf bytes.Buffer
		r.pdfMu.Lock()
		defer r.pdfMu.Unlock()
		err := keepRecords(r.pdfFonts.regular.font.SFNT, func() error {
			return keepRecords(r.pdfFonts.bold.font.SFNT, func() error {
				w := pdf.New(&buf, float64(o.Width)*mmPerPx, float64(o.Height)*mmPerPx, &pdf.Options{Compress: true, SubsetFonts: true, ImageEncoding: canvas.Lossless})
				w.SetInfo(c.Title, c.Subtitle, "", strings.Join(nonEmpty(c.Sources), "; "), "bilateral")
				r.paint(doc, o, r.pdfFonts, 0).RenderViewTo(w, canvas.Identity.Scale(mmPerPx, mmPerPx))
				return w.Close()
			})
		})
		if err != nil {
			return nil, fmt.Errorf("render: write PDF: %w", err)
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("render: unknown format %q", o.Format)
}

// readManifest reads dist's manifest.json: logical names to file names.
func readManifest(dist fs.FS) (map[string]string, error) {
	b, err := fs.ReadFile(dist, "manifest.json")
	if err != nil {
		return nil, fmt.Errorf("render: %w (run `npm ci && npm run build`)", err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("render: manifest.json: %w", err)
	}
	return m, nil
}

// readAsset reads the file the manifest names for a logical name.
func readAsset(dist fs.FS, manifest map[string]string, name string) ([]byte, error) {
	file, ok := manifest[name]
	if !ok {
		return nil, fmt.Errorf("render: manifest has no %q (run `npm ci && npm run build`)", name)
	}
	b, err := fs.ReadFile(dist, file)
	if err != nil {
		return nil, fmt.Errorf("render: %s: %w", name, err)
	}
	return b, nil
}

// paint draws the document on a canvas of o's size in CSS pixels.
func (r *Renderer) paint(doc *node, o Options, fs *fonts, snap float64) *canvas.Canvas {
	cv := canvas.New(float64(o.Width), float64(o.Height))
	newPainter(cv, fs, doc, snap).draw(doc, rootState())
	return cv
}

// document renders the chart with ECharts and lays it out with its caption
// as one SVG tree.
func (r *Renderer) document(ctx context.Context, option []byte, c Caption, o Options) (*node, error) {
	l := layoutCaption(c, o, r.fonts)
	cw, ch := int(l.chartW), int(l.chartH)
	prepared, err := prepareOption(option, r.fonts, float64(cw), float64(ch))
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	theme := Theme
	if o.Dark {
		theme = DarkTheme
	}
	svg, err := r.pool.run(ctx, string(prepared), cw, ch, theme)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	chart, err := parseSVG(sanitizeXMLText(svg))
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	z := &normalizer{fonts: r.fonts, prefix: "ec"}
	return frame(l, c, o, z.normalize(chart)), nil
}

// frame lays out the caption around body, the drawing of the chart area.
func frame(l layout, c Caption, o Options, body []*node) *node {
	w, h := fmtNum(float64(o.Width)), fmtNum(float64(o.Height))
	doc := el("svg", "xmlns", "http://www.w3.org/2000/svg", "width", w, "height", h, "viewBox", "0 0 "+w+" "+h, "role", "img")
	if c.Title != "" {
		doc.children = append(doc.children, &node{name: "title", text: c.Title})
	}
	if d := description(c); d != "" {
		doc.children = append(doc.children, &node{name: "desc", text: d})
	}
	if !o.Transparent && !o.Bare {
		doc.children = append(doc.children, el("rect", "width", w, "height", h, "fill", colorBG))
	}
	for _, cl := range l.lines {
		t := el("text", "x", fmtNum(cl.x), "y", fmtNum(cl.y), "font-family", fontFamily, "font-size", fmtNum(cl.size), "fill", cl.color)
		if cl.weight != 400 {
			t.set("font-weight", fmt.Sprint(cl.weight))
		}
		if cl.anchor == "end" {
			t.set("text-anchor", "end")
		}
		t.text = cl.text
		doc.children = append(doc.children, t)
	}
	// The chart keeps to its area, as it does in its own <svg> on the page
	// (map insets, for one, may reach past it).
	clip := el("clipPath", "id", "chart-area")
	clip.children = []*node{el("rect", "width", fmtNum(l.chartW), "height", fmtNum(l.chartH))}
	defs := el("defs")
	defs.children = []*node{clip}
	g := el("g", "transform", "translate("+fmtNum(l.chartX)+" "+fmtNum(l.chartY)+")")
	inner := el("g", "clip-path", "url(#chart-area)")
	inner.children = body
	g.children = []*node{defs, inner}
	doc.children = append(doc.children, g)
	return doc
}

// description is the text of the image's <desc>: everything the caption
// says besides the title, for screen readers and search.
func description(c Caption) string {
	var parts []string
	if c.Subtitle != "" {
		parts = append(parts, c.Subtitle+".")
	}
	if s := nonEmpty(c.Sources); len(s) > 0 {
		parts = append(parts, "Source: "+strings.Join(s, "; ")+".")
	}
	if c.AsOf != "" {
		parts = append(parts, "Data as of "+c.AsOf+".")
	}
	if c.URL != "" {
		parts = append(parts, c.URL)
	}
	return strings.Join(parts, " ")
}
