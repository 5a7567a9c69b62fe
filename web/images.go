package web

import (
	"archive/zip"
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"

	"github.com/bilateral/bilateral/chartimage"
	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/charts"
	"github.com/bilateral/bilateral/web/respond"
)

// images renders chart images on the server and keeps the results: a
// render happens once per version, chart and parameters, however many
// requests arrive at once.
type images struct {
	// timeout bounds one render (0: chartimage.DefaultTimeout); tests on a
	// busy machine raise it.
	timeout  time.Duration
	once     sync.Once
	renderer *chartimage.Renderer
	err      error
	group    singleflight.Group
	cache    *lru
	renders  atomic.Int64 // images drawn (not served from the cache)
	// budget bounds the pixels being drawn at once, over every request
	// (see imageCost).
	budget *budget
}

// Image work limits. One PNG in flight holds about 8 bytes per output
// pixel (the RGBA raster, the canvas and the encoder's buffers), so the
// budget of 32 megapixels keeps rendering under about 256 MiB however
// many requests arrive; a request for more than MaxImagePixels is refused
// outright.
const (
	// MaxImagePixels caps width×height×scale² of one PNG: 16 megapixels,
	// e.g. 4000×4000 at scale 1 or 2000×2000 at scale 2.
	MaxImagePixels = 16 << 20
	// DefaultImageBudget is the pixels that may be drawn at once.
	DefaultImageBudget = 32 << 20
	imageQueue         = 8               // requests that may wait for the budget
	imageWait          = 3 * time.Second // how long one may wait
	imageRetryAfter    = 5 * time.Second
)

// imageCost is what an image takes from the budget: its output pixels for
// a PNG; a vector image (SVG, PDF) is drawn without a raster, and counts
// its size in CSS pixels.
func imageCost(o chartimage.Options) int64 {
	if o.Format == chartimage.PNG {
		return int64(float64(o.Width) * float64(o.Height) * o.Scale * o.Scale)
	}
	return int64(o.Width) * int64(o.Height)
}

// imageCacheBytes bounds the memory the image cache holds.
const imageCacheBytes = 128 << 20

// rendererFor starts the renderer on first use: it compiles ECharts into
// the JavaScript engine, which takes a fraction of a second that pages and
// data downloads should not wait for.
func (s *Server) rendererFor() (*chartimage.Renderer, error) {
	s.images.once.Do(func() {
		s.images.renderer, s.images.err = chartimage.New(s.staticFS(), nil, 0, s.images.timeout)
	})
	return s.images.renderer, s.images.err
}

// imageRequest is a parsed image request.
type imageRequest struct {
	id   string
	opts chartimage.Options
}

func (r imageRequest) key(version int) string {
	o := r.opts
	return fmt.Sprintf("v%d/%s.%s/%dx%d@%g/t%v/b%v/d%v", version, r.id, o.Format, o.Width, o.Height, o.Scale, o.Transparent, o.Bare, o.Dark)
}

// imageKey names an image in the cache and in its entity tag: the
// request, and a hash of everything drawn (the chart's option, built from
// its definition rows and data, and the caption), so a changed
// definition never serves an old image.
func imageKey(version int, ch *charts.Chart, req imageRequest, capt chartimage.Caption) string {
	drawn := string(ch.OptionJSON)
	if ch.Grid != nil {
		drawn += fmt.Sprintf("\x00%#v", TableImage(ch.Grid))
	}
	sum := hashString(drawn + "\x00" + fmt.Sprintf("%#v", capt))
	return fmt.Sprintf("%s/%x", req.key(version), sum[:12])
}

// parseImageRequest reads ?width=&height=&scale=&transparent=&plain=&theme=
// with the format's defaults, and answers 400 with a message naming the
// parameter when a value is not usable.
func parseImageRequest(c echo.Context, id string, f chartimage.Format) (imageRequest, error) {
	o := chartimage.DefaultOptions(f)
	num := func(name string, dst *int) error {
		v := c.QueryParam(name)
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return stats.Errorf(stats.BadRequest, "%s must be a whole number of pixels (got %q)", name, v)
		}
		*dst = n
		return nil
	}
	if err := num("width", &o.Width); err != nil {
		return imageRequest{}, err
	}
	if err := num("height", &o.Height); err != nil {
		return imageRequest{}, err
	}
	if v := c.QueryParam("scale"); v != "" {
		sc, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return imageRequest{}, stats.Errorf(stats.BadRequest, "scale must be a number such as 1, 2 or 1.5 (got %q)", v)
		}
		o.Scale = sc
	}
	o.Transparent = isTrue(c.QueryParam("transparent"))
	o.Bare = isTrue(c.QueryParam("plain"))
	switch c.QueryParam("theme") {
	case "", "light":
	case "dark":
		o.Dark = true
	default:
		return imageRequest{}, stats.Errorf(stats.BadRequest, "theme must be light or dark (got %q)", c.QueryParam("theme"))
	}
	if err := o.Validate(); err != nil {
		return imageRequest{}, stats.Wrap(stats.BadRequest, err.Error(), err)
	}
	if px := imageCost(o); o.Format == chartimage.PNG && px > MaxImagePixels {
		return imageRequest{}, stats.Errorf(stats.BadRequest,
			"A PNG may have at most %d pixels (16 megapixels, width×height×scale²); %d×%d at scale %g is %d. Ask for a smaller width, height or scale.",
			MaxImagePixels, o.Width, o.Height, o.Scale, px)
	}
	return imageRequest{id: id, opts: o}, nil
}

