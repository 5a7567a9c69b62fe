package chartimage

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/tdewolff/canvas"
)

// painter draws the SVG tree onto a canvas.Canvas, which then goes to the
// rasteriser (PNG) or the PDF writer. It understands what ECharts and the
// caption layout emit, not SVG at large: shapes, <g> with transforms and
// opacity, clip paths, gradients, patterns (ECharts' decals) and <text>.
//
// Coordinates: the tree is in CSS pixels with y down; canvas has y up, so
// every matrix is prefixed with flip. One canvas unit is one CSS pixel.
type painter struct {
	c     *canvas.Canvas
	fonts *fonts
	defs  map[string]*node
	flip  canvas.Matrix
	// snap is device pixels per CSS pixel when drawing for a raster (0 for
	// PDF): text baselines then snap to whole device pixels, as Chromium
	// snaps horizontal text.
	snap float64
}

// gstate is the inherited drawing state at a node.
type gstate struct {
	m                canvas.Matrix // user space -> root (y down)
	fill, stroke     string
	fillOp, strokeOp float64
	opacity          float64 // product of the ancestors' group opacity
	strokeW          float64
	cap, join        string
	miter            float64
	dash             string
	dashOff          float64
	evenOdd          bool
	fontSize         float64
	fontWeight       int
	anchor           string
	clip             *clipRegion
}

// clipRegion is a clip in canvas coordinates. rect is set when the clip is
// an axis-aligned rectangle, which lets most paths skip the (costly)
// boolean intersection.
type clipRegion struct {
	path *canvas.Path
	rect *canvas.Rect
}

func newPainter(c *canvas.Canvas, fs *fonts, root *node, snap float64) *painter {
	p := &painter{c: c, fonts: fs, defs: map[string]*node{}, flip: canvas.Identity.Translate(0, c.H).Scale(1, -1), snap: snap}
	p.collectDefs(root)
	return p
}

func (p *painter) collectDefs(n *node) {
	if id := n.get("id"); id != "" {
		p.defs[id] = n
	}
	for _, c := range n.children {
		p.collectDefs(c)
	}
}

func rootState() gstate {
	return gstate{m: canvas.Identity, fill: "#000", stroke: "none", fillOp: 1, strokeOp: 1, opacity: 1, strokeW: 1,
		cap: "butt", join: "miter", miter: 4, fontSize: 16, fontWeight: 400, anchor: "start"}
}

func (p *painter) draw(n *node, st gstate) {
	if n.get("display") == "none" {
		return
	}
	switch n.name {
	case "defs", "clipPath", "pattern", "linearGradient", "radialGradient", "stop", "title", "desc", "style", "metadata":
		return
	}
	st = p.inherit(n, st)
	if st.opacity <= 0 {
		return
	}
	if v := n.get("clip-path"); v != "" {
		st.clip = p.clipFor(v, st)
		if st.clip != nil && st.clip.path.Empty() {
			return
		}
	}
	if n.get("visibility") == "hidden" {
		return
	}
	switch n.name {
	case "svg", "g":
		for _, c := range n.children {
			p.draw(c, st)
		}
	case "text":
		p.drawText(n, st)
	default:
		if path := shapePath(n); path != nil && !path.Empty() {
			p.drawPath(path, st, n)
		}
	}
}

// inherit applies n's presentation attributes and transform to st.
func (p *painter) inherit(n *node, st gstate) gstate {
	if v := n.get("transform"); v != "" {
		st.m = st.m.Mul(parseTransform(v))
	}
	for _, a := range n.attrs {
		v := strings.TrimSpace(a.value)
		switch a.name {
		case "fill":
			st.fill = v
		case "stroke":
			st.stroke = v
		case "fill-opacity":
			st.fillOp = clamp(parseFloatDef(v, 1), 0, 1)
		case "stroke-opacity":
			st.strokeOp = clamp(parseFloatDef(v, 1), 0, 1)
		case "opacity":
			st.opacity *= clamp(parseFloatDef(v, 1), 0, 1)
		case "stroke-width":
			st.strokeW = math.Max(0, parseFloatDef(strings.TrimSuffix(v, "px"), 1))
		case "stroke-linecap":
			st.cap = v
		case "stroke-linejoin":
			st.join = v
		case "stroke-miterlimit":
			st.miter = parseFloatDef(v, 4)
		case "stroke-dasharray":
			st.dash = v
		case "stroke-dashoffset":
			st.dashOff = parseFloatDef(v, 0)
		case "fill-rule":
			st.evenOdd = v == "evenodd"
		case "font-size":
			if s, ok := parseFontSize(v); ok {
				st.fontSize = s
			} else if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 {
				st.fontSize = f
			}
		case "font-weight":
			st.fontWeight = parseWeight(v)
		case "text-anchor":
			st.anchor = v
		}
	}
	return st
}

