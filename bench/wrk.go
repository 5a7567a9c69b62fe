package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what one wrk run reports.
type wrkResult struct {
	RPS       float64
	P50, P99  float64 // milliseconds
	Requests  int64
	BytesRead float64
	Non2xx3xx int64
	SockErrs  int64 // connect + read + write + timeout
	SockText  string
	Bad       int64 // responses that were neither 200 nor 304 (Lua script only)
	Raw       string
}

var (
	reRPS      = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	reReqs     = regexp.MustCompile(`(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB|TB) read`)
	reLat      = regexp.MustCompile(`(?m)^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$`)
	reNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	reSockErrs = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	reBad      = regexp.MustCompile(`bench: unexpected status \d+: (\d+)`)
)

// parseWrk reads wrk's --latency output.
func parseWrk(out string) (wrkResult, error) {
	r := wrkResult{Raw: out}
	m := reRPS.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("wrk: no Requests/sec in output:\n%s", lastLines(out, 20))
	}
	r.RPS, _ = strconv.ParseFloat(m[1], 64)
	if m := reReqs.FindStringSubmatch(out); m != nil {
		r.Requests, _ = strconv.ParseInt(m[1], 10, 64)
		v, _ := strconv.ParseFloat(m[2], 64)
		mult := map[string]float64{"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}[m[3]]
		r.BytesRead = v * mult
	}
	for _, m := range reLat.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		switch m[3] {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		case "m":
			v *= 60000
		}
		if m[1] == "50" {
			r.P50 = v
		} else {
			r.P99 = v
		}
	}
	if r.P50 == 0 || r.P99 == 0 {
		return r, fmt.Errorf("wrk: no latency distribution in output (run with --latency):\n%s", lastLines(out, 20))
	}
	if m := reNon2xx.FindStringSubmatch(out); m != nil {
		r.Non2xx3xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := reSockErrs.FindStringSubmatch(out); m != nil {
		r.SockText = strings.TrimSpace(m[0])
		for _, s := range m[1:] {
			n, _ := strconv.ParseInt(s, 10, 64)
			r.SockErrs += n
		}
	}
	for _, m := range reBad.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		r.Bad += n
	}
	return r, nil
}

// wrkArgs builds a wrk command line (without the leading "wrk").
func wrkArgs(conns int, d time.Duration, enc, url string, script ...string) []string {
	args := []string{"-t2", fmt.Sprintf("-c%d", conns), fmt.Sprintf("-d%s", durString(d)), "--latency"}
	if enc != "" {
		args = append(args, "-H", "Accept-Encoding: "+enc)
	}
	if len(script) > 0 {
		args = append(args, "-s", script[0])
	}
	args = append(args, url)
	if len(script) > 1 {
		args = append(args, "--")
		args = append(args, script[1:]...)
	}
	return args
}

// durString formats a duration the way wrk reads it (whole seconds).
func durString(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s < 1 {
		s = 1
	}
	return fmt.Sprintf("%ds", s)
}

// runWrk runs wrk and parses its output.
func runWrk(ctx context.Context, args []string) (wrkResult, error) {
	out, err := runCmd(ctx, append([]string{"wrk"}, args...)...)
	if err != nil {
		return wrkResult{Raw: string(out)}, err
	}
	return parseWrk(string(out))
}

// shellQuote renders a command line for BENCHMARKS.md.
func shellQuote(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a == "" || strings.ContainsAny(a, " \t'\"$;&|<>*?()[]{}\\") {
			b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
}
