package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// frame is a group of functions whose cumulative share of the CPU
// profile says where a request's time goes.
type frame struct {
	label   string
	pattern *regexp.Regexp
}

var serveFrames = []frame{
	{"socket writes (write(2) of headers and body)", regexp.MustCompile(`^internal/poll\.\(\*FD\)\.Write$`)},
	{"formatting the response headers (net/http chunkWriter.writeHeader)", regexp.MustCompile(`^net/http\.\(\*chunkWriter\)\.writeHeader$`)},
	{"reading and parsing the request", regexp.MustCompile(`^net/http\.\(\*conn\)\.readRequest$`)},
	{"finishing the response (final flush, chunked trailer)", regexp.MustCompile(`^net/http\.\(\*response\)\.finishRequest$`)},
	{"Echo: routing, middleware, handler and the body writes they trigger", regexp.MustCompile(`^github\.com/labstack/echo/v4\.\(\*Echo\)\.ServeHTTP$`)},
	{"the handler's own part: respond.Body.Serve (choosing the encoding, writing the body)", regexp.MustCompile(`^github\.com/bilateral/bilateral/web/respond\.\(\*Body\)\.Serve$`)},
	{"request id (Echo's RequestID middleware: a random string)", regexp.MustCompile(`^github\.com/labstack/echo/v4/middleware\.randomString$`)},
	{"metrics (web.metrics.observe)", regexp.MustCompile(`^github\.com/bilateral/bilateral/web\.\(\*metrics\)\.observe$`)},
	{"allocation (mallocgc)", regexp.MustCompile(`^runtime\.mallocgc$`)},
}

var decodeFrames = []frame{
	{"encoding/xml tokenizing (Decoder.Token), all callers", regexp.MustCompile(`^encoding/xml\.\(\*Decoder\)\.Token$`)},
	{"excelize's row iterator (Rows.Columns)", regexp.MustCompile(`^github\.com/xuri/excelize/v2\.\(\*Rows\)\.Columns$`)},
	{"bilateral's own scan of each sheet's XML (xlsx.scanSheet)", regexp.MustCompile(`^github\.com/bilateral/bilateral/datasets/xlsx\.scanSheet$`)},
	{"inflating the zip parts (compress/flate)", regexp.MustCompile(`^compress/flate\.\(\*decompressor\)\.Read$`)},
	{"checking the package before opening it (xlsx.openPackage)", regexp.MustCompile(`^github\.com/bilateral/bilateral/datasets/xlsx\.openPackage$`)},
	{"checking the dataset (stats.Dataset.Validate)", regexp.MustCompile(`^github\.com/bilateral/bilateral/stats\.\(\*Dataset\)\.Validate$`)},
	{"allocation (mallocgc)", regexp.MustCompile(`^runtime\.mallocgc$`)},
}

// topLine is one row of `go tool pprof -top`.
var reTop = regexp.MustCompile(`^\s*([\d.]+\w*)\s+([\d.]+)%\s+([\d.]+)%\s+([\d.]+\w*)\s+([\d.]+)%\s+(.+)$`)

// cumShares maps function names to their cumulative share (percent).
func cumShares(top string) map[string]float64 {
	m := map[string]float64{}
	for _, l := range strings.Split(top, "\n") {
		if g := reTop.FindStringSubmatch(l); g != nil {
			v, _ := strconv.ParseFloat(g[5], 64)
			name := strings.TrimSuffix(strings.TrimSpace(g[6]), " (inline)")
			m[name] = max(m[name], v)
		}
	}
	return m
}