// shapePath is the outline of a basic shape in its user space.
func shapePath(n *node) *canvas.Path {
	f := func(name string) float64 { return attrFloat(n, name, 0) }
	switch n.name {
	case "path":
		path, err := canvas.ParseSVGPath(n.get("d"))
		if err != nil {
			return nil
		}
		return path
	case "rect":
		w, h := f("width"), f("height")
		if w <= 0 || h <= 0 {
			return nil
		}
		rx, ry := f("rx"), f("ry")
		if rx == 0 {
			rx = ry
		}
		var r *canvas.Path
		if rx > 0 {
			r = canvas.RoundedRectangle(w, h, rx)
		} else {
			r = canvas.Rectangle(w, h)
		}
		return r.Translate(f("x"), f("y"))
	case "circle":
		if f("r") <= 0 {
			return nil
		}
		return canvas.Circle(f("r")).Translate(f("cx"), f("cy"))
	case "ellipse":
		if f("rx") <= 0 || f("ry") <= 0 {
			return nil
		}
		return canvas.Ellipse(f("rx"), f("ry")).Translate(f("cx"), f("cy"))
	case "line":
		path := &canvas.Path{}
		path.MoveTo(f("x1"), f("y1"))
		path.LineTo(f("x2"), f("y2"))
		return path
	case "polyline", "polygon":
		pts := parseNumbers(n.get("points"))
		if len(pts) < 4 {
			return nil
		}
		path := &canvas.Path{}
		path.MoveTo(pts[0], pts[1])
		for i := 2; i+1 < len(pts); i += 2 {
			path.LineTo(pts[i], pts[i+1])
		}
		if n.name == "polygon" {
			path.Close()
		}
		return path
	}
	return nil
}

// drawPath fills and strokes a shape (in user space) with state st.
func (p *painter) drawPath(path *canvas.Path, st gstate, n *node) {
	m := p.flip.Mul(st.m)
	if st.fill != "none" && st.fill != "" {
		p.fillWith(path, m, st.fill, st.fillOp*st.opacity, st, n)
	}
	if st.stroke != "none" && st.stroke != "" && st.strokeW > 0 {
		sp := path
		if dashes := parseNumbers(st.dash); len(dashes) > 0 && sum(dashes) > 0 {
			if len(dashes)%2 == 1 {
				dashes = append(dashes, dashes...)
			}
			sp = sp.Dash(st.dashOff, dashes...)
		}
		c, isColor := parseColor(st.stroke)
		if isColor && st.clip == nil {
			// Let the renderer stroke: the PDF keeps a real, thin stroke.
			style := canvas.DefaultStyle
			style.Fill = canvas.Paint{}
			style.Stroke = canvas.Paint{Color: withAlpha(c, st.strokeOp*st.opacity)}
			style.StrokeWidth = st.strokeW
			style.StrokeCapper = capper(st.cap)
			style.StrokeJoiner = joiner(st.join, st.miter)
			p.c.RenderPath(sp, style, m)
			return
		}
		outline := sp.Stroke(st.strokeW, capper(st.cap), joiner(st.join, st.miter), canvas.Tolerance)
		p.fillWith(outline, m, st.stroke, st.strokeOp*st.opacity, st, n)
	}
}

