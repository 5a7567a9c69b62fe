package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// benchPackages lists the packages whose tests hold Go benchmarks, bench
// itself excepted (its benchmarks are for profiles).
func benchPackages(root string) ([]string, error) {
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "testdata", "tools", "bench", "bin":
				if path != root {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if regexp.MustCompile(`(?m)^func Benchmark\w*\(`).Match(b) {
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			seen["./"+filepath.ToSlash(rel)] = true
		}
		return nil
	})
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, err
}

// measureMicro is section 7: the project's go test benchmarks, raw and
// through benchstat.
func (b *bench) measureMicro(ctx context.Context) error {
	const sec = "micro"
	pkgs, err := benchPackages(b.root)
	if err != nil {
		return err
	}
	if len(pkgs) == 0 {
		b.rep.printf(sec, "No package has Go benchmarks.\n\n")
		return nil
	}
	count := pick(b.quick, "1", "5")
	args := []string{"go", "test", "-run", "^$", "-bench", ".", "-benchmem", "-count", count}
	if b.quick {
		args = append(args, "-benchtime", "1x")
	}
	w := b.rep.sec(sec)
	var all strings.Builder
	var failed []string
	// One package at a time, so that a package that does not build (the
	// tree is being edited) costs only its own figures.
	for _, p := range pkgs {
		b.progress("micro: %s", p)
		out, err := runCmd(ctx, append(args, p)...)
		all.Write(out)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %s", p, lastLines(err.Error(), 8)))
		}
	}
	raw := filepath.Join(b.tmp, "go-test-bench.txt")
	if err := os.WriteFile(raw, []byte(all.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(w, "`%s PKG` for each package with benchmarks (%s), one package at a time. Raw output, "+
		"benchstat-ready (save it to a file and run `go run golang.org/x/perf/cmd/benchstat@latest FILE`, or compare two such files):\n\n",
		shellQuote(args), strings.Join(pkgs, ", "))
	fence(w, "", benchOutput(all.String()))
	for _, f := range failed {
		fmt.Fprintf(w, "**Failed:** %s\n\n", strings.ReplaceAll(f, "\n", " "))
	}
	b.progress("micro: benchstat")
	bctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	// benchstat wants 6 samples for a 95% interval; -count 5 gives 90%.
	bsArgs := []string{"go", "run", "golang.org/x/perf/cmd/benchstat@latest", "-confidence", "0.9", filepath.Base(raw)}
	cmd := exec.CommandContext(bctx, bsArgs[0], bsArgs[1:]...)
	cmd.Dir = b.tmp
	var stderr strings.Builder
	cmd.Stderr = &stderr
	bs, err := cmd.Output()
	if err != nil {
		fmt.Fprintf(w, "benchstat could not be run (`go run golang.org/x/perf/cmd/benchstat@latest`): %v %s\n\n", err, truncate(lastLines(stderr.String(), 3), 400))
	} else {
		fmt.Fprintf(w, "benchstat summary (`%s`, the raw output above saved as %s):\n\n", shellQuote(bsArgs), filepath.Base(raw))
		fence(w, "", string(bs))
	}
	if len(failed) > 0 {
		return fmt.Errorf("go test -bench failed for %d package(s)", len(failed))
	}
	return nil
}

// benchOutput keeps the lines benchstat reads, plus the package verdicts.
func benchOutput(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		for _, p := range []string{"goos:", "goarch:", "pkg:", "cpu:", "Benchmark", "PASS", "FAIL", "ok ", "--- "} {
			if strings.HasPrefix(l, p) {
				keep = append(keep, l)
				break
			}
		}
	}
	return strings.Join(keep, "\n")
}

var (
	reFuzzExecs = regexp.MustCompile(`fuzz: elapsed: (\S+), execs: (\d+) \((\d+)/sec\), new interesting: (\d+) \(total: (\d+)\)`)
	reFuzzFile  = regexp.MustCompile(`Failing input written to (\S+)`)
)

