package chartimage

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bilateral/bilateral/stats"
)

// Caption is the text around a chart in an image: it makes the image stand
// alone in a report. All of it is data: it is escaped into the SVG and
// never interpreted.
type Caption struct {
	Title    string
	Subtitle string   // units and basis
	Sources  []string // one line each in the page; joined with "; " here
	// Note explains what the chart cannot show by itself: which blank
	// years have no published figure, what hollow marks mean. Shown
	// above the sources.
	Note string
	AsOf string // date of the data, e.g. "2024-05-31"; shown as "Data as of …"
	URL  string // where the chart lives on the dashboard
}

// MaxCaptionSources is how many source organisations a caption names;
// the rest are counted and left to the chart's page.
const MaxCaptionSources = 4

// NewCaption is the caption of a chart's image: title, units, the first
// source organisations (the rest are on the chart's page), the date of
// the data and the chart's address (none when chartURL is empty). The
// server and `bilateral render` both build captions here, so their images
// match.
func NewCaption(title, subtitle string, organisations []string, asOf time.Time, chartURL string) Caption {
	var sources []string
	for i, org := range organisations {
		if i == MaxCaptionSources && len(organisations) > MaxCaptionSources+1 {
			sources = append(sources, fmt.Sprintf("and %d more listed on the chart's page", len(organisations)-MaxCaptionSources))
			break
		}
		sources = append(sources, stats.StripBidi(org))
	}
	// Directional controls would reverse the rest of a line, our own
	// words included; data is stripped of them on upload, and so is every
	// caption, whatever built it.
	return Caption{Title: stats.StripBidi(title), Subtitle: stats.StripBidi(subtitle), Sources: sources,
		AsOf: asOf.Format("2 January 2006"), URL: stats.StripBidi(chartURL)}
}

// Caption colours and font: those of the page's light theme.
const (
	colorText  = "#1b1d1f"
	colorMuted = "#52575d"
	colorBG    = "#ffffff"
	// fontFamily is the theme's font stack (web/assets/js/theme.js).
	fontFamily = "Pretendard, 'Apple SD Gothic Neo', 'Noto Sans KR', 'Malgun Gothic', system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
)

// layout is where the caption's lines and the chart go in an image.
type layout struct {
	w, h float64
	// The chart area, in CSS pixels.
	chartX, chartY, chartW, chartH float64
	lines                          []captionLine
}

// captionLine is one line of caption text at an alphabetic baseline.
type captionLine struct {
	text   string
	x, y   float64
	size   float64
	weight int
	color  string
	anchor string // "start" or "end"
}

// lineHeight is the caption's line spacing, in font sizes.
const lineHeight = 1.3