// fillWith fills path (user space, m to canvas) with a paint: a colour, a
// gradient or a pattern, clipped to st.clip.
func (p *painter) fillWith(path *canvas.Path, m canvas.Matrix, paint string, alpha float64, st gstate, n *node) {
	if alpha <= 0 {
		return
	}
	if strings.HasPrefix(paint, "url(") {
		m2 := urlRef.FindStringSubmatch(paint)
		if m2 == nil {
			return
		}
		def := p.defs[m2[1]]
		if def == nil {
			return
		}
		switch def.name {
		case "linearGradient", "radialGradient":
			p.fillGradient(path, m, def, alpha, st)
		case "pattern":
			p.fillPattern(path, st.m, def, alpha, st)
		}
		return
	}
	c, ok := parseColor(paint)
	if !ok {
		return
	}
	fp := path.Copy().Transform(m)
	if st.evenOdd {
		// The rasteriser fills non-zero only; resolve even-odd first.
		fp = fp.Settle(canvas.EvenOdd)
	}
	fp = clipTo(fp, st.clip)
	if fp == nil || fp.Empty() {
		return
	}
	style := canvas.DefaultStyle
	style.Fill = canvas.Paint{Color: withAlpha(c, alpha)}
	style.Stroke = canvas.Paint{}
	p.c.RenderPath(fp, style, canvas.Identity)
}

// clipTo intersects a path (canvas coordinates) with a clip region. It
// returns nil when nothing is left.
func clipTo(fp *canvas.Path, clip *clipRegion) *canvas.Path {
	if clip == nil {
		return fp
	}
	b := fp.FastBounds()
	if clip.rect != nil {
		r := *clip.rect
		if b.X0 >= r.X0 && b.X1 <= r.X1 && b.Y0 >= r.Y0 && b.Y1 <= r.Y1 {
			return fp
		}
		if b.X1 < r.X0 || b.X0 > r.X1 || b.Y1 < r.Y0 || b.Y0 > r.Y1 {
			return nil
		}
	}
	return closed(fp).And(clip.path)
}

// clipFor resolves clip-path="url(#id)" in state st into canvas coordinates,
// intersected with any clip already in force.
func (p *painter) clipFor(ref string, st gstate) *clipRegion {
	m := urlRef.FindStringSubmatch(ref)
	if m == nil {
		return st.clip
	}
	def := p.defs[m[1]]
	if def == nil || def.name != "clipPath" {
		return st.clip
	}
	var region *canvas.Path
	rectLike := len(def.children) == 1
	for _, c := range def.children {
		cs := p.inherit(c, gstate{m: st.m})
		path := shapePath(c)
		if path == nil {
			continue
		}
		cp := closed(path.Transform(p.flip.Mul(cs.m)))
		if region == nil {
			region = cp
		} else {
			region = region.Or(cp)
		}
	}
	if region == nil {
		region = &canvas.Path{}
	}
	out := &clipRegion{path: region}
	if rectLike {
		if r, ok := pathRect(region); ok {
			out.rect = &r
		}
	}
	if st.clip != nil {
		if st.clip.rect != nil && out.rect != nil {
			r := st.clip.rect.And(*out.rect)
			return &clipRegion{path: r.ToPath(), rect: &r}
		}
		return &clipRegion{path: region.And(st.clip.path)}
	}
	return out
}