// cmdFuzz is `go run ./bench fuzz`: run each fuzz target of the workbook
// decoder for FUZZTIME and write the fuzz section of BENCHMARKS.md.
func cmdFuzz(args []string) error {
	fset := flag.NewFlagSet("fuzz", flag.ContinueOnError)
	def := os.Getenv("FUZZTIME")
	if def == "" {
		def = "60s"
	}
	fuzztime := fset.String("fuzztime", def, "how long to fuzz each target (go test -fuzztime); also FUZZTIME")
	defMin := os.Getenv("FUZZMINIMIZETIME")
	if defMin == "" {
		defMin = "0s"
	}
	// go test's default of 60 s minimizes each new interesting input for
	// up to a minute, during which no execution is counted: with a decoder
	// at about 100 inputs a second, FuzzDecodeSheet spent nearly all of a
	// one-minute run minimizing. 0s keeps every input as found (a failing
	// input is still saved, just not shrunk).
	minimize := fset.String("fuzzminimizetime", defMin, "time to minimize each new input (go test -fuzzminimizetime); also FUZZMINIMIZETIME")
	pkg := fset.String("pkg", "./datasets/xlsx", "package whose fuzz targets to run")
	out := fset.String("o", "BENCHMARKS.md", "report whose fuzz section to rewrite")
	if err := fset.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	list, err := runCmd(ctx, "go", "test", "-list", "^Fuzz", *pkg)
	if err != nil {
		return err
	}
	var targets []string
	for _, l := range strings.Split(string(list), "\n") {
		if strings.HasPrefix(l, "Fuzz") {
			targets = append(targets, strings.TrimSpace(l))
		}
	}
	if len(targets) == 0 {
		return fmt.Errorf("%s has no fuzz targets", *pkg)
	}
	started := time.Now()
	var rows [][]string
	var findings []string
	for _, t := range targets {
		fmt.Fprintf(os.Stderr, "fuzz: %s for %s\n", t, *fuzztime)
		args := []string{"go", "test", "-run", "^$", "-fuzz", "^" + t + "$", "-fuzztime", *fuzztime, "-fuzzminimizetime", *minimize, *pkg}
		o, err := runCmd(ctx, args...)
		text := string(o)
		execs, rate, interesting, corpus, elapsed := "?", "?", "?", "?", "?"
		if m := reFuzzExecs.FindAllStringSubmatch(text, -1); len(m) > 0 {
			last := m[len(m)-1]
			elapsed, execs, interesting, corpus = last[1], last[2], last[4], last[5]
			// The progress line's own rate covers only its last 3 s.
			if d, err := time.ParseDuration(elapsed); err == nil && d > 0 {
				var n float64
				fmt.Sscan(execs, &n)
				rate = fmt.Sprintf("%.0f", n/d.Seconds())
			}
		}
		result := "no failure"
		if err != nil {
			result = "**FAILED**"
			detail := lastLines(text, 30)
			if m := reFuzzFile.FindStringSubmatch(text); m != nil {
				result += ": input saved in " + filepath.ToSlash(filepath.Join(*pkg, m[1]))
			}
			findings = append(findings, fmt.Sprintf("%s:\n\n```\n%s\n```\n", t, detail))
		}
		rows = append(rows, []string{t, *fuzztime, elapsed, execs, rate, interesting + " (corpus " + corpus + ")", result, "`" + shellQuote(args) + "`"})
	}
	var w strings.Builder
	w.WriteString(fuzzBegin + "\n")
	fmt.Fprintf(&w, "Run %s (%s in all) by `make fuzz` (`go run ./bench fuzz`, FUZZTIME=%s per target, FUZZMINIMIZETIME=%s) on commit %s; "+
		"go test -fuzz uses every core. Executions and new interesting inputs are those of go test's last progress line "+
		"(executions spent minimizing new inputs are not counted there); "+
		"a failing input is saved by go test under the package's testdata/fuzz/ for the regular tests to replay.\n\n",
		started.UTC().Format("2006-01-02 15:04 UTC"), time.Since(started).Round(time.Second), *fuzztime, *minimize, commit(ctx))
	table(&w, []string{"target", "fuzztime", "elapsed", "executions", "per second (overall)", "new interesting", "findings", "command"}, rows)
	for _, f := range findings {
		w.WriteString(f + "\n")
	}
	w.WriteString(fuzzEnd)
	if err := replaceFuzzSection(*out, w.String()); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "fuzz: wrote the fuzz section of %s\n", *out)
	if len(findings) > 0 {
		return fmt.Errorf("%d fuzz target(s) found a failing input", len(findings))
	}
	return nil
}

// replaceFuzzSection puts section between the fuzz markers of the report,
// creating the report when there is none yet.
func replaceFuzzSection(path, section string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		if !os.IsNotExist(err) {
			return err
		}
		old = []byte("# Benchmarks\n\n`make bench` has not written this file yet.\n\n## Fuzzing the workbook decoder\n\n" + fuzzBegin + "\n" + fuzzEnd + "\n")
	}
	s := string(old)
	i := strings.Index(s, fuzzBegin)
	j := strings.Index(s, fuzzEnd)
	if i < 0 || j < i {
		s = strings.TrimRight(s, "\n") + "\n\n## Fuzzing the workbook decoder\n\n" + section + "\n"
	} else {
		s = s[:i] + section + s[j+len(fuzzEnd):]
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
