package chartimage

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/tdewolff/canvas"
	"golang.org/x/image/vector"
)

// rasterRenderer is a canvas.Renderer that fills paths with
// golang.org/x/image/vector, one path at a time in a mask the size of the
// path's bounding box. canvas' own rasteriser scans the whole path list of
// a shape per scanline and spends most of a PNG's time on glyphs; this one
// is an order of magnitude faster on text and computes exact area
// coverage, as browsers do.
type rasterRenderer struct {
	img   *image.RGBA
	scale float64 // device pixels per canvas unit (CSS pixel)
	h     float64 // canvas height in units
	z     vector.Rasterizer
}

func newRasterRenderer(w, h, scale float64) *rasterRenderer {
	pw, ph := int(w*scale+0.5), int(h*scale+0.5)
	return &rasterRenderer{img: image.NewRGBA(image.Rect(0, 0, pw, ph)), scale: scale, h: h}
}

// Size implements canvas.Renderer.
func (r *rasterRenderer) Size() (float64, float64) {
	b := r.img.Bounds()
	return float64(b.Dx()) / r.scale, float64(b.Dy()) / r.scale
}

// RenderPath implements canvas.Renderer for solid colours (the painter
// resolves gradients, patterns and clips into solid fills first).
func (r *rasterRenderer) RenderPath(path *canvas.Path, style canvas.Style, m canvas.Matrix) {
	if style.HasFill() && style.Fill.IsColor() {
		r.fill(path.Copy().Transform(m), style.Fill.Color)
	}
	if style.HasStroke() && style.Stroke.IsColor() && style.StrokeWidth > 0 {
		p := path
		if style.IsDashed() {
			p = p.Dash(style.DashOffset, style.Dashes...)
		}
		tol := canvas.PixelTolerance / r.scale
		if det := math.Sqrt(math.Abs(m.Det())); det > 0 {
			tol /= det
		}
		outline := p.Stroke(style.StrokeWidth, style.StrokeCapper, style.StrokeJoiner, tol)
		r.fill(outline.Transform(m), style.Stroke.Color)
	}
}

// RenderText implements canvas.Renderer: glyphs as paths.
func (r *rasterRenderer) RenderText(text *canvas.Text, m canvas.Matrix) {
	text.RenderAsPath(r, m, canvas.DPMM(r.scale))
}

// RenderImage implements canvas.Renderer; the painter draws no images.
func (r *rasterRenderer) RenderImage(img image.Image, m canvas.Matrix) {}

// fill fills a path in canvas coordinates (y up) with a premultiplied
// colour, non-zero winding.
func (r *rasterRenderer) fill(p *canvas.Path, c color.RGBA) {
	if c.A == 0 || p.Empty() {
		return
	}
	if rc, ok := pathRect(p); ok {
		// Backgrounds, bars, grid lines: most of a chart's area.
		r.fillRect((rc.X0)*r.scale, (r.h-rc.Y1)*r.scale, rc.X1*r.scale, (r.h-rc.Y0)*r.scale, c)
		return
	}
	b := p.FastBounds()
	// Device pixels, y down.
	x0 := int(math.Floor(b.X0 * r.scale))
	x1 := int(math.Ceil(b.X1 * r.scale))
	y0 := int(math.Floor((r.h - b.Y1) * r.scale))
	y1 := int(math.Ceil((r.h - b.Y0) * r.scale))
	rect := image.Rect(x0, y0, x1, y1).Intersect(r.img.Bounds())
	if rect.Empty() {
		return
	}
	ox, oy := float64(rect.Min.X), float64(rect.Min.Y)
	dev := func(x, y float64) (float32, float32) {
		return float32(x*r.scale - ox), float32((r.h-y)*r.scale - oy)
	}
	z := &r.z
	z.Reset(rect.Dx(), rect.Dy())
	z.DrawOp = draw.Over
	open := false
	sc := p.ReplaceArcs().Scanner()
	for sc.Scan() {
		end := sc.End()
		ex, ey := dev(end.X, end.Y)
		switch sc.Cmd() {
		case canvas.MoveToCmd:
			if open {
				z.ClosePath()
			}
			z.MoveTo(ex, ey)
			open = true
		case canvas.LineToCmd:
			z.LineTo(ex, ey)
		case canvas.QuadToCmd:
			c1 := sc.CP1()
			cx, cy := dev(c1.X, c1.Y)
			z.QuadTo(cx, cy, ex, ey)
		case canvas.CubeToCmd:
			c1, c2 := sc.CP1(), sc.CP2()
			ax, ay := dev(c1.X, c1.Y)
			bx, by := dev(c2.X, c2.Y)
			z.CubeTo(ax, ay, bx, by, ex, ey)
		case canvas.CloseCmd:
			z.LineTo(ex, ey)
			z.ClosePath()
			open = false
		}
	}
	if open {
		z.ClosePath()
	}
	z.Draw(r.img, rect, image.NewUniform(c), image.Point{})
}

// fillRect fills the device-pixel rectangle [x0,x1)×[y0,y1) with a
// premultiplied colour, with exact coverage on its fractional edges: the
// same pixels the general path would give, without building a mask.
func (r *rasterRenderer) fillRect(x0, y0, x1, y1 float64, c color.RGBA) {
	bounds := r.img.Bounds()
	x0, y0 = math.Max(x0, float64(bounds.Min.X)), math.Max(y0, float64(bounds.Min.Y))
	x1, y1 = math.Min(x1, float64(bounds.Max.X)), math.Min(y1, float64(bounds.Max.Y))
	if x1 <= x0 || y1 <= y0 {
		return
	}
	cover := func(lo, hi float64, i int) float64 {
		return math.Max(0, math.Min(hi, float64(i+1))-math.Max(lo, float64(i)))
	}
	ix0, ix1 := int(math.Floor(x0)), int(math.Ceil(x1))
	iy0, iy1 := int(math.Floor(y0)), int(math.Ceil(y1))
	pix, stride := r.img.Pix, r.img.Stride
	for y := iy0; y < iy1; y++ {
		cy := cover(y0, y1, y)
		row := pix[(y-r.img.Rect.Min.Y)*stride:]
		for x := ix0; x < ix1; x++ {
			a := cy
			if x == ix0 || x == ix1-1 {
				a *= cover(x0, x1, x)
			}
			i := (x - r.img.Rect.Min.X) * 4
			if a >= 1 && c.A == 255 {
				row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, 255
				continue
			}
			// Porter-Duff over, premultiplied: dst = src*a + dst*(1 - srcA*a).
			sa := float64(c.A) * a / 255
			k := 1 - sa
			row[i] = uint8(float64(c.R)*a + float64(row[i])*k + 0.5)
			row[i+1] = uint8(float64(c.G)*a + float64(row[i+1])*k + 0.5)
			row[i+2] = uint8(float64(c.B)*a + float64(row[i+2])*k + 0.5)
			row[i+3] = uint8(float64(c.A)*a + float64(row[i+3])*k + 0.5)
		}
	}
}