// profile takes CPU profiles of in-process benchmarks (bench/bench_test.go)
// for the targets this run missed.
func (b *bench) profile(ctx context.Context) error {
	testBin := filepath.Join(b.tmp, "bench.test")
	b.progress("profile: building the benchmark binary")
	if _, err := runCmd(ctx, "go", "test", "-c", "-o", testBin, "./bench"); err != nil {
		return err
	}
	type job struct {
		key, bench, benchtime, what string
		ignore, focus               string // pprof regexps: set-up to leave out, the part to look into
		base                        string // the function whose samples the frames are shares of
		frames                      []frame
	}
	var jobs []job
	if b.serveMissed {
		jobs = append(jobs, job{"serve", "^BenchmarkServe(Loopback|Writes)$", pick(b.quick, "200ms", "2s"),
			"`BenchmarkServeLoopback` (bench/bench_test.go) serves `GET /` (gzip, br) and the chart JSON from the real handler (`web.NewServer`, default dataset) over loopback to 64 client goroutines, " +
				"each path twice in a row: as the server sends it (chunked) and, as an experiment on the framing alone, with the handler wrapped to buffer the response and send it with `Content-Length`. " +
				"`BenchmarkServeWrites` counts the server's write(2) calls per response (writes/op). " +
				"The ns/op come from a shared, busy machine and are not interleaved like the wrk runs: compare adjacent lines only",
			"newBenchServer|syntheticWorkbook", `net/http\.\(\*conn\)\.serve`, "net/http.(*conn).serve", serveFrames})
	}
	if b.ingestMissed {
		jobs = append(jobs, job{"ingest", "^BenchmarkDecodeGenerated$", pick(b.quick, "1x", "3x"),
			"`BenchmarkDecodeGenerated` (bench/bench_test.go) runs `xlsx.Decode` on the 100,000-row workbook, which is what `bilateral validate` does",
			"syntheticWorkbook", `datasets/xlsx\.Decode$`, "github.com/bilateral/bilateral/datasets/xlsx.Decode", decodeFrames})
	}
	for _, j := range jobs {
		b.progress("profile: %s", j.key)
		cpu := filepath.Join(b.tmp, j.key+".cpu")
		out, err := runCmd(ctx, testBin, "-test.run", "^$", "-test.bench", j.bench, "-test.benchtime", j.benchtime, "-test.benchmem", "-test.cpuprofile", cpu)
		if err != nil {
			return err
		}
		pprof := func(extra ...string) (string, []string, error) {
			args := []string{"go", "tool", "pprof", "-top"}
			if j.ignore != "" {
				args = append(args, "-ignore", j.ignore)
			}
			args = append(args, extra...)
			args = append(args, testBin, cpu)
			out, err := runCmd(ctx, args...)
			return string(out), args, err
		}
		flat, flatArgs, err := pprof("-nodecount", "25")
		if err != nil {
			return err
		}
		cum, _, err := pprof("-cum", "-nodecount", "600")
		if err != nil {
			return err
		}
		focused := ""
		var focusArgs []string
		if j.focus != "" {
			if focused, focusArgs, err = pprof("-focus", j.focus, "-nodecount", "25"); err != nil {
				return err
			}
		}
		w := b.rep.sec("profile-" + j.key)
		fmt.Fprintf(w, "### Profile (a target above was missed)\n\n%s; CPU profile of `-benchtime %s`. The benchmark's own figures:\n\n", j.what, j.benchtime)
		fence(w, "", benchLines(string(out)))
		if j.key == "serve" {
			fmt.Fprintf(w, "nginx, for comparison, serves each request from an event loop in C, sending the file with `sendfile` "+
				"(configuration above); the table below says where Go's net/http and Echo spend the server's CPU.\n\n")
		}
		if len(j.frames) > 0 {
			fcum, _, err := pprof("-cum", "-focus", j.focus, "-nodecount", "800")
			if err != nil {
				return err
			}
			shares := cumShares(fcum)
			all := cumShares(cum)
			base := shares[j.base]
			if base > 0 {
				var rows [][]string
				for _, f := range j.frames {
					best := 0.0
					for name, v := range shares {
						if f.pattern.MatchString(name) {
							best = max(best, v)
						}
					}
					rows = append(rows, []string{f.label, fmt.Sprintf("%.0f%%", best/base*100)})
				}
				fmt.Fprintf(w, "`%s` took %.0f%% of all samples%s. Where its CPU goes (cumulative share of its samples; frames nest, so shares overlap):\n\n",
					j.base, all[j.base], map[bool]string{true: " (the Go client standing in for wrk took most of the rest)", false: ""}[j.key == "serve"])
				table(w, []string{"frames", "share of `" + j.base + "`"}, rows)
			}
		}
		if focused != "" {
			fmt.Fprintf(w, "`%s` alone, by own CPU time (`%s`):\n\n", j.base, shellQuote(focusArgs[:len(focusArgs)-2]))
			fence(w, "", pprofBody(focused, 25))
		}
		fmt.Fprintf(w, "Everything, by own CPU time (`%s`):\n\n", shellQuote(flatArgs[:len(flatArgs)-2]))
		fence(w, "", pprofBody(flat, 25))
		fmt.Fprintf(w, "Reproduce:\n\n")
		ign := ""
		if j.ignore != "" {
			ign = " -ignore '" + j.ignore + "'"
		}
		fence(w, "sh", fmt.Sprintf("go test ./bench -run '^$' -bench '%s' -benchtime %s -cpuprofile /tmp/%s.cpu -o /tmp/bench.test\ngo tool pprof -top%s /tmp/bench.test /tmp/%s.cpu", j.bench, j.benchtime, j.key, ign, j.key))
	}
	return nil
}

// benchLines keeps the result lines of go test -bench output.
func benchLines(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Benchmark") || strings.HasPrefix(l, "cpu:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// pprofBody keeps the header and the first n rows of pprof -top output.
func pprofBody(out string, n int) string {
	lines := strings.Split(out, "\n")
	var keep []string
	rows := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "File:") || strings.HasPrefix(l, "Build ID:") || strings.HasPrefix(l, "Type:") || strings.HasPrefix(l, "Time:") {
			continue
		}
		if reTop.MatchString(l) {
			rows++
			if rows > n {
				break
			}
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}
