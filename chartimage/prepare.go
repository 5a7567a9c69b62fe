package chartimage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Legend geometry of ECharts (legend defaults and the 'bilateral' theme):
// icon 25 wide, 5 between icon and text, items and rows 8 apart, 5 of
// padding, text 13px.
const (
	legendIconWidth = 25
	legendIconGap   = 5
	legendItemGap   = 8
	legendPadding   = 5
	legendRowHeight = 14
	legendFontSize  = 13
)

// prepareOption turns the dashboard's option into the option of a still
// image of a chart area w×h CSS pixels:
//   - animation off: the first frame must be the final one;
//   - no tooltip and no dataZoom: nothing to hover or drag in an image, and
//     every year is shown (the slider's strip is given back to the grid);
//   - a plain legend instead of a scrolling one, so that every series is
//     named even when the legend needs two rows (the grid moves down by
//     the rows added), unless the rows would take more than a third of
//     the chart's height (a small image): then the legend keeps scrolling;
//   - a transparent background: the caption layout draws its own.
//
// Numbers pass through as json.Number, so values are not re-rounded.
func prepareOption(option []byte, fs *fonts, w, h float64) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(option))
	d.UseNumber()
	var o map[string]any
	if err := d.Decode(&o); err != nil {
		return nil, fmt.Errorf("option: %w", err)
	}
	if o == nil {
		return nil, fmt.Errorf("option: not a JSON object")
	}
	o["animation"] = false
	delete(o, "tooltip")
	delete(o, "axisPointer")
	delete(o, "toolbox")
	o["backgroundColor"] = "transparent"

	// The slider's strip: what it took from the bottom of the grid.
	freed := 0.0
	for _, z := range asList(o["dataZoom"]) {
		if m, ok := z.(map[string]any); ok && m["type"] == "slider" {
			freed = math.Max(freed, num(m["bottom"], 0)+num(m["height"], 30)+20)
		}
	}
	delete(o, "dataZoom")

	extraTop := 0.0
	if legends := asList(o["legend"]); len(legends) > 0 {
		names := seriesNames(o)
		for i, l := range legends {
			m, ok := l.(map[string]any)
			if !ok {
				continue
			}
			if i != 0 || m["show"] == false || m["type"] != "scroll" {
				continue
			}
			rows := legendRows(names, fs, w-num(m["left"], 0)-num(m["right"], 0))
			if extra := float64(rows-1) * (legendRowHeight + legendItemGap); extra <= h/3 {
				m["type"] = "plain"
				extraTop = extra
			}
		}
	}
	for _, g := range asList(o["grid"]) {
		m, ok := g.(map[string]any)
		if !ok {
			continue
		}
		if freed > 0 {
			if b, ok := pxValue(m["bottom"]); ok {
				m["bottom"] = math.Max(8, b-freed)
			}
		}
		if extraTop > 0 {
			if t, ok := pxValue(m["top"]); ok {
				m["top"] = t + extraTop
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(o); err != nil {
		return nil, fmt.Errorf("option: %w", err)
	}
	return buf.Bytes(), nil
}

// legendRows is how many rows a plain horizontal legend of these names
// takes in width w, laid out as ECharts' box layout does.
func legendRows(names []string, fs *fonts, w float64) int {
	avail := w - 2*legendPadding
	rows, x := 1, 0.0
	for i, n := range names {
		iw := legendIconWidth + legendIconGap + fs.regular.width(n, legendFontSize)
		if i > 0 && x+iw > avail {
			rows++
			x = 0
		}
		x += iw + legendItemGap
	}
	return rows
}

func seriesNames(o map[string]any) []string {
	var names []string
	seen := map[string]bool{}
	for _, s := range asList(o["series"]) {
		m, ok := s.(map[string]any)
		if !ok {
			continue
		}
		n, _ := m["name"].(string)
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return names
}

func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

// pxValue reads an ECharts position given in pixels (a number or a numeric
// string); percentages and keywords are left alone.
func pxValue(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(x), "px"), 64)
		return f, err == nil
	}
	return 0, false
}

func num(v any, def float64) float64 {
	if f, ok := pxValue(v); ok {
		return f
	}
	return def
}