func isTrue(s string) bool { return s == "1" || s == "true" || s == "yes" }

// caption is the text an image carries so that it stands alone. Its
// address is built from --base-url, or is the chart's path alone: never
// from the request's Host, which any client chooses (finding 12), so the
// image and its cache entry are the same whatever Host a request names.
func (s *Server) caption(snap *snapshot, ch *charts.Chart) chartimage.Caption {
	return Caption(ch, snap.dataset.Meta.AsOf, strings.TrimRight(s.cfg.BaseURL, "/"))
}

// Caption is the caption of a chart's image under baseURL; when baseURL
// is empty the address is the path alone ("/charts/ID"). See
// chartimage.NewCaption.
func Caption(ch *charts.Chart, asOf time.Time, baseURL string) chartimage.Caption {
	orgs := make([]string, len(ch.Sources))
	for i, src := range ch.Sources {
		orgs[i] = src.Organisation
	}
	url := strings.TrimRight(baseURL, "/") + "/charts/" + ch.ID
	c := chartimage.NewCaption(ch.Title, ch.Subtitle, orgs, asOf, url)
	c.Note = stats.StripBidi(ch.ImageNote)
	return c
}

// imageOptions are the entity tag and codings of an image: SVG is text
// and shrinks several times; PNG and PDF are compressed already. The tag
// names the version and a hash of the request, so a revalidation is
// answered without drawing the image.
func imageOptions(version int, key string, f chartimage.Format) respond.Options {
	sum := hashString(key)
	o := respond.Options{Tag: fmt.Sprintf("v%d-%x", version, sum[:8])}
	if f == chartimage.SVG {
		o.LazyGzip, o.LazyBrotli = true, true
	}
	return o
}

