package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/xlsx"
)

// defaultWorkbook encodes the embedded default dataset, with a note in
// its description when note is not empty (so that each upload differs).
func defaultWorkbook(note string) ([]byte, error) {
	d := datasets.MustDefault()
	if note != "" {
		d.Meta.Description = strings.TrimSpace(d.Meta.Description + " " + note)
	}
	var buf bytes.Buffer
	err := xlsx.Encode(&buf, d)
	return buf.Bytes(), err
}

// currentVersion asks GET / which version is served.
func currentVersion(base string) (int, error) {
	resp, _, err := get(base+"/", "gzip")
	if err != nil {
		return 0, err
	}
	return headerVersion(resp.Header), nil
}

// waitVersion polls GET / until it reports version want and returns
// when it first did.
func waitVersion(ctx context.Context, base string, want int) (time.Time, error) {
	for ctx.Err() == nil {
		resp, _, err := get(base+"/", "gzip")
		if err != nil {
			return time.Time{}, err
		}
		if headerVersion(resp.Header) >= want {
			return time.Now(), nil
		}
	}
	return time.Time{}, ctx.Err()
}

// measurePublish is section 3: from the start of the POST to the moment
// GET / serves the new version, against a dry run of the same upload.
func (b *bench) measurePublish(ctx context.Context) error {
	const sec = "publish"
	srv, err := b.startServer(ctx, "publish-server")
	if err != nil {
		return err
	}
	defer srv.stop()
	def, err := defaultWorkbook("")
	if err != nil {
		return err
	}
	f, err := b.workbook(10000)
	if err != nil {
		return err
	}
	tenk, err := os.ReadFile(f)
	if err != nil {
		return err
	}
	kinds := []struct {
		name string
		data []byte
	}{{"default dataset", def}, {"10,000 observation rows", tenk}}
	type cell struct{ dry, post, visible dist }
	res := make([]cell, len(kinds))
	for run := 0; run < b.runs; run++ {
		for k := range kinds {
			i := (k + run) % len(kinds)
			kd := kinds[i]
			b.progress("publish: run %d/%d, %s", run+1, b.runs, kd.name)
			t0 := time.Now()
			st, body, err := srv.upload(ctx, kd.data, "bench.xlsx", "", true)
			if err != nil {
				return err
			}
			if st != http.StatusOK {
				return fmt.Errorf("dry run of %s: %d %s", kd.name, st, truncate(string(body), 300))
			}
			res[i].dry = append(res[i].dry, time.Since(t0).Seconds()*1000)

			v, err := currentVersion(srv.base)
			if err != nil {
				return err
			}
			pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			seen := make(chan time.Time, 1)
			errc := make(chan error, 1)
			t0 = time.Now()
			go func() {
				t, err := waitVersion(pctx, srv.base, v+1)
				if err != nil {
					errc <- err
					return
				}
				seen <- t
			}()
			st, body, err = srv.upload(ctx, kd.data, "bench.xlsx", "bench publish", false)
			posted := time.Since(t0)
			if err == nil && st != http.StatusCreated {
				err = fmt.Errorf("publishing %s: %d %s", kd.name, st, truncate(string(body), 300))
			}
			if err != nil {
				cancel()
				return err
			}
			select {
			case t := <-seen:
				res[i].visible = append(res[i].visible, t.Sub(t0).Seconds()*1000)
			case err := <-errc:
				cancel()
				return fmt.Errorf("waiting for version %d on GET /: %w", v+1, err)
			}
			cancel()
			res[i].post = append(res[i].post, posted.Seconds()*1000)
		}
	}
	w := b.rep.sec(sec)
	fmt.Fprintf(w, "A fresh server; %s per workbook, alternating. \"Visible\" runs from just before the `POST /api/v1/datasets` "+
		"starts until a client polling `GET /` back to back (a new request as soon as the last one ends) first sees the new `X-Dataset-Version`. "+
		"The alternative is the same upload with `?dry_run=1`, which reads, checks and diffs the workbook but publishes nothing: "+
		"the difference is what publishing (storing the version, rendering every page, swapping) adds.\n\n", runs(b.runs))
	var rows [][]string
	for i, kd := range kinds {
		c := res[i]
		rows = append(rows, []string{fmt.Sprintf("%s (%s)", kd.name, fKiB(float64(len(kd.data)))),
			c.dry.mmm(fMS), c.post.mmm(fMS), c.visible.mmm(fMS),
			fRatio(c.visible.Median()/c.dry.Median()) + " (" + ratios(c.visible, c.dry).mmm(fRatio) + ")"})
	}
	table(w, []string{"workbook", "dry run (min / median / max)", "POST until 201", "upload to visible on `GET /`", "visible ÷ dry run (per-run range)"}, rows)
	fence(w, "sh", strings.Join([]string{
		"TOKEN=$(bin/bilateral token create bench --data DIR | tail -n1)   # before starting the server on DIR",
		"curl -s -o /dev/null -w '%{time_total}\\n' -H \"Authorization: Bearer $TOKEN\" -F file=@FILE.xlsx 'http://127.0.0.1:PORT/api/v1/datasets?dry_run=1'",
		"curl -s -o /dev/null -w '%{time_total}\\n' -H \"Authorization: Bearer $TOKEN\" -F file=@FILE.xlsx 'http://127.0.0.1:PORT/api/v1/datasets?allow_empty=1'",
		"# the whole section, with the GET / poller: go run ./bench -only publish -o /tmp/publish.md",
	}, "\n"))
	return nil
}

