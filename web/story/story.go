// Package story renders the dashboard's narrative: the Text sheet's
// blocks, Markdown with figure references bound to the data. Markdown is
// parsed by goldmark with raw HTML off; figure references are read by
// stats.ParseRefs, never by text/template, and each is rendered with its
// unit, format and citation as the page's "fig" template does.
package story

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/charts"
)

// Figure is one sourced number quoted in the narrative.
type Figure struct {
	OK        bool
	Key       string
	Value     float64
	Unit      string
	Qualifier string
	Year      int
	Source    stats.Source
	Cite      int // the source's number in the page's source list
	// Status is the observation's status (official, preliminary, ...);
	// empty for a fact.
	Status string
}

// Preliminary reports whether the figure is official but subject to
// revision.
func (f Figure) Preliminary() bool { return f.Status == stats.StatusPreliminary }

// Text is the figure in words, e.g. "more than $170 billion".
func (f Figure) Text() string { return charts.Quantity(f.Value, f.Unit, f.Qualifier) }

// Abs returns the figure with its sign dropped.
func (f Figure) Abs() Figure {
	f.Value = math.Abs(f.Value)
	return f
}

// HTML is the figure as the page shows it: the number and its citation.
func (f Figure) HTML() string {
	if !f.OK {
		return `<span class="num missing" title="` + template.HTMLEscapeString(f.Key) + `">(figure not available)</span>`
	}
	return `<span class="num">` + template.HTMLEscapeString(f.Text()) + `</span><sup class="cite"><a href="#src-` +
		template.HTMLEscapeString(f.Source.ID) + `" title="Source: ` + template.HTMLEscapeString(f.Source.Organisation) + `">[` +
		strconv.Itoa(f.Cite) + `]</a></sup>`
}

// Citer numbers sources in order of first citation.
type Citer interface {
	// Cite returns the source and its number; ok is false for an unknown id.
	Cite(id string) (src stats.Source, n int, ok bool)
}

// Resolve turns a value, latest or fact reference into a figure, citing
// its source.
func Resolve(d *stats.Dataset, r *stats.Ref, c Citer) Figure {
	o, f, ok := d.Resolve(r)
	switch r.Kind {
	case stats.RefFact:
		if !ok {
			return Figure{Key: r.Key}
		}
		src, n, _ := c.Cite(f.Source)
		return Figure{OK: true, Key: r.Key, Value: f.Value, Unit: f.Unit, Qualifier: f.Qualifier, Year: f.Year, Source: src, Cite: n}
	case stats.RefValue, stats.RefLatest:
		key := fmt.Sprintf("%s %d", r.Series, r.Year)
		if r.Year == 0 {
			key = r.Series + " (latest)"
		}
		s, sok := d.SeriesByID(r.Series)
		if !ok || !sok || o.IsGap() {
			return Figure{Key: key}
		}
		src, n, _ := c.Cite(o.Source)
		fig := Figure{OK: true, Key: fmt.Sprintf("%s %d", r.Series, o.Year), Value: o.Value, Unit: s.Unit, Year: o.Year, Source: src, Cite: n, Status: o.State()}
		if r.Abs {
			fig = fig.Abs()
		}
		return fig
	}
	return Figure{Key: r.Text}
}

// refHTML renders one reference.
func refHTML(d *stats.Dataset, r *stats.Ref, c Citer) string {
	switch r.Kind {
	case stats.RefPreliminary:
		if o, _, ok := d.Resolve(r); ok && o.State() == stats.StatusPreliminary {
			return " " + template.HTMLEscapeString(r.Pos)
		}
		return ""
	case stats.RefYear, stats.RefWord:
		o, _, ok := d.Resolve(r)
		if !ok {
			return `<span class="num missing" title="` + template.HTMLEscapeString(r.Series) + `">(figure not available)</span>`
		}
		if r.Kind == stats.RefYear {
			return strconv.Itoa(o.Year)
		}
		if o.Value < 0 {
			return template.HTMLEscapeString(r.Neg)
		}
		return template.HTMLEscapeString(r.Pos)
	case stats.RefSource:
		src, n, ok := c.Cite(r.Key)
		if !ok {
			return `<span class="missing">(source not available)</span>`
		}
		return `<a href="#src-` + template.HTMLEscapeString(src.ID) + `">` + template.HTMLEscapeString(src.Organisation) +
			`</a><sup class="cite"><a href="#src-` + template.HTMLEscapeString(src.ID) + `">[` + strconv.Itoa(n) + `]</a></sup>`
	}
	return Resolve(d, r, c).HTML()
}