// image renders (or finds in the cache) one chart image.
func (s *Server) image(ctx context.Context, snap *snapshot, ch *charts.Chart, req imageRequest, capt chartimage.Caption) (*respond.Body, error) {
	key := imageKey(snap.version, ch, req, capt)
	if b, ok := s.images.cache.get(key); ok {
		return b, nil
	}
	v, err, _ := s.images.group.Do(key, func() (any, error) {
		if b, ok := s.images.cache.get(key); ok {
			return b, nil
		}
		r, err := s.rendererFor()
		if err != nil {
			return nil, err
		}
		// Drawing waits for its share of the image budget (or is refused
		// with 503 and Retry-After); the share is held until the encoded
		// image is in the cache and the raster is garbage.
		release, err := s.images.budget.acquire(imageCost(req.opts))
		if err != nil {
			return nil, err
		}
		defer release()
		// The render belongs to every request waiting for it, not to the
		// first one; it is bounded by the renderer's own timeout.
		raw, err := RenderChart(context.WithoutCancel(ctx), r, ch, capt, req.opts)
		if err != nil {
			return nil, err
		}
		s.images.renders.Add(1)
		b := respond.New(req.opts.Format.MediaType(), raw, imageOptions(snap.version, key, req.opts.Format))
		s.images.cache.put(key, b)
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*respond.Body), nil
}

// RenderChart draws a built chart with its caption: a chart of kind
// table as its table, any other from its ECharts option.
func RenderChart(ctx context.Context, r *chartimage.Renderer, ch *charts.Chart, capt chartimage.Caption, o chartimage.Options) ([]byte, error) {
	if ch.Grid != nil {
		return r.RenderTable(ctx, TableImage(ch.Grid), capt, o)
	}
	return r.Render(ctx, ch.OptionJSON, capt, o)
}

// TableImage is the text of a table chart's cells as its image shows
// them: the value with its unit and status, a dash for a year without a
// published figure (the caption's note says so).
func TableImage(g *charts.Grid) chartimage.Table {
	t := chartimage.Table{Header: []string{"Year"}, More: "earlier years"}
	for _, c := range g.Columns {
		h := c.Label
		if c.Unit != "" {
			h += " (" + c.Unit + ")"
		}
		t.Header = append(t.Header, stats.StripBidi(h))
	}
	for _, r := range g.Rows {
		row := []string{strconv.Itoa(r.Year)}
		for _, c := range r.Cells {
			switch {
			case c.Empty:
				row = append(row, "–")
			case c.Status != "":
				row = append(row, stats.StripBidi(c.Text)+" ("+c.Status+")")
			default:
				row = append(row, stats.StripBidi(c.Text))
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// handleChartImage serves /charts/{id}.svg, .png and .pdf.
func (s *Server) handleChartImage(c echo.Context, snap *snapshot, ch *charts.Chart, f chartimage.Format) error {
	req, err := parseImageRequest(c, ch.ID, f)
	if err != nil {
		return err
	}
	capt := s.caption(snap, ch)
	h := c.Response().Header()
	cacheControl := revalidate
	if c.QueryParam("v") == strconv.Itoa(snap.version) {
		cacheControl = immutable // the URL names the version
	}
	h["Cache-Control"] = cacheControl
	if respond.Check(c.Response(), c.Request(), imageOptions(snap.version, imageKey(snap.version, ch, req, capt), f)) {
		return nil
	}
	b, err := s.image(c.Request().Context(), snap, ch, req, capt)
	var be *chartimage.BoundsError
	switch {
	case errors.As(err, &be):
		return stats.Wrap(stats.BadRequest, be.Error(), err)
	case errors.Is(err, chartimage.ErrTimeout):
		return &stats.Error{Kind: stats.Unavailable, Message: "Drawing this image took too long. Try again, or ask for a smaller size.", RetryAfter: 10 * time.Second, Err: err}
	case err != nil:
		return err
	}
	name := fmt.Sprintf("%s-v%d.%s", ch.ID, snap.version, f)
	h.Set("Content-Disposition", `inline; filename="`+name+`"`)
	if f == chartimage.SVG {
		// An SVG opened on its own is a document: allow nothing to run.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:")
	}
	return serve(c, b, cacheControl)
}

// handleChartsZip serves every chart in one format as a ZIP.
func (s *Server) handleChartsZip(c echo.Context) error {
	snap, err := s.snapshot()
	if err != nil {
		return err
	}
	f, err := chartimage.ParseFormat(c.QueryParam("format"))
	if c.QueryParam("format") == "" {
		f, err = chartimage.PNG, nil
	}
	if err != nil {
		return stats.NewError(stats.BadRequest, "format must be png, svg or pdf")
	}
	// An archive is kept with the images, so that everyone asking for the
	// same one (and every client slow to read it) shares its bytes.
	params, err := parseImageRequest(c, "", f)
	if err != nil {
		return err
	}
	key := "zip/" + params.key(snap.version)
	name := "charts-" + string(f) + ".zip"
	if b, ok := s.images.cache.get(key); ok {
		attachment(c, snap, name)
		return serve(c, b, revalidate)
	}
	// An archive holds every chart's image in memory while it is built,
	// and each may be drawn: a few are built at once (then 503), so that
	// archives waiting for the image budget cannot pile up.
	release, err := s.zips.acquire(1)
	if err != nil {
		return err
	}
	defer release()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, ch := range snap.charts {
		req, err := parseImageRequest(c, ch.ID, f)
		if err != nil {
			return err
		}
		b, err := s.image(c.Request().Context(), snap, ch, req, s.caption(snap, ch))
		if err != nil {
			return err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%s.%s", ch.ID, f), Method: zip.Store, Modified: snap.createdAt})
		if err != nil {
			return err
		}
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	// The slot bounds building, not sending: a client that does not read
	// its archive would otherwise hold the slot until the write deadline,
	// and two of them denied every archive to everyone.
	release()
	b := download("application/zip", buf.Bytes(), snap.version, false)
	s.images.cache.put(key, b)
	attachment(c, snap, name)
	return serve(c, b, revalidate)
}

// lru is a byte-bounded least-recently-used cache of images.
type lru struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List
	items map[string]*list.Element
}

type lruEntry struct {
	key string
	val *respond.Body
}

func newLRU(maxBytes int) *lru {
	return &lru{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

func (l *lru) get(k string) (*respond.Body, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[k]; ok {
		l.order.MoveToFront(e)
		return e.Value.(*lruEntry).val, true
	}
	return nil, false
}

// put adds a body. Its size is counted as twice its length: room for the
// compressed forms an SVG may get later, which are always smaller.
func (l *lru) put(k string, v *respond.Body) {
	l.mu.Lock()
	defer l.mu.Unlock()
	size := entrySize(v)
	if size > l.max {
		return
	}
	if e, ok := l.items[k]; ok {
		l.size -= entrySize(e.Value.(*lruEntry).val)
		l.order.Remove(e)
	}
	l.items[k] = l.order.PushFront(&lruEntry{k, v})
	l.size += size
	for l.size > l.max {
		last := l.order.Back()
		ent := last.Value.(*lruEntry)
		l.order.Remove(last)
		delete(l.items, ent.key)
		l.size -= entrySize(ent.val)
	}
}

func entrySize(b *respond.Body) int { return 2 * len(b.Bytes()) }
