// Command bench measures what users of bilateral feel and compares each
// figure with the obvious alternative measured in the same run: the
// dashboard served by bilateral and by nginx, a workbook read by
// `bilateral validate` and by pandas and openpyxl, publishing against a
// dry run, and the server's memory. It writes BENCHMARKS.md with the
// command that reproduces every figure.
//
//	go run ./bench [-quick] [-only serve,ingest,...] [-o BENCHMARKS.md]
//	go run ./bench gen -rows 100000 -o FILE.xlsx
//	go run ./bench fuzz [-fuzztime 60s]
//
// Timing is never a pass/fail test: the machines are shared and noisy,
// so every figure is given as min / median / max over several runs, and
// comparisons as ratios of figures measured in the same run.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// bench holds one run's settings and what the sections measured.
type bench struct {
	quick     bool
	runs      int
	dur       time.Duration // one wrk run in section 1
	warmup    time.Duration
	loadDur   time.Duration // the whole of section 4
	bin       string
	serverBin string // a copy of bin for `serve` (see cmdBench)
	root      string // the repository (the working directory)
	tmp       string
	rep       *report
	ncpu      int

	versions  map[string]string
	chartID   string
	nginxConf string
	mem       memFigures

	serveMissed, ingestMissed bool
	started                   time.Time
}

// sections in the order they run and appear.
var sectionOrder = []struct{ key, title string }{
	{"serve", "1. Serving the dashboard"},
	{"ingest", "2. Ingest: reading a workbook"},
	{"publish", "3. Publish: upload to visible"},
	{"load", "4. Load while data changes"},
	{"images", "5. Chart images"},
	{"memory", "6. Memory"},
	{"micro", "7. Go micro-benchmarks"},
	{"flood", "8. Image flood"},
	{"history", "9. Version history: storage and pages"},
}

func main() {
	if len(os.Args) > 1 {
		var err error
		switch os.Args[1] {
		case "gen":
			err = cmdGen(os.Args[2:])
		case "fuzz":
			err = cmdFuzz(os.Args[2:])
		default:
			err = cmdBench(os.Args[1:])
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := cmdBench(nil); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func cmdBench(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	quick := fs.Bool("quick", os.Getenv("BENCH_QUICK") != "" && os.Getenv("BENCH_QUICK") != "0", "each measurement once, briefly (smoke check); also BENCH_QUICK=1")
	only := fs.String("only", "", "comma-separated sections to run: serve,ingest,publish,load,images,memory,micro,flood,history (default all)")
	out := fs.String("o", "BENCHMARKS.md", "report to write")
	bin := fs.String("bin", "bin/bilateral", "the bilateral binary (make build)")
	runs := fs.Int("runs", 0, "runs per figure (default 5, 1 with -quick)")
	dur := fs.Duration("d", 0, "length of one wrk run in section 1 (default 4s, 1s with -quick)")
	loadDur := fs.Duration("load", 0, "length of section 4's load (default 60s, 5s with -quick)")
	keep := fs.Bool("keep", false, "keep the temporary directory (logs, workbooks, nginx prefix)")
	note := fs.String("note", os.Getenv("BENCH_NOTE"), "a note for the report's header, e.g. what else ran on the machine; also BENCH_NOTE")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b := &bench{quick: *quick, runs: *runs, dur: *dur, loadDur: *loadDur, rep: newReport(), ncpu: runtime.NumCPU(), started: time.Now()}
	if b.runs <= 0 {
		b.runs = pick(b.quick, 1, 5)
	}
	if b.dur <= 0 {
		b.dur = pick(b.quick, time.Second, 4*time.Second)
	}
	b.warmup = pick(b.quick, time.Second, 2*time.Second)
	if b.loadDur <= 0 {
		b.loadDur = pick(b.quick, 5*time.Second, 60*time.Second)
	}
	if *note != "" {
		b.rep.notes = append(b.rep.notes, *note)
	}
	var err error
	if b.root, err = os.Getwd(); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(b.root, "bench", "alternate.lua")); err != nil {
		return fmt.Errorf("run bench from the repository root: %w", err)
	}
	if b.bin, err = filepath.Abs(*bin); err != nil {
		return err
	}
	if _, err := os.Stat(b.bin); err != nil {
		return fmt.Errorf("%s: build it first (make build): %w", *bin, err)
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	for k := range want {
		if !knownSection(k) {
			return fmt.Errorf("-only: unknown section %q", k)
		}
	}
	run := func(k string) bool { return len(want) == 0 || want[k] }
	if run("serve") || run("load") {
		if _, err := exec.LookPath("wrk"); err != nil {
			return fmt.Errorf("wrk is not installed (make bench installs it): %w", err)
		}
	}

	if b.tmp, err = os.MkdirTemp("", "bilateral-bench-"); err != nil {
		return err
	}
	// The server runs from a copy with a name of its own: on a shared
	// machine, other work that stops "bilateral" processes by name (pkill,
	// killall) must not stop the server in the middle of a measurement.
	if b.serverBin, err = copyExecutable(b.bin, filepath.Join(b.tmp, "server-under-bench")); err != nil {
		return err
	}
	cleanup := func() {
		stopAll()
		if !*keep {
			os.RemoveAll(b.tmp)
		}
	}
	defer cleanup()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigc
		fmt.Fprintln(os.Stderr, "bench: interrupted; stopping")
		cancel()
		stopAll()
		<-sigc
		cleanup()
		os.Exit(130)
	}()

	b.versions = toolVersions(ctx)
	loadBefore := loadavg()
	var l1 float64
	if _, err := fmt.Sscan(loadBefore, &l1); err == nil && l1 > 0.5 {
		b.rep.notes = append(b.rep.notes, fmt.Sprintf("The machine was not idle when the run started (1-minute load average %.2f on %d cores): "+
			"other work ran concurrently, so absolute figures are lower and noisier than on a quiet machine; the ratios, measured in turns, less so.", l1, b.ncpu))
	}
	var failed []string
	timings := map[string]time.Duration{}
	steps := []struct {
		key string
		fn  func(context.Context) error
	}{
		{"memory", b.measureIdle},
		{"serve", b.measureServe},
		{"ingest", b.measureIngest},
		{"publish", b.measurePublish},
		{"load", b.measureLoad},
		{"images", b.measureImages},
		{"micro", b.measureMicro},
		{"flood", b.measureFlood},
		{"history", b.measureHistory},
	}
	for _, st := range steps {
		if !run(st.key) {
			continue
		}
		t0 := time.Now()
		b.progress("section %s", st.key)
		err := st.fn(ctx)
		stopAll() // nothing of a section outlives it, even on failure
		timings[st.key] = time.Since(t0)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", st.key, err)
			b.rep.printf(st.key, "\n**Not measured in this run: the section failed.**\n\n")
			fence(b.rep.sec(st.key), "", truncate(err.Error(), 4000))
			failed = append(failed, st.key)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if run("serve") && b.serveMissed || run("ingest") && b.ingestMissed {
		if err := b.profile(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "bench: profile: %v\n", err)
			b.rep.printf("profile", "The profile could not be taken: %v\n\n", err)
		}
	}
	if run("memory") {
		b.writeMemory()
	}
	if err := b.write(*out, loadBefore, loadavg(), timings, run); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: wrote %s in %s\n", *out, time.Since(b.started).Round(time.Second))
	if len(failed) > 0 {
		return fmt.Errorf("sections failed: %s (see %s)", strings.Join(failed, ", "), *out)
	}
	return nil
}

func knownSection(k string) bool {
	for _, s := range sectionOrder {
		if s.key == k {
			return true
		}
	}
	return false
}

func pick[T any](quick bool, q, full T) T {
	if quick {
		return q
	}
	return full
}

// progress prints where the run is, with the time since it started.
func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6s] %s\n", time.Since(b.started).Round(time.Second), fmt.Sprintf(format, args...))
}