// placeholder marks where a reference goes in the Markdown before it is
// rendered: letters and digits only, so Markdown leaves it alone.
func placeholder(i int) string { return "zqREFzq" + strconv.Itoa(i) + "zq" }

var md = goldmark.New(
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(linkFilter{}, 100))),
	// No goldmark/renderer/html.WithUnsafe: raw HTML is never passed
	// through (validation refuses it first), and links with dangerous
	// schemes are dropped.
)

// linkFilter keeps only http(s) links: any other link becomes its text.
type linkFilter struct{}

func (linkFilter) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var drop []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var dest []byte
		switch l := n.(type) {
		case *ast.Link:
			dest = l.Destination
		case *ast.AutoLink:
			if l.AutoLinkType != ast.AutoLinkURL {
				drop = append(drop, n)
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		case *ast.Image, *ast.RawHTML, *ast.HTMLBlock:
			drop = append(drop, n)
			return ast.WalkSkipChildren, nil
		default:
			return ast.WalkContinue, nil
		}
		u := strings.ToLower(string(dest))
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			drop = append(drop, n)
		}
		return ast.WalkContinue, nil
	})
	for _, n := range drop {
		p := n.Parent()
		if p == nil {
			continue
		}
		if l, ok := n.(*ast.Link); ok {
			for c := l.FirstChild(); c != nil; {
				next := c.NextSibling()
				p.InsertBefore(p, n, c)
				c = next
			}
		}
		p.RemoveChild(p, n)
	}
}

// Render renders Markdown text with its figure references as HTML. A
// malformed reference is shown as missing; validation refuses such text
// before it is published.
func Render(d *stats.Dataset, body string, c Citer) template.HTML {
	src, refs := substitute(body)
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return template.HTML("<p>" + template.HTMLEscapeString(body) + "</p>")
	}
	return template.HTML(fill(buf.String(), d, refs, c))
}

// Inline renders a one-line text (a heading) with its figure references,
// without Markdown.
func Inline(d *stats.Dataset, s string, c Citer) template.HTML {
	src, refs := substitute(s)
	return template.HTML(fill(template.HTMLEscapeString(src), d, refs, c))
}

// substitute replaces each reference by a placeholder.
func substitute(s string) (string, []*stats.Ref) {
	segs, err := stats.ParseRefs(s)
	if err != nil {
		return s, nil
	}
	var b strings.Builder
	var refs []*stats.Ref
	for _, sg := range segs {
		if sg.Ref == nil {
			b.WriteString(sg.Text)
			continue
		}
		b.WriteString(placeholder(len(refs)))
		refs = append(refs, sg.Ref)
	}
	return b.String(), refs
}

// fill puts the rendered references in place of their placeholders, in
// reading order so that sources are numbered as they are read.
func fill(h string, d *stats.Dataset, refs []*stats.Ref, c Citer) string {
	type at struct{ pos, ref int }
	var order []at
	for i := range refs {
		if p := strings.Index(h, placeholder(i)); p >= 0 {
			order = append(order, at{p, i})
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i].pos < order[j].pos })
	rendered := make([]string, len(refs))
	for _, o := range order {
		// A reference inside a tag (a link's address) would put markup
		// in an attribute: it is dropped; validation refuses it.
		if strings.LastIndex(h[:o.pos], "<") > strings.LastIndex(h[:o.pos], ">") {
			continue
		}
		rendered[o.ref] = refHTML(d, refs[o.ref], c)
	}
	for i := len(refs) - 1; i >= 0; i-- {
		h = strings.ReplaceAll(h, placeholder(i), rendered[i])
	}
	return h
}