// loadCheck counts what the consistency client saw during the load.
type loadCheck struct {
	pages, charts int
	inconsistent  []string
	errors        []string
	backwards     int
	versionsSeen  map[int]bool
}

func (c *loadCheck) fail(list *[]string, format string, args ...any) {
	if len(*list) < 20 {
		*list = append(*list, fmt.Sprintf(format, args...))
	}
}

// check runs until ctx ends, alternating GET / and GET chart, and checks
// that each response names a single version.
func (c *loadCheck) run(ctx context.Context, base, chart string) {
	last := 0
	for ctx.Err() == nil {
		for _, path := range []string{"/", chart} {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := loadClient.Do(req)
			if err != nil {
				if ctx.Err() == nil {
					c.fail(&c.errors, "GET %s: %v", path, err)
				}
				return
			}
			body, err := readBody(resp)
			resp.Body.Close()
			if err != nil {
				if ctx.Err() == nil {
					c.fail(&c.errors, "GET %s: reading: %v", path, err)
				}
				return
			}
			if resp.StatusCode != http.StatusOK {
				c.fail(&c.errors, "GET %s: %s", path, resp.Status)
				continue
			}
			hv, ev := headerVersion(resp.Header), etagVer(resp.Header)
			c.versionsSeen[hv] = true
			if path == "/" {
				c.pages++
				m := bodyVersion.FindSubmatch(body)
				bv := 0
				if m != nil {
					fmt.Sscan(string(m[1]), &bv)
				}
				if hv == 0 || hv != ev || hv != bv {
					c.fail(&c.inconsistent, "GET /: X-Dataset-Version %d, ETag %s, body says dataset version %d", hv, resp.Header.Get("ETag"), bv)
				}
			} else {
				c.charts++
				if hv == 0 || hv != ev {
					c.fail(&c.inconsistent, "GET %s: X-Dataset-Version %d, ETag %s", path, hv, resp.Header.Get("ETag"))
				}
			}
			if hv < last {
				c.backwards++
			}
			last = max(last, hv)
		}
	}
}

// loadClient decompresses gzip itself (readBody), like a browser would.
var loadClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}

func readBody(resp *http.Response) ([]byte, error) {
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		return gunzip(raw)
	}
	return raw, nil
}

// published is one upload during the load and what became of it.
type published struct {
	sha     string
	version int
	ms      float64
	status  int
	err     error
}