// pathRect reports whether path is one axis-aligned rectangle.
func pathRect(path *canvas.Path) (canvas.Rect, bool) {
	pts := path.Coords()
	if len(pts) < 4 || len(pts) > 5 {
		return canvas.Rect{}, false
	}
	b := canvas.RectFromPoints(pts...)
	for _, pt := range pts {
		onX := near(pt.X, b.X0) || near(pt.X, b.X1)
		onY := near(pt.Y, b.Y0) || near(pt.Y, b.Y1)
		if !onX || !onY {
			return canvas.Rect{}, false
		}
	}
	return b, true
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// fillGradient fills with a linear or radial gradient by drawing it as
// bands of solid colour: the PDF writer cannot draw gradients with alpha
// and the rasteriser's gradients ignore the drawing transform, while
// bands thinner than a pixel look the same and work everywhere.
func (p *painter) fillGradient(path *canvas.Path, m canvas.Matrix, g *node, alpha float64, st gstate) {
	var stops []gradStop
	for _, s := range g.children {
		if s.name != "stop" {
			continue
		}
		off := strings.TrimSpace(s.get("offset"))
		o := 0.0
		if strings.HasSuffix(off, "%") {
			o = parseFloatDef(strings.TrimSuffix(off, "%"), 0) / 100
		} else {
			o = parseFloatDef(off, 0)
		}
		c, ok := parseColor(s.get("stop-color"))
		if !ok {
			c = color.RGBA{0, 0, 0, 255}
		}
		a := clamp(parseFloatDef(s.get("stop-opacity"), 1), 0, 1)
		stops = append(stops, gradStop{clamp(o, 0, 1), withAlpha(c, a)})
	}
	if len(stops) == 0 {
		return
	}
	bb := path.FastBounds()
	bbox := func(name string, def float64) float64 {
		v := strings.TrimSpace(g.get(name))
		if v == "" {
			return def
		}
		if strings.HasSuffix(v, "%") {
			return parseFloatDef(strings.TrimSuffix(v, "%"), def*100) / 100
		}
		return parseFloatDef(v, def)
	}
	user := g.get("gradientUnits") == "userSpaceOnUse"
	toUser := func(x, y float64) canvas.Point {
		if user {
			return canvas.Point{X: x, Y: y}
		}
		return canvas.Point{X: bb.X0 + x*bb.W(), Y: bb.Y0 + y*bb.H()}
	}
	fp := clipTo(path.Copy().Transform(m), st.clip)
	if fp == nil || fp.Empty() {
		return
	}
	if g.name == "radialGradient" {
		// Rings from the outside in; each paints over the previous one.
		c := toUser(bbox("cx", 0.5), bbox("cy", 0.5))
		r := bbox("r", 0.5)
		rx, ry := r, r
		if !user {
			rx, ry = r*bb.W(), r*bb.H()
		}
		n := 64
		for i := n; i >= 1; i-- {
			t := float64(i) / float64(n)
			ring := canvas.Ellipse(rx*t, ry*t).Translate(c.X, c.Y).Transform(m)
			p.fillSolid(ring.And(fp), stopsAt(stops, t), alpha)
		}
		return
	}
	p1 := toUser(bbox("x1", 0), bbox("y1", 0))
	p2 := toUser(bbox("x2", 1), bbox("y2", 0))
	if gt := g.get("gradientTransform"); gt != "" {
		t := parseTransform(gt)
		p1, p2 = t.Dot(p1), t.Dot(p2)
	}
	// Bands perpendicular to p1->p2 in user space, covering the shape.
	d := p2.Sub(p1)
	length := d.Length()
	if length == 0 {
		p.fillSolid(fp, stops[len(stops)-1].c, alpha)
		return
	}
	u := d.Div(length)
	v := canvas.Point{X: -u.Y, Y: u.X}
	// Extent of the shape along u and v.
	lo, hi, vlo, vhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, c := range []canvas.Point{{X: bb.X0, Y: bb.Y0}, {X: bb.X1, Y: bb.Y0}, {X: bb.X0, Y: bb.Y1}, {X: bb.X1, Y: bb.Y1}} {
		s, w := c.Sub(p1).Dot(u), c.Sub(p1).Dot(v)
		lo, hi = math.Min(lo, s), math.Max(hi, s)
		vlo, vhi = math.Min(vlo, w), math.Max(vhi, w)
	}
	n := int(math.Min(256, math.Max(2, math.Ceil((hi-lo)*2))))
	step := (hi - lo) / float64(n)
	for i := 0; i < n; i++ {
		s0 := lo + float64(i)*step
		s1 := s0 + step*1.5 // overlap: no hairline seams between bands
		if i == n-1 {
			s1 = hi
		}
		band := &canvas.Path{}
		for k, c := range []canvas.Point{p1.Add(u.Mul(s0)).Add(v.Mul(vlo)), p1.Add(u.Mul(s1)).Add(v.Mul(vlo)), p1.Add(u.Mul(s1)).Add(v.Mul(vhi)), p1.Add(u.Mul(s0)).Add(v.Mul(vhi))} {
			if k == 0 {
				band.MoveTo(c.X, c.Y)
			} else {
				band.LineTo(c.X, c.Y)
			}
		}
		band.Close()
		t := (s0 + step/2) / length
		bp := band.Transform(m)
		if r, ok := pathRect(bp); ok {
			if fr, ok := pathRect(fp); ok {
				x := r.And(fr)
				if x.W() > 0 && x.H() > 0 {
					p.fillSolid(x.ToPath(), stopsAt(stops, t), alpha)
				}
				continue
			}
		}
		p.fillSolid(bp.And(fp), stopsAt(stops, t), alpha)
	}
}

type gradStop struct {
	off float64
	c   color.RGBA
}

func stopsAt(stops []gradStop, t float64) color.RGBA {
	if t <= stops[0].off {
		return stops[0].c
	}
	for i := 1; i < len(stops); i++ {
		if t <= stops[i].off {
			a, b := stops[i-1], stops[i]
			f := 0.0
			if b.off > a.off {
				f = (t - a.off) / (b.off - a.off)
			}
			mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-f) + float64(y)*f)) }
			return color.RGBA{mix(a.c.R, b.c.R), mix(a.c.G, b.c.G), mix(a.c.B, b.c.B), mix(a.c.A, b.c.A)}
		}
	}
	return stops[len(stops)-1].c
}

