package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

const (
	fuzzBegin = "<!-- fuzz:begin (written by make fuzz) -->"
	fuzzEnd   = "<!-- fuzz:end -->"
)

// write assembles BENCHMARKS.md. The fuzz section, which make fuzz
// writes, is carried over from the existing file.
func (b *bench) write(path, loadBefore, loadAfter string, timings map[string]time.Duration, ran func(string) bool) error {
	ctx := context.Background()
	var w strings.Builder
	cpu, mem := machine()
	w.WriteString("# Benchmarks\n\n")
	w.WriteString("Written by `make bench` (`go run ./bench`); do not edit by hand, run it again. " +
		"Timing is never a pass/fail test here: the machines are shared and noisy, so each figure is min / median / max over several runs " +
		"and each comparison is a ratio against the alternative measured in the same run, the two taking turns.\n\n")
	mode := fmt.Sprintf("full: %d runs per figure", b.runs)
	if b.quick {
		mode = "**quick (BENCH_QUICK=1): each measurement once, briefly; a smoke check, not figures to quote**"
	}
	rows := [][]string{
		{"date", b.started.UTC().Format("2006-01-02 15:04 UTC")},
		{"commit", commit(ctx)},
		{"machine", fmt.Sprintf("%d cores (nproc), %s, %s memory, Linux %s", runtime.NumCPU(), cpu, mem, b.versions["kernel"])},
		{"mode", mode},
		{"load average (1, 5, 15 min) before / after", loadBefore + " / " + loadAfter},
		{"tools", fmt.Sprintf("%s; %s; nginx %s; %s, pandas %s, openpyxl %s", b.versions["go"], b.versions["wrk"], b.versions["nginx"], b.versions["python"], b.versions["pandas"], b.versions["openpyxl"])},
		{"whole run", time.Since(b.started).Round(time.Second).String() + sectionTimes(timings)},
	}
	table(&w, []string{"", ""}, rows)
	for _, n := range b.rep.notes {
		w.WriteString("> " + n + "\n\n")
	}
	w.WriteString("Reproduce everything: `make bench` (or `BENCH_QUICK=1 make bench` for a smoke check); one section: " +
		"`go run ./bench -only serve|ingest|publish|load|images|memory|micro|flood|history -o /tmp/out.md` after `make build`.\n\n")

	w.WriteString("## Targets\n\n")
	if len(b.rep.targets) == 0 {
		w.WriteString("No target was measured in this run.\n\n")
	} else {
		var tr [][]string
		for _, t := range b.rep.targets {
			status := "met"
			if !t.Met {
				status = "**missed**"
				if t.Miss != "" {
					status += ": " + t.Miss
				}
			}
			tr = append(tr, []string{t.Goal, t.Got, status})
		}
		table(&w, []string{"target", "this run", ""}, tr)
	}

	for _, s := range sectionOrder {
		fmt.Fprintf(&w, "## %s\n\n", s.title)
		switch {
		case !ran(s.key):
			w.WriteString("Not run this time (`-only`).\n\n")
			continue
		}
		w.WriteString(b.rep.sec(s.key).String())
		if s.key == "serve" && b.nginxConf != "" {
			w.WriteString("<details><summary>nginx configuration (PREFIX is a temporary directory; nginx runs as <code>nginx -p PREFIX/ -c PREFIX/nginx.conf -e PREFIX/error.log</code> in the foreground)</summary>\n\n")
			fence(&w, "nginx", b.nginxConf)
			w.WriteString("</details>\n\n")
		}
		if s.key == "serve" || s.key == "ingest" {
			if p := b.rep.sections["profile-"+s.key]; p != nil {
				w.WriteString(p.String())
			}
		}
	}
	if p := b.rep.sections["profile"]; p != nil {
		w.WriteString(p.String())
	}
	w.WriteString("## Fuzzing the workbook decoder\n\n")
	w.WriteString(fuzzSection(path))
	// make lighthouse (tools/lighthouse) keeps its own section, heading
	// included, between its markers.
	w.WriteString("\n")
	if sec, ok := carried(path, lighthouseBegin, lighthouseEnd); ok {
		w.WriteString(sec + "\n")
	} else {
		w.WriteString(lighthouseBegin + "\n## Lighthouse (mobile preset)\n\nNot run yet: `make lighthouse` writes this section.\n" + lighthouseEnd + "\n")
	}
	return os.WriteFile(path, []byte(w.String()), 0o644)
}

const (
	lighthouseBegin = "<!-- lighthouse:start -->"
	lighthouseEnd   = "<!-- lighthouse:end -->"
)

// carried returns the part of the existing report from begin to end,
// markers included, which another tool writes.
func carried(path, begin, end string) (string, bool) {
	old, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	s := string(old)
	i := strings.Index(s, begin)
	if i < 0 {
		return "", false
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		return "", false
	}
	return s[i : i+j+len(end)], true
}

func sectionTimes(t map[string]time.Duration) string {
	if len(t) == 0 {
		return ""
	}
	var keys []string
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %s", k, t[k].Round(time.Second)))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// fuzzSection returns the fuzz section of an existing report, markers
// included, or a placeholder.
func fuzzSection(path string) string {
	if sec, ok := carried(path, fuzzBegin, fuzzEnd); ok {
		return sec + "\n"
	}
	return fuzzBegin + "\nNot run yet: `make fuzz` (FUZZTIME=60s per target by default) writes this section.\n" + fuzzEnd + "\n"
}