// measureLoad is section 4: wrk at 256 connections on / and a chart
// while a new version is published every second.
func (b *bench) measureLoad(ctx context.Context) error {
	const sec = "load"
	srv, err := b.startServer(ctx, "load-server")
	if err != nil {
		return err
	}
	defer srv.stop()
	id := b.chartID
	if id == "" {
		if id, err = srv.firstChartID(); err != nil {
			return err
		}
	}
	chart := "/charts/" + id + ".json"
	n := int(b.loadDur/time.Second) + 5
	b.progress("load: encoding %d workbooks to publish", n)
	wbs := make([][]byte, n)
	for i := range wbs {
		if wbs[i], err = defaultWorkbook(fmt.Sprintf("(Load test upload %d.)", i+1)); err != nil {
			return err
		}
	}
	script := b.path("bench", "alternate.lua")

	lctx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	// Publisher: one upload per second, each in its own goroutine so that
	// a slow publish does not delay the next tick.
	pubc := make(chan published, n)
	pubDone := make(chan struct{})
	go func() {
		defer close(pubDone)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		inflight := make(chan struct{}, 8)
		done := make(chan struct{}, n)
		started := 0
		for i := 0; i < n; i++ {
			select {
			case <-lctx.Done():
			case <-t.C:
			}
			if lctx.Err() != nil {
				break
			}
			select {
			case inflight <- struct{}{}:
			case <-lctx.Done():
			}
			if lctx.Err() != nil {
				break
			}
			started++
			go func(wb []byte, i int) {
				defer func() { <-inflight; done <- struct{}{} }()
				sum := sha256.Sum256(wb)
				p := published{sha: hex.EncodeToString(sum[:])}
				t0 := time.Now()
				// The upload itself is not cancelled with the load: it must
				// finish and be checked afterwards.
				st, body, err := srv.upload(ctx, wb, fmt.Sprintf("load-%d.xlsx", i+1), fmt.Sprintf("load test upload %d", i+1), false)
				p.ms, p.status, p.err = time.Since(t0).Seconds()*1000, st, err
				if err == nil && st == http.StatusCreated {
					p.version, p.err = versionOf(body)
				} else if err == nil {
					p.err = fmt.Errorf("%d %s", st, truncate(string(body), 200))
				}
				pubc <- p
			}(wbs[i], i)
		}
		for ; started > 0; started-- {
			<-done
		}
	}()
	// Consistency clients.
	checks := []*loadCheck{{versionsSeen: map[int]bool{}}, {versionsSeen: map[int]bool{}}}
	checkDone := make(chan struct{}, len(checks))
	for _, c := range checks {
		go func(c *loadCheck) { c.run(lctx, srv.base, chart); checkDone <- struct{}{} }(c)
	}
	// wrk, in b.runs consecutive slices of the load period.
	slice := b.loadDur / time.Duration(b.runs)
	var ws []wrkResult
	var p50, p99, rps, peaks dist
	var wrkErr error
	for run := 0; run < b.runs; run++ {
		b.progress("load: wrk slice %d/%d (%s) while publishing", run+1, b.runs, durString(slice))
		s := sampleRSS(srv.pid(), false)
		w, err := runWrk(ctx, wrkArgs(256, slice, "gzip", srv.base, script, "/", chart))
		peaks = append(peaks, float64(s.Stop()))
		if err != nil {
			wrkErr = withExit(err, srv.proc)
			break
		}
		ws = append(ws, w)
		p50, p99, rps = append(p50, w.P50), append(p99, w.P99), append(rps, w.RPS)
	}
	stopLoad()
	<-pubDone
	for range checks {
		<-checkDone
	}
	close(pubc)
	if wrkErr != nil {
		return wrkErr
	}
	// The alternative: the same wrk load on the same server (now holding
	// every version) with nobody publishing.
	baseSlice := min(slice, pick(b.quick, 2*time.Second, 6*time.Second))
	var bp50, bp99, brps dist
	for run := 0; run < b.runs; run++ {
		b.progress("load: wrk slice %d/%d (%s) without publishing", run+1, b.runs, durString(baseSlice))
		w, err := runWrk(ctx, wrkArgs(256, baseSlice, "gzip", srv.base, script, "/", chart))
		if err != nil {
			return withExit(err, srv.proc)
		}
		bp50, bp99, brps = append(bp50, w.P50), append(bp99, w.P99), append(brps, w.RPS)
		if w.SockErrs+w.Non2xx3xx+w.Bad > 0 {
			return fmt.Errorf("the load without publishing had errors: %s, %d non-2xx/3xx, %d other than 200/304", w.SockText, w.Non2xx3xx, w.Bad)
		}
	}
	var pubs []published
	var pubMS dist
	pubFailed := 0
	for p := range pubc {
		pubs = append(pubs, p)
		if p.err != nil {
			pubFailed++
			continue
		}
		pubMS = append(pubMS, p.ms)
	}
	if m, err := readMem(srv.pid()); err == nil {
		b.mem.loadHWM = float64(m.HWM)
	}
	b.mem.loadOurs = peaks

	// Afterwards: every version listed, every workbook byte-identical.
	b.progress("load: checking every published version")
	listed := map[int]string{}
	for next := "/api/v1/datasets?limit=1000"; next != ""; {
		st, body, err := srv.authGet(next)
		if err != nil {
			return err
		}
		if st != http.StatusOK {
			return fmt.Errorf("GET %s: %d %s", next, st, truncate(string(body), 200))
		}
		page, more, err := parseVersions(body)
		if err != nil {
			return err
		}
		for k, v := range page {
			listed[k] = v
		}
		next = more
	}
	var missing, mismatched, listMismatch []string
	for _, p := range pubs {
		if p.err != nil {
			continue
		}
		if sha, ok := listed[p.version]; !ok {
			missing = append(missing, fmt.Sprint(p.version))
			continue
		} else if sha != p.sha {
			listMismatch = append(listMismatch, fmt.Sprint(p.version))
		}
		st, wb, err := srv.authGet(fmt.Sprintf("/api/v1/datasets/%d/workbook", p.version))
		if err != nil || st != http.StatusOK {
			mismatched = append(mismatched, fmt.Sprintf("%d (download: %d %v)", p.version, st, err))
			continue
		}
		sum := sha256.Sum256(wb)
		if hex.EncodeToString(sum[:]) != p.sha {
			mismatched = append(mismatched, fmt.Sprint(p.version))
		}
	}

	var pages, charts, backwards int
	var inconsistent, cerrs []string
	seen := map[int]bool{}
	for _, c := range checks {
		pages += c.pages
		charts += c.charts
		backwards += c.backwards
		inconsistent = append(inconsistent, c.inconsistent...)
		cerrs = append(cerrs, c.errors...)
		for v := range c.versionsSeen {
			seen[v] = true
		}
	}
	var non2xx, sockErrs, bad, total int64
	var sockText []string
	for _, w := range ws {
		non2xx += w.Non2xx3xx
		sockErrs += w.SockErrs
		bad += w.Bad
		total += w.Requests
		if w.SockText != "" {
			sockText = append(sockText, w.SockText)
		}
	}

	// A version published by this server is only swapped in by publish();
	// the store poll (Refresh) logs when it swaps one in itself.
	refreshes := 0
	if lb, err := os.ReadFile(srv.log); err == nil {
		refreshes = strings.Count(string(lb), "published elsewhere")
	}

	w := b.rep.sec(sec)
	fmt.Fprintf(w, "A fresh server. For %s, `bench/alternate.lua` makes wrk (256 connections, 2 threads, `Accept-Encoding: gzip`) "+
		"alternate `GET /` and `GET %s`, run as %s of %s each, back to back; meanwhile bench publishes a new workbook "+
		"(the default dataset, its description numbered) through `POST /api/v1/datasets` every second, and two client loops fetch `/` and the chart "+
		"back to back, checking that `X-Dataset-Version`, the ETag's `vN` and (for `/`) the footer's \"dataset version N\" agree. "+
		"The Lua script counts every status other than 200 and 304. The alternative, measured right after on the same server: "+
		"the same wrk load, %s of %s, with nobody publishing.\n\n",
		durString(b.loadDur), chart, runs(b.runs), durString(slice), runs(b.runs), durString(baseSlice))
	rows := [][]string{
		{"requests served by wrk", fmt.Sprint(total), ""},
		{"throughput (min / median / max over the runs)", rps.mmm(fInt) + " req/s", fmt.Sprintf("without publishing: %s req/s; publishing ÷ not: %s", brps.mmm(fInt), fRatio(rps.Median()/brps.Median()))},
		{"p50 latency", p50.mmm(fMS), "without publishing: " + bp50.mmm(fMS)},
		{"p99 latency", p99.mmm(fMS), fmt.Sprintf("without publishing: %s; publishing ÷ not: %s", bp99.mmm(fMS), fRatio(p99.Median()/bp99.Median()))},
		{"socket errors (wrk)", fmt.Sprint(sockErrs), strings.Join(uniq(sockText), "; ")},
		{"non-2xx/3xx responses (wrk)", fmt.Sprint(non2xx), ""},
		{"responses neither 200 nor 304 (Lua)", fmt.Sprint(bad), ""},
		{"versions published during the load", fmt.Sprintf("%d of %d attempted", len(pubs)-pubFailed, len(pubs)), ""},
		{"publish request time (min / median / max)", pubMS.mmm(fMS), ""},
		{"consistency checks", fmt.Sprintf("%d pages, %d chart JSON", pages, charts), fmt.Sprintf("%d distinct versions seen", len(seen))},
		{"inconsistent responses", fmt.Sprint(len(inconsistent)), strings.Join(inconsistent, "; ")},
		{"a client saw an older version after a newer one", fmt.Sprint(backwards), "not in the issue's list; a reader who reloads should never go back in time"},
		{"server log: \"serving a version published elsewhere\"", fmt.Sprint(refreshes), "the store poll (`Server.Refresh`, every 2 s) swapped in the store's current version itself; with one server, every such swap raced a publish"},
		{"client errors", fmt.Sprint(len(cerrs)), strings.Join(cerrs, "; ")},
		{"published versions missing from `GET /api/v1/datasets`", fmt.Sprint(len(missing)), strings.Join(missing, ", ")},
		{"listed sha256 ≠ uploaded", fmt.Sprint(len(listMismatch)), strings.Join(listMismatch, ", ")},
		{"downloaded workbook ≠ uploaded (SHA-256)", fmt.Sprint(len(mismatched)), strings.Join(mismatched, ", ")},
	}
	for _, p := range pubs {
		if p.err != nil {
			rows = append(rows, []string{"failed publish", "", truncate(p.err.Error(), 200)})
		}
	}
	table(w, []string{"figure", "value", "detail"}, rows)
	fence(w, "sh", strings.Join([]string{
		"wrk " + shellQuote(wrkArgs(256, slice, "gzip", "http://127.0.0.1:PORT", "bench/alternate.lua", "/", chart)),
		"# while publishing every second and checking versions: go run ./bench -only load -o /tmp/load.md",
	}, "\n"))

	ok := sockErrs == 0 && non2xx == 0 && bad == 0 && len(cerrs) == 0
	b.rep.target(target{Goal: "under load while publishing: zero errors, zero non-2xx/304 responses", Got: fmt.Sprintf("%d socket errors, %d non-2xx/3xx, %d other than 200/304, %d client errors", sockErrs, non2xx, bad, len(cerrs)), Met: ok})
	b.rep.target(target{Goal: "under load while publishing: every response consistent with a single version", Got: fmt.Sprintf("%d inconsistent of %d checked", len(inconsistent), pages+charts), Met: len(inconsistent) == 0 && pages+charts > 0})
	t := target{Goal: "(added) under load while publishing: no client sees an older version after a newer one", Got: fmt.Sprintf("%d times, in %d responses checked", backwards, pages+charts), Met: backwards == 0}
	if !t.Met {
		t.Miss = fmt.Sprintf("the store poll swapped a version in %d times (server log)", refreshes)
	}
	b.rep.target(t)
	lost := len(missing) + len(mismatched) + len(listMismatch) + pubFailed
	b.rep.target(target{Goal: "nothing lost: every published version listed, its workbook byte-identical", Got: fmt.Sprintf("%d published, %d listed, %d missing, %d differing, %d failed uploads", len(pubs)-pubFailed, len(listed), len(missing), len(mismatched)+len(listMismatch), pubFailed), Met: lost == 0 && len(pubs) > 0})
	return nil
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// parseVersions reads a page of GET /api/v1/datasets into version ->
// sha256, with the link to the next page ("" on the last).
func parseVersions(body []byte) (map[int]string, string, error) {
	var r struct {
		Versions []struct {
			Version int    `json:"version"`
			SHA256  string `json:"sha256"`
		} `json:"versions"`
		Next string `json:"next"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, "", fmt.Errorf("GET /api/v1/datasets: %w", err)
	}
	m := map[int]string{}
	for _, v := range r.Versions {
		m[v.Version] = v.SHA256
	}
	return m, r.Next, nil
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(zr)
}