// fillSolid fills a canvas-space path with a premultiplied colour times alpha.
func (p *painter) fillSolid(fp *canvas.Path, c color.RGBA, alpha float64) {
	if fp == nil || fp.Empty() {
		return
	}
	style := canvas.DefaultStyle
	style.Fill = canvas.Paint{Color: scaleRGBA(c, alpha)}
	style.Stroke = canvas.Paint{}
	p.c.RenderPath(fp, style, canvas.Identity)
}

// maxPatternTiles bounds the work of one pattern fill; a decal is a second
// cue next to colour, so past this it is left out rather than slow a render.
const maxPatternTiles = 4000

// fillPattern fills a shape with a <pattern> (ECharts' aria decals): the
// tile's content, clipped to the tile, is repeated over the shape and
// intersected with it. Rows whose content spans the whole tile width (the
// stripes of line decals) are drawn as one long band instead of a tile
// each.
func (p *painter) fillPattern(path *canvas.Path, userM canvas.Matrix, pat *node, alpha float64, st gstate) {
	tw, th := attrFloat(pat, "width", 0), attrFloat(pat, "height", 0)
	if tw <= 0 || th <= 0 {
		return
	}
	pt := canvas.Identity
	if v := pat.get("patternTransform"); v != "" {
		pt = parseTransform(v)
	}
	// Pattern space -> canvas.
	toCanvas := p.flip.Mul(userM).Mul(pt)
	shape := clipTo(path.Copy().Transform(p.flip.Mul(userM)), st.clip)
	if shape == nil || shape.Empty() {
		return
	}
	// The shape's extent in pattern space.
	b := path.Copy().Transform(pt.Inv()).FastBounds()
	i0, i1 := math.Floor(b.X0/tw), math.Floor(b.X1/tw)
	j0, j1 := math.Floor(b.Y0/th), math.Floor(b.Y1/th)

	cell := canvas.Rectangle(tw, th)
	type piece struct {
		path  *canvas.Path
		c     color.RGBA
		alpha float64
	}
	var pieces []piece
	var walk func(n *node, st gstate)
	walk = func(n *node, cs gstate) {
		cs = p.inherit(n, cs)
		if n.name == "g" {
			for _, c := range n.children {
				walk(c, cs)
			}
			return
		}
		sp := shapePath(n)
		if sp == nil || cs.fill == "none" {
			return
		}
		c, ok := parseColor(cs.fill)
		if !ok {
			return
		}
		sp = closed(sp.Transform(cs.m)).And(cell)
		if !sp.Empty() {
			pieces = append(pieces, piece{sp, c, cs.fillOp * cs.opacity})
		}
	}
	for _, c := range pat.children {
		walk(c, rootState())
	}
	shapeRect, rectShape := pathRect(shape)
	for _, pc := range pieces {
		var copies []*canvas.Path
		if r, ok := pathRect(pc.path); ok && near(r.X0, 0) && near(r.X1, tw) {
			for j := j0; j <= j1; j++ {
				copies = append(copies, canvas.Rectangle((i1-i0+1)*tw, r.H()).Translate(i0*tw, j*th+r.Y0))
			}
		} else {
			if (i1-i0+1)*(j1-j0+1) > maxPatternTiles {
				continue
			}
			for j := j0; j <= j1; j++ {
				for i := i0; i <= i1; i++ {
					copies = append(copies, pc.path.Copy().Translate(i*tw, j*th))
				}
			}
		}
		all := &canvas.Path{}
		if !rectShape {
			for _, c := range copies {
				all = all.Append(c)
			}
			p.fillSolid(all.Transform(toCanvas).And(closed(shape)), withAlpha(pc.c, pc.alpha), alpha)
			continue
		}
		// The shape is a rectangle (a bar, the usual case): keep copies
		// inside it whole, drop those outside, and cut the rest, polygons
		// exactly and cheaply, curves with the general intersection.
		var cut []*canvas.Path
		for _, c := range copies {
			c = c.Transform(toCanvas)
			b := c.FastBounds()
			switch {
			case b.X1 <= shapeRect.X0 || b.X0 >= shapeRect.X1 || b.Y1 <= shapeRect.Y0 || b.Y0 >= shapeRect.Y1:
			case b.X0 >= shapeRect.X0 && b.X1 <= shapeRect.X1 && b.Y0 >= shapeRect.Y0 && b.Y1 <= shapeRect.Y1:
				all = all.Append(c)
			default:
				if poly, ok := polygonPoints(c); ok {
					if q := clipPolygon(poly, shapeRect); len(q) >= 3 {
						all = all.Append(polygonPath(q))
					}
				} else {
					cut = append(cut, c)
				}
			}
		}
		if len(cut) > 0 {
			curved := &canvas.Path{}
			for _, c := range cut {
				curved = curved.Append(c)
			}
			all = all.Append(closed(curved).And(shapeRect.ToPath()))
		}
		p.fillSolid(all, withAlpha(pc.c, pc.alpha), alpha)
	}
}