// path joins a path under the repository root.
func (b *bench) path(elem ...string) string {
	return filepath.Join(append([]string{b.root}, elem...)...)
}

// toolVersions records the versions of everything measured.
func toolVersions(ctx context.Context) map[string]string {
	v := map[string]string{}
	first := func(args ...string) string {
		out, _ := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		return strings.TrimSpace(line)
	}
	v["go"] = runtime.Version()
	v["wrk"] = strings.TrimSpace(strings.Split(first("wrk", "--version"), "Copyright")[0])
	v["nginx"] = strings.TrimPrefix(first("nginx", "-v"), "nginx version: nginx/")
	v["python"] = first("/usr/bin/python3", "--version")
	v["pandas"] = first("/usr/bin/python3", "-c", "import pandas; print(pandas.__version__)")
	v["openpyxl"] = first("/usr/bin/python3", "-c", "import openpyxl; print(openpyxl.__version__)")
	v["kernel"] = first("uname", "-r")
	return v
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// machine describes the hardware.
func machine() (cpu string, memTotal string) {
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				var kb int64
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(l, "MemTotal:"), "kB")), &kb)
				memTotal = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return cpu, memTotal
}

// commit is `git rev-parse --short HEAD`, noting a dirty tree.
func commit(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown (not a git checkout)"
	}
	c := strings.TrimSpace(string(out))
	st, err := exec.CommandContext(ctx, "git", "status", "--porcelain").Output()
	if err == nil && len(strings.TrimSpace(string(st))) > 0 {
		n := len(strings.Split(strings.TrimSpace(string(st)), "\n"))
		c += fmt.Sprintf(" with a dirty tree (%d paths modified or untracked: the figures are of the working tree, not of the commit alone)", n)
	}
	return c
}

// copyExecutable copies the binary at src to dst, executable.
func copyExecutable(src, dst string) (string, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	return dst, os.WriteFile(dst, data, 0o755)
}
