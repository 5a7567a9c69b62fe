package chartimage

import (
	"context"
	"fmt"
	"math"
)

// Table is a chart shown as a table (a chart of kind table): a header row
// and rows of text, the first column a label (the year) and the others
// values, right-aligned.
type Table struct {
	Header []string
	Rows   [][]string
	// More names what the rows left out would be, "earlier years", for the
	// line that says how many did not fit.
	More string
}

// Colours of a table drawn on the page's dark theme (transparent or bare
// images only: a captioned image has a light background).
const (
	colorTextDark  = "#e8eaed"
	colorMutedDark = "#aab0b6"
	colorRule      = "#d0d4d8"
	colorRuleDark  = "#464b51"
)

// RenderTable draws a table with its caption, in the format and size of
// o, as Render draws a chart: the table takes the chart's area. Rows that
// do not fit are left out from the end, and a last line says how many.
func (r *Renderer) RenderTable(ctx context.Context, t Table, c Caption, o Options) ([]byte, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l := layoutCaption(c, o, r.fonts)
	return r.encode(frame(l, c, o, r.tableNodes(t, l.chartW, l.chartH, o)), c, o)
}

// tableNodes lays the table out in a w×h area: a font size that follows
// the image's width, shrunk until the columns fit across; as many rows as
// fit down.
func (r *Renderer) tableNodes(t Table, w, h float64, o Options) []*node {
	text, muted, rule := colorText, colorMuted, colorRule
	if o.Dark && (o.Transparent || o.Bare) {
		text, muted, rule = colorTextDark, colorMutedDark, colorRuleDark
	}
	cols := len(t.Header)
	for _, row := range t.Rows {
		cols = max(cols, len(row))
	}
	if cols == 0 || w <= 0 || h <= 0 {
		return nil
	}
	cell := func(row []string, i int) string {
		if i < len(row) {
			return row[i]
		}
		return ""
	}
	const (
		gapEm       = 1.5 // space between columns, in font sizes
		headerLines = 3   // a header wraps to at most this many lines
	)
	size := clamp(math.Round(14*float64(o.Width)/DefaultWidth), 10, 18)
	widths := make([]float64, cols)
	body := make([]float64, cols) // widest value of each column
	measure := func(size float64) (total, bodyTotal float64) {
		for i := range widths {
			body[i] = 0
			for _, row := range t.Rows {
				body[i] = math.Max(body[i], r.fonts.regular.width(cell(row, i), size))
			}
			widths[i] = math.Max(body[i], r.fonts.bold.width(cell(t.Header, i), size))
			total += widths[i]
			bodyTotal += body[i]
		}
		gaps := gapEm * size * float64(cols-1)
		return total + gaps, bodyTotal + gaps
	}
	// The largest size (down to 10px) at which the table fits on one line
	// a column; failing that, headers wrap over the values' widths.
	for size > 10 {
		if total, _ := measure(size); total <= w {
			break
		}
		size--
	}
	if total, bodyTotal := measure(size); total > w {
		if bodyTotal <= w {
			// Headers wider than their values share the room left over.
			spare := w - bodyTotal
			for spare > 0.5 {
				var wide []int
				for i := range widths {
					if hw := r.fonts.bold.width(cell(t.Header, i), size); hw > body[i]+0.5 {
						wide = append(wide, i)
					}
				}
				if len(wide) == 0 {
					break
				}
				share := spare / float64(len(wide))
				for _, i := range wide {
					hw := r.fonts.bold.width(cell(t.Header, i), size)
					add := math.Min(share, hw-body[i])
					body[i] += add
					spare -= add
				}
			}
			copy(widths, body)
		} else {
			// Still too wide: the columns after the first share the
			// room, and their text is cut with an ellipsis.
			copy(widths, body)
			rest := (w - widths[0] - gapEm*size*float64(cols-1)) / float64(max(cols-1, 1))
			for i := 1; i < cols; i++ {
				widths[i] = math.Max(0, math.Min(widths[i], rest))
			}
		}
	}
	header := make([][]string, cols)
	lines := 1
	for i := range header {
		header[i] = wrap(cell(t.Header, i), r.fonts.bold, size, math.Max(widths[i], size), headerLines)
		lines = max(lines, len(header[i]))
	}
	rowH := math.Round(size * 1.7)
	headH := rowH + float64(lines-1)*math.Round(size*lineHeight)
	tableW := gapEm * size * float64(cols-1)
	for _, cw := range widths {
		tableW += cw
	}
	var out []*node
	line := func(y float64) {
		out = append(out, el("rect", "x", "0", "y", fmtNum(y), "width", fmtNum(math.Min(w, tableW)), "height", "1", "fill", rule))
	}
	put := func(s string, i int, y float64, weight int, color string) {
		f := r.fonts.pick(weight)
		x := 0.0
		for j := 0; j < i; j++ {
			x += widths[j] + gapEm*size
		}
		s = ellipsize(s, f, size, math.Max(widths[i], size))
		n := el("text", "y", fmtNum(y), "font-family", fontFamily, "font-size", fmtNum(size), "fill", color)
		if i > 0 {
			n.set("x", fmtNum(x+widths[i]))
			n.set("text-anchor", "end")
		} else {
			n.set("x", fmtNum(x))
		}
		if weight != 400 {
			n.set("font-weight", fmt.Sprint(weight))
		}
		n.text = s
		out = append(out, n)
	}
	baseline := func(top float64) float64 { return top + (rowH+size*0.7)/2 }
	// Headers sit on the rule under them, their last lines level.
	for i := range cols {
		for k, hl := range header[i] {
			put(hl, i, baseline(headH-rowH)-float64(len(header[i])-1-k)*math.Round(size*lineHeight), 700, text)
		}
	}
	y := headH
	line(y)
	fit := int((h - y - 2) / rowH)
	rows := t.Rows
	left := 0
	if len(rows) > fit {
		n := max(fit-1, 0) // one line says what was left out
		rows, left = rows[:n], len(rows)-n
	}
	for _, row := range rows {
		for i := range cols {
			put(cell(row, i), i, baseline(y), 400, text)
		}
		y += rowH
		line(y)
	}
	if left > 0 && fit > 0 {
		more := t.More
		if more == "" {
			more = "rows"
		}
		msg := fmt.Sprintf("%d %s not shown: every value is in the chart's CSV and on its page.", left, more)
		n := el("text", "x", "0", "y", fmtNum(baseline(y)), "font-family", fontFamily, "font-size", fmtNum(size), "fill", muted)
		n.text = ellipsize(msg, r.fonts.regular, size, w)
		out = append(out, n)
	}
	return out
}