// polygonPoints returns the vertices of a path made of one closed run of
// straight segments, or false.
func polygonPoints(p *canvas.Path) ([]canvas.Point, bool) {
	var pts []canvas.Point
	sc := p.Scanner()
	moves := 0
	for sc.Scan() {
		switch sc.Cmd() {
		case canvas.MoveToCmd:
			if moves++; moves > 1 {
				return nil, false
			}
			pts = append(pts, sc.End())
		case canvas.LineToCmd:
			pts = append(pts, sc.End())
		case canvas.CloseCmd:
		default:
			return nil, false
		}
	}
	if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	return pts, len(pts) >= 3
}

// clipPolygon clips a polygon to a rectangle (Sutherland–Hodgman), which is
// exact for the convex cells of decal patterns.
func clipPolygon(pts []canvas.Point, r canvas.Rect) []canvas.Point {
	edges := []struct {
		inside func(canvas.Point) bool
		cross  func(a, b canvas.Point) canvas.Point
	}{
		{func(p canvas.Point) bool { return p.X >= r.X0 }, func(a, b canvas.Point) canvas.Point { return lerpAt(a, b, (r.X0-a.X)/(b.X-a.X)) }},
		{func(p canvas.Point) bool { return p.X <= r.X1 }, func(a, b canvas.Point) canvas.Point { return lerpAt(a, b, (r.X1-a.X)/(b.X-a.X)) }},
		{func(p canvas.Point) bool { return p.Y >= r.Y0 }, func(a, b canvas.Point) canvas.Point { return lerpAt(a, b, (r.Y0-a.Y)/(b.Y-a.Y)) }},
		{func(p canvas.Point) bool { return p.Y <= r.Y1 }, func(a, b canvas.Point) canvas.Point { return lerpAt(a, b, (r.Y1-a.Y)/(b.Y-a.Y)) }},
	}
	for _, e := range edges {
		if len(pts) == 0 {
			return nil
		}
		var out []canvas.Point
		for i, cur := range pts {
			prev := pts[(i+len(pts)-1)%len(pts)]
			ci, pi := e.inside(cur), e.inside(prev)
			if ci != pi {
				out = append(out, e.cross(prev, cur))
			}
			if ci {
				out = append(out, cur)
			}
		}
		pts = out
	}
	return pts
}

func lerpAt(a, b canvas.Point, t float64) canvas.Point {
	return canvas.Point{X: a.X + (b.X-a.X)*t, Y: a.Y + (b.Y-a.Y)*t}
}

func polygonPath(pts []canvas.Point) *canvas.Path {
	p := &canvas.Path{}
	p.MoveTo(pts[0].X, pts[0].Y)
	for _, q := range pts[1:] {
		p.LineTo(q.X, q.Y)
	}
	p.Close()
	return p
}

