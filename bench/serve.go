package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
)

// scenario is one URL and encoding measured against both servers.
type scenario struct {
	name, path, enc string
	size            int // bytes of the encoded body
}

// serveResult holds one scenario at one connection count.
type serveResult struct {
	sc                 scenario
	conns              int
	ours, alt          []wrkResult
	oursRPS, altRPS    dist
	oursP50, altP50    dist
	oursP99, altP99    dist
	oursErrs, altErrs  int64
	oursBytes, altByte dist // bytes per response, headers included
}

// measureServe is section 1: our server against nginx serving the same
// bytes, interleaved run by run so that both see the same machine.
func (b *bench) measureServe(ctx context.Context) error {
	const sec = "serve"
	srv, err := b.startServer(ctx, "serve-server")
	if err != nil {
		return err
	}
	defer srv.stop()
	id, err := srv.firstChartID()
	if err != nil {
		return err
	}
	b.chartID = id
	chart := "/charts/" + id + ".json"
	// Fetch every representation once: this also makes the server build
	// its lazily compressed bodies before anything is timed.
	files := map[string][]byte{}
	want := map[string][]byte{}
	var oursFraming, altFraming string
	for _, p := range []struct{ url, file string }{{"/", "/index.html"}, {chart, chart}} {
		for _, e := range []struct{ enc, ext string }{{"identity", ""}, {"gzip", ".gz"}, {"br", ".br"}} {
			resp, body, err := get(srv.base+p.url, e.enc)
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s (%s): %s", p.url, e.enc, resp.Status)
			}
			if got := resp.Header.Get("Content-Encoding"); (e.ext == "") != (got == "") {
				return fmt.Errorf("GET %s with Accept-Encoding %s: Content-Encoding %q", p.url, e.enc, got)
			}
			files[p.file+e.ext] = body
			want[p.url+" "+e.enc] = body
			if e.enc == "gzip" && p.url == "/" {
				oursFraming = framing(resp)
			}
		}
	}
	ngx, err := b.startNginx(ctx, files)
	if err != nil {
		return err
	}
	defer ngx.stop()
	b.nginxConf = ngx.conf
	if m, err := groupMem(ngx.pid()); err == nil {
		b.mem.nginxIdle = append(b.mem.nginxIdle, float64(m.RSS))
	}
	// nginx must send the very same bytes with the same encoding.
	for k, body := range want {
		url, enc, _ := strings.Cut(k, " ")
		resp, got, err := get(ngx.base+url, enc)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, body) {
			return fmt.Errorf("nginx serves %d bytes for %s (%s), the server %d: not the same bytes", len(got), url, enc, len(body))
		}
		if enc == "gzip" && url == "/" {
			altFraming = framing(resp)
		}
		if ce := resp.Header.Get("Content-Encoding"); enc != "identity" && ce != enc {
			return fmt.Errorf("nginx: %s (%s) came with Content-Encoding %q", url, enc, ce)
		}
	}

	scs := []scenario{
		{name: "`GET /`, gzip", path: "/", enc: "gzip"},
		{name: "`GET /`, br", path: "/", enc: "br"},
		{name: "`GET " + chart + "`, gzip", path: chart, enc: "gzip"},
	}
	for i := range scs {
		scs[i].size = len(want[scs[i].path+" "+scs[i].enc])
	}
	connsList := []int{64, 256}
	var results []*serveResult
	for _, sc := range scs {
		for _, c := range connsList {
			results = append(results, &serveResult{sc: sc, conns: c})
		}
	}
	// Warm both servers up (connections, page cache, Go's heap).
	for _, base := range []string{srv.base, ngx.base} {
		if _, err := runWrk(ctx, wrkArgs(64, b.warmup, "gzip", base+"/")); err != nil {
			return err
		}
	}
	for run := 0; run < b.runs; run++ {
		for _, r := range results {
			order := []bool{true, false}
			if run%2 == 1 {
				order = []bool{false, true}
			}
			for _, ours := range order {
				base, pid, group := srv.base, srv.pid(), false
				if !ours {
					base, pid, group = ngx.base, ngx.pid(), true
				}
				b.progress("serve: run %d/%d, %s at %d connections, %s", run+1, b.runs, r.sc.path, r.conns, map[bool]string{true: "bilateral", false: "nginx"}[ours])
				s := sampleRSS(pid, group)
				w, err := runWrk(ctx, wrkArgs(r.conns, b.dur, r.sc.enc, base+r.sc.path))
				peak := s.Stop()
				if err != nil {
					return withExit(err, srv.proc, ngx.proc)
				}
				perResp := w.BytesRead / float64(max(w.Requests, 1))
				if ours {
					r.ours = append(r.ours, w)
					r.oursRPS, r.oursP50, r.oursP99 = append(r.oursRPS, w.RPS), append(r.oursP50, w.P50), append(r.oursP99, w.P99)
					r.oursErrs += w.Non2xx3xx + w.SockErrs
					r.oursBytes = append(r.oursBytes, perResp)
					b.mem.serveOurs = append(b.mem.serveOurs, float64(peak))
				} else {
					r.alt = append(r.alt, w)
					r.altRPS, r.altP50, r.altP99 = append(r.altRPS, w.RPS), append(r.altP50, w.P50), append(r.altP99, w.P99)
					r.altErrs += w.Non2xx3xx + w.SockErrs
					r.altByte = append(r.altByte, perResp)
					b.mem.serveNginx = append(b.mem.serveNginx, float64(peak))
				}
			}
		}
	}
	if m, err := readMem(srv.pid()); err == nil {
		b.mem.serveHWM = float64(m.HWM)
	}
	if m, err := groupMem(ngx.pid()); err == nil {
		b.mem.nginxHWM = float64(m.HWM)
	}

	// Report.
	w := b.rep.sec(sec)
	fmt.Fprintf(w, "Each row: %s of `wrk -t2 -d%s --latency` per server, the two servers alternating run by run "+
		"(after a %s warm-up of each). \"ours\" is `bin/bilateral serve` with a fresh data directory (the default dataset, version 1; "+
		"bench runs a copy of the binary named server-under-bench, so that other work stopping `bilateral` processes by name on a shared machine leaves it alone); "+
		"\"nginx\" is nginx %s serving the same bytes, fetched from our server before the runs and checked byte for byte, "+
		"as precompressed files (configuration below). wrk, the server and nginx share the machine's %d cores.\n\n",
		runs(b.runs), durString(b.dur), durString(b.warmup), b.versions["nginx"], b.ncpu)
	var rows [][]string
	for _, r := range results {
		ratio := ratios(r.oursRPS, r.altRPS)
		rows = append(rows, []string{
			r.sc.name + fmt.Sprintf(" (%s)", fKiB(float64(r.sc.size))),
			fmt.Sprint(r.conns),
			r.oursRPS.mmm(fInt), r.altRPS.mmm(fInt),
			fRatio(r.oursRPS.Median()/r.altRPS.Median()) + " (" + ratio.mmm(fRatio) + ")",
			fMS(r.oursP50.Median()) + " / " + fMS(r.altP50.Median()),
			r.oursP99.mmm(fMS), r.altP99.mmm(fMS),
			fmt.Sprintf("%d / %d", r.oursErrs, r.altErrs),
		})
	}
	table(w, []string{"request (body)", "conns", "ours req/s (min / median / max)", "nginx req/s", "ours ÷ nginx: ratio of medians (per-run min / median / max)",
		"p50 ours / nginx (medians)", "ours p99 (min / median / max)", "nginx p99", "errors ours / nginx"}, rows)
	var sizes [][]string
	for _, r := range results {
		if r.conns == connsList[0] {
			sizes = append(sizes, []string{r.sc.name, fmt.Sprint(r.sc.size), fmt.Sprintf("%.0f", r.oursBytes.Median()), fmt.Sprintf("%.0f", r.altByte.Median())})
		}
	}
	fmt.Fprintf(w, "Bytes per response as wrk counted them (body and headers). Our server sends more header bytes "+
		"(Content-Security-Policy and the other security headers, a request id, `X-Dataset-Version`). "+
		"Framing of `GET /` with gzip: ours %s, nginx %s.\n\n", oursFraming, altFraming)
	table(w, []string{"request", "body bytes", "ours: bytes per response", "nginx: bytes per response"}, sizes)

	fmt.Fprintf(w, "Reproduce one cell (the server on PORT, started as `bin/bilateral serve --addr 127.0.0.1:PORT --data $(mktemp -d)`; nginx with the configuration below on NGINX_PORT):\n\n")
	var cmds []string
	for _, sc := range scs {
		for _, c := range connsList {
			cmds = append(cmds, "wrk "+shellQuote(wrkArgs(c, b.dur, sc.enc, "http://127.0.0.1:PORT"+sc.path)))
		}
	}
	cmds = append(cmds, "# and the same against http://127.0.0.1:NGINX_PORT", "# the whole section: go run ./bench -only serve -o /tmp/serve.md")
	fence(w, "sh", strings.Join(cmds, "\n"))

	// Targets.
	missed := false
	for _, r := range results {
		ratio := r.oursRPS.Median() / r.altRPS.Median()
		t := target{Goal: fmt.Sprintf("serve %s at %d connections: ≥ 0.8× nginx's throughput", r.sc.name, r.conns),
			Got: fRatio(ratio), Met: ratio >= 0.8}
		if !t.Met {
			t.Miss = fmt.Sprintf("%.0f%% short of 0.8× (%.0f req/s more needed at the median)", (0.8-ratio)/0.8*100, 0.8*r.altRPS.Median()-r.oursRPS.Median())
			missed = true
		}
		b.rep.target(t)
		if r.conns == 64 {
			p := r.oursP99.Median()
			t := target{Goal: fmt.Sprintf("serve %s at 64 connections: p99 under 20 ms", r.sc.name), Got: fMS(p) + " (median of runs; max " + fMS(r.oursP99.Max()) + ")", Met: p < 20}
			if !t.Met {
				t.Miss = fmt.Sprintf("%s over", fMS(p-20))
				missed = true
			}
			b.rep.target(t)
		}
		if r.oursErrs > 0 {
			b.rep.target(target{Goal: fmt.Sprintf("serve %s at %d connections: no errors", r.sc.name, r.conns), Got: fmt.Sprintf("%d errors", r.oursErrs)})
		}
	}
	b.serveMissed = missed
	return nil
}

// framing says how a response delimited its body.
func framing(resp *http.Response) string {
	if len(resp.TransferEncoding) > 0 {
		return "`Transfer-Encoding: " + strings.Join(resp.TransferEncoding, ", ") + "`"
	}
	if resp.ContentLength >= 0 {
		return "`Content-Length`"
	}
	return "read to connection close"
}
