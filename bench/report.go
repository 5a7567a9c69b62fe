package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// dist is the values of one figure over the runs.
type dist []float64

func (d dist) sorted() []float64 {
	s := append([]float64(nil), d...)
	sort.Float64s(s)
	return s
}

func (d dist) Min() float64 {
	if len(d) == 0 {
		return math.NaN()
	}
	return d.sorted()[0]
}

func (d dist) Max() float64 {
	if len(d) == 0 {
		return math.NaN()
	}
	s := d.sorted()
	return s[len(s)-1]
}

func (d dist) Median() float64 {
	if len(d) == 0 {
		return math.NaN()
	}
	s := d.sorted()
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// mmm formats min / median / max with a number format.
func (d dist) mmm(f func(float64) string) string {
	if len(d) == 0 {
		return "–"
	}
	if len(d) == 1 {
		return f(d[0]) + " (1 run)"
	}
	return f(d.Min()) + " / " + f(d.Median()) + " / " + f(d.Max())
}

// ratios divides a by b run by run (paired runs measured back to back).
func ratios(a, b dist) dist {
	var r dist
	for i := range a {
		if i < len(b) && b[i] != 0 {
			r = append(r, a[i]/b[i])
		}
	}
	return r
}

func fInt(v float64) string { return fmt.Sprintf("%.0f", v) }
func fMS(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	default:
		return fmt.Sprintf("%.2f ms", v)
	}
}
func fRatio(v float64) string { return fmt.Sprintf("%.2f×", v) }
func fSec(v float64) string   { return fmt.Sprintf("%.2f s", v) }
func fMiB(kib float64) string { return fmt.Sprintf("%.1f MiB", kib/1024) }
func fKiB(v float64) string   { return fmt.Sprintf("%.1f KiB", v/1024) }

// target is one goal from the issue and whether this run met it.
type target struct {
	Goal, Got string
	Met       bool
	Miss      string // by how much, when missed
}

// report accumulates BENCHMARKS.md.
type report struct {
	sections map[string]*strings.Builder
	targets  []target
	notes    []string
}

func newReport() *report { return &report{sections: map[string]*strings.Builder{}} }

func (r *report) sec(name string) *strings.Builder {
	if r.sections[name] == nil {
		r.sections[name] = &strings.Builder{}
	}
	return r.sections[name]
}

func (r *report) printf(sec, format string, args ...any) {
	fmt.Fprintf(r.sec(sec), format, args...)
}

func (r *report) target(t target) { r.targets = append(r.targets, t) }

// table writes a Markdown table.
func table(b *strings.Builder, head []string, rows [][]string) {
	b.WriteString("| " + strings.Join(head, " | ") + " |\n")
	seps := make([]string, len(head))
	for i := range seps {
		seps[i] = "---"
	}
	b.WriteString("| " + strings.Join(seps, " | ") + " |\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	b.WriteString("\n")
}

// fence writes a fenced code block.
func fence(b *strings.Builder, lang, text string) {
	b.WriteString("```" + lang + "\n")
	b.WriteString(strings.TrimRight(text, "\n") + "\n")
	b.WriteString("```\n\n")
}

// runs says "1 run" or "N runs".
func runs(n int) string {
	if n == 1 {
		return "1 run"
	}
	return fmt.Sprintf("%d runs", n)
}