// drawText draws a <text> element: one line, no tspans (ECharts splits
// multi-line labels into one <text> per line).
func (p *painter) drawText(n *node, st gstate) {
	s := n.text
	if n.get("xml:space") != "preserve" {
		s = strings.Join(strings.Fields(s), " ")
	}
	if s == "" {
		return
	}
	f := p.fonts.pick(st.fontWeight)
	size := st.fontSize
	x, y := attrFloat(n, "x", 0), attrFloat(n, "y", 0)
	switch st.anchor {
	case "middle":
		x -= f.width(s, size) / 2
	case "end":
		x -= f.width(s, size)
	}
	s = visiblePart(s, size, st.m)
	if m := st.m; p.snap > 0 && m[0][1] == 0 && m[1][0] == 0 && m[1][1] != 0 {
		dev := (m[1][1]*y + m[1][2]) * p.snap
		y += (math.Round(dev) - dev) / p.snap / m[1][1]
	}
	// Glyphs are drawn y-up from the baseline; Scale(1,-1) turns them into
	// the tree's y-down space, flip turns the whole back.
	m := p.flip.Mul(st.m).Translate(x, y).Scale(1, -1)
	fillC, hasFill := parseColor(st.fill)
	strokeC, hasStroke := parseColor(st.stroke)
	hasStroke = hasStroke && st.strokeW > 0 && st.stroke != "none"
	if st.fill == "none" {
		hasFill = false
	}
	if hasStroke || st.clip != nil {
		// As outlines: halos (ECharts' textBorder) and clipped text.
		f.mu.Lock()
		outline, _, err := f.canvasFace(size, canvas.Paint{Color: canvas.Black}).ToPath(s)
		f.mu.Unlock()
		if err != nil {
			return
		}
		if hasStroke {
			o := outline.Stroke(st.strokeW, canvas.RoundCap, canvas.RoundJoin, canvas.Tolerance)
			if o = clipTo(o.Transform(m), st.clip); o != nil {
				p.fillSolid(o, withAlpha(strokeC, st.strokeOp), st.opacity)
			}
		}
		if hasFill {
			if o := clipTo(outline.Copy().Transform(m), st.clip); o != nil {
				p.fillSolid(o, withAlpha(fillC, st.fillOp), st.opacity)
			}
		}
		return
	}
	if !hasFill {
		return
	}
	paint := canvas.Paint{Color: withAlpha(fillC, st.fillOp*st.opacity)}
	f.mu.Lock()
	t := canvas.NewTextLine(f.canvasFace(size, paint), s, canvas.Left)
	f.mu.Unlock()
	if p.fonts.textGlyphs {
		f.plainGlyphs(t)
	}
	p.c.RenderText(t, m)
}

// visiblePart cuts a text run to the glyphs that could show in the
// largest image: no glyph is narrower than a tenth of the font size, so a
// run of more than the image's diagonal over that is off the image past
// that point. Text comes from the workbook (a 32,000-character legend
// label drew every glyph: half a gigabyte and seconds per PNG, outside
// the pixel budget); the cut keeps the cost of a run bounded.
func visiblePart(s string, size float64, m canvas.Matrix) string {
	px := size * math.Sqrt(math.Abs(m.Det()))
	if px <= 0 {
		return s
	}
	limit := int(math.Hypot(MaxWidth, MaxHeight)/(0.1*px)) + 1
	if len(s) <= limit { // bytes ≥ runes
		return s
	}
	n := 0
	for i := range s {
		if n == limit {
			return s[:i]
		}
		n++
	}
	return s
}

func capper(s string) canvas.Capper {
	switch s {
	case "round":
		return canvas.RoundCap
	case "square":
		return canvas.SquareCap
	}
	return canvas.ButtCap
}

func joiner(s string, limit float64) canvas.Joiner {
	switch s {
	case "round":
		return canvas.RoundJoin
	case "bevel":
		return canvas.BevelJoin
	}
	if limit < 1 {
		limit = 4
	}
	return canvas.MiterJoiner{GapJoiner: canvas.BevelJoin, Limit: limit}
}