// layoutCaption places title and subtitle above the chart and the sources,
// date and address below it. Sizes follow the image width, so a narrow
// image is not all caption. When the caption would leave the chart less
// than half the height, long parts get fewer lines (with an ellipsis).
func layoutCaption(c Caption, o Options, fs *fonts) layout {
	w, h := float64(o.Width), float64(o.Height)
	if o.Bare {
		return layout{w: w, h: h, chartW: w, chartH: h}
	}
	k := w / DefaultWidth
	pad := clamp(math.Round(24*k), 12, 32)
	titleSize := clamp(math.Round(22*k), 16, 30)
	subSize := clamp(math.Round(15*k), 12, 20)
	footSize := clamp(math.Round(12*k), 10, 16)
	textW := w - 2*pad

	sources := strings.Join(nonEmpty(c.Sources), "; ")
	if sources != "" {
		if len(nonEmpty(c.Sources)) > 1 {
			sources = "Sources: " + sources
		} else {
			sources = "Source: " + sources
		}
	}
	var asOf string
	if s := strings.TrimSpace(c.AsOf); s != "" {
		asOf = "Data as of " + s
	}
	url := strings.TrimSpace(c.URL)

	note := strings.TrimSpace(c.Note)
	noteLines := 3
	maxLines := [3]int{2, 2, 3} // title, subtitle, sources
	var l layout
	for {
		l = layout{w: w, h: h}
		y := pad
		add := func(text string, size float64, weight int, color string, max int) {
			for _, line := range wrap(text, fs.pick(weight), size, textW, max) {
				y += size * lineHeight
				l.lines = append(l.lines, captionLine{text: line, x: pad, y: y - fs.regular.belowBaseline(size), size: size, weight: weight, color: color, anchor: "start"})
			}
		}
		add(c.Title, titleSize, 700, colorText, maxLines[0])
		if c.Subtitle != "" {
			y += 2 * k
			add(c.Subtitle, subSize, 400, colorMuted, maxLines[1])
		}
		header := y
		if len(l.lines) > 0 {
			header += clamp(math.Round(12*k), 6, 16)
		}

		// The footer, laid out from the bottom up.
		var foot []captionLine
		fy := h - pad
		footLine := func(text string, anchor string) captionLine {
			x := pad
			if anchor == "end" {
				x = w - pad
			}
			return captionLine{text: text, x: x, size: footSize, weight: 400, color: colorMuted, anchor: anchor}
		}
		var last []captionLine
		reg := fs.regular
		switch {
		case asOf != "" && url != "" && reg.width(asOf, footSize)+reg.width(url, footSize)+3*footSize <= textW:
			last = []captionLine{footLine(asOf, "start"), footLine(url, "end")}
		default:
			for _, s := range []string{asOf, url} {
				for _, line := range wrap(s, reg, footSize, textW, 2) {
					last = append(last, footLine(line, "start"))
				}
			}
		}
		srcLines := wrap(sources, reg, footSize, textW, maxLines[2])
		var rows [][]captionLine
		for _, s := range wrap(note, reg, footSize, textW, noteLines) {
			rows = append(rows, []captionLine{footLine(s, "start")})
		}
		for _, s := range srcLines {
			rows = append(rows, []captionLine{footLine(s, "start")})
		}
		if len(last) == 2 && last[1].anchor == "end" {
			rows = append(rows, last)
		} else {
			for _, cl := range last {
				rows = append(rows, []captionLine{cl})
			}
		}
		for i := len(rows) - 1; i >= 0; i-- {
			for _, cl := range rows[i] {
				cl.y = fy - reg.belowBaseline(footSize)
				foot = append(foot, cl)
			}
			fy -= footSize * lineHeight
		}
		footer := fy
		if len(rows) > 0 {
			footer -= clamp(math.Round(10*k), 6, 16)
		}
		l.lines = append(l.lines, foot...)
		l.chartX, l.chartY, l.chartW, l.chartH = pad, math.Round(header), textW, math.Floor(footer-math.Round(header))
		if l.chartH >= h/2 || (maxLines == [3]int{1, 1, 1}) {
			break
		}
		// Shorten the longest parts first: the note, sources, then
		// subtitle, then title.
		switch {
		case noteLines > 1:
			noteLines--
		case maxLines[2] > 1:
			maxLines[2]--
		case maxLines[1] > 1:
			maxLines[1]--
		default:
			maxLines[0]--
		}
	}
	return l
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// wrap breaks s into at most max lines of width w at spaces (or anywhere in
// a word longer than a line); what does not fit ends in an ellipsis.
func wrap(s string, f *face, size, w float64, max int) []string {
	words := strings.Fields(s)
	if len(words) == 0 || max <= 0 {
		return nil
	}
	var lines []string
	cur := ""
	for i := 0; i < len(words); {
		try := words[i]
		if cur != "" {
			try = cur + " " + words[i]
		}
		if f.width(try, size) <= w {
			cur = try
			i++
			continue
		}
		if cur == "" {
			// A word longer than a line: break it where it stops fitting.
			head := fitPrefix(words[i], f, size, w)
			cur = head
			if words[i] = words[i][len(head):]; words[i] == "" {
				i++
			}
		}
		lines = append(lines, cur)
		cur = ""
		if len(lines) == max {
			if i < len(words) {
				lines[max-1] = ellipsize(lines[max-1]+" "+strings.Join(words[i:], " "), f, size, w)
			}
			return lines
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// fitPrefix is the longest prefix of s (at least one letter) that fits w.
func fitPrefix(s string, f *face, size, w float64) string {
	end := 0
	for i := range s {
		if i > 0 && f.width(s[:i], size) > w {
			break
		}
		end = i
	}
	if f.width(s, size) <= w {
		return s
	}
	if end == 0 {
		_, n := utf8.DecodeRuneInString(s)
		return s[:n]
	}
	return s[:end]
}

// ellipsize cuts s to fit w with a trailing "…" (binary search on the
// number of letters kept: widths grow with the prefix).
func ellipsize(s string, f *face, size, w float64) string {
	if f.width(s, size) <= w {
		return s
	}
	rs := []rune(s)
	cut := func(n int) string { return strings.TrimRight(string(rs[:n]), " ;,") + "…" }
	lo, hi := 0, len(rs)-1 // cut(lo) fits (or lo is 0), cut(hi+1) does not
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if f.width(cut(mid), size) <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return "…"
	}
	return cut(lo)
}

// belowBaseline is the distance from the alphabetic baseline to the bottom
// of a caption line box: the descent plus half the leading, as in CSS.
func (f *face) belowBaseline(size float64) float64 {
	return f.descent*size + (lineHeight-(f.ascent+f.descent))*size/2
}