// parseTransform parses an SVG transform list into a matrix (y down).
func parseTransform(s string) canvas.Matrix {
	m := canvas.Identity
	for {
		open := strings.IndexByte(s, '(')
		closeIdx := strings.IndexByte(s, ')')
		if open < 0 || closeIdx < open {
			return m
		}
		fn := strings.TrimSpace(strings.Trim(s[:open], " ,"))
		a := parseNumbers(s[open+1 : closeIdx])
		s = s[closeIdx+1:]
		arg := func(i int, def float64) float64 {
			if i < len(a) {
				return a[i]
			}
			return def
		}
		var t canvas.Matrix
		switch fn {
		case "matrix":
			if len(a) != 6 {
				continue
			}
			t = canvas.Matrix{{a[0], a[2], a[4]}, {a[1], a[3], a[5]}}
		case "translate":
			t = canvas.Matrix{{1, 0, arg(0, 0)}, {0, 1, arg(1, 0)}}
		case "scale":
			sx := arg(0, 1)
			t = canvas.Matrix{{sx, 0, 0}, {0, arg(1, sx), 0}}
		case "rotate":
			r := arg(0, 0) * math.Pi / 180
			cx, cy := arg(1, 0), arg(2, 0)
			cos, sin := math.Cos(r), math.Sin(r)
			t = canvas.Matrix{{1, 0, cx}, {0, 1, cy}}.Mul(canvas.Matrix{{cos, -sin, 0}, {sin, cos, 0}}).Mul(canvas.Matrix{{1, 0, -cx}, {0, 1, -cy}})
		case "skewX":
			t = canvas.Matrix{{1, math.Tan(arg(0, 0) * math.Pi / 180), 0}, {0, 1, 0}}
		case "skewY":
			t = canvas.Matrix{{1, 0, 0}, {math.Tan(arg(0, 0) * math.Pi / 180), 1, 0}}
		default:
			continue
		}
		m = m.Mul(t)
	}
}

// parseNumbers reads numbers separated by commas and/or spaces.
func parseNumbers(s string) []float64 {
	var out []float64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		out = append(out, v)
	}
	return out
}

func parseFloatDef(s string, def float64) float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return def
	}
	return v
}

func sum(v []float64) float64 {
	t := 0.0
	for _, x := range v {
		t += x
	}
	return t
}

var namedColors = map[string]color.RGBA{
	"black": {0, 0, 0, 255}, "white": {255, 255, 255, 255}, "red": {255, 0, 0, 255},
	"green": {0, 128, 0, 255}, "blue": {0, 0, 255, 255}, "gray": {128, 128, 128, 255},
	"grey": {128, 128, 128, 255}, "silver": {192, 192, 192, 255}, "orange": {255, 165, 0, 255},
	"yellow": {255, 255, 0, 255}, "transparent": {0, 0, 0, 0},
}

// parseColor parses a CSS colour into a non-premultiplied RGBA (A is the
// colour's own alpha). ok is false for "none" and anything unknown.
func parseColor(s string) (color.RGBA, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if c, ok := namedColors[s]; ok {
		return c, true
	}
	if strings.HasPrefix(s, "rgb") {
		hex, a, ok := parseRGBFunc(s)
		if !ok {
			return color.RGBA{}, false
		}
		c, _ := parseColor(hex)
		c.A = uint8(math.Round(a * 255))
		return c, true
	}
	if !strings.HasPrefix(s, "#") {
		return color.RGBA{}, false
	}
	h := s[1:]
	if len(h) == 3 || len(h) == 4 {
		var b strings.Builder
		for _, r := range h {
			b.WriteRune(r)
			b.WriteRune(r)
		}
		h = b.String()
	}
	if len(h) != 6 && len(h) != 8 {
		return color.RGBA{}, false
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return color.RGBA{}, false
	}
	if len(h) == 6 {
		return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}, true
	}
	return color.RGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}, true
}

// withAlpha returns c (non-premultiplied, with its own alpha) times alpha,
// premultiplied as canvas wants it.
func withAlpha(c color.RGBA, alpha float64) color.RGBA {
	a := float64(c.A) / 255 * clamp(alpha, 0, 1)
	return color.RGBA{
		uint8(math.Round(float64(c.R) * a)), uint8(math.Round(float64(c.G) * a)),
		uint8(math.Round(float64(c.B) * a)), uint8(math.Round(255 * a)),
	}
}

// scaleRGBA multiplies a premultiplied colour by alpha.
func scaleRGBA(c color.RGBA, alpha float64) color.RGBA {
	a := clamp(alpha, 0, 1)
	return color.RGBA{uint8(math.Round(float64(c.R) * a)), uint8(math.Round(float64(c.G) * a)), uint8(math.Round(float64(c.B) * a)), uint8(math.Round(float64(c.A) * a))}
}

// closed returns p with every subpath closed. Filling closes subpaths
// anyway, but the boolean operations treat an open one (ECharts draws
// circles as two arcs that stop just short of the start) as a line.
func closed(p *canvas.Path) *canvas.Path {
	out := &canvas.Path{}
	for _, sp := range p.Split() {
		if !sp.Closed() {
			sp.Close()
		}
		out = out.Append(sp)
	}
	return out
}
