package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// measureFlood is section 8: the image flood of issue 10, finding 1. Ten
// clients ask at once, over and over, for the largest PNG the server
// allows (4000×4000 at scale 1, 16 megapixels), each time a width not
// asked for before, so that the cache never answers. Before the image
// budget, ten such requests (then at scale 2) took the server from 0.8 to
// 5.9 GB of RSS, which it kept. Measured: peak RSS during the flood, the
// share of requests answered 503, /healthz latency meanwhile, and RSS
// 60 s after the flood against before it.
func (b *bench) measureFlood(ctx context.Context) error {
	const sec = "flood"
	w := b.rep.sec(sec)
	srv, err := b.startServer(ctx, "flood-server")
	if err != nil {
		return err
	}
	defer srv.stop()
	// Before: after one ordinary image (the renderer loaded) and a rest.
	if err := fetchOK(srv.base + "/charts/" + imageChart + ".png"); err != nil {
		return err
	}
	time.Sleep(3 * time.Second)
	before, err := readMem(srv.pid())
	if err != nil {
		return err
	}

	const clients = 10
	dur := pick(b.quick, 10*time.Second, 25*time.Second)
	b.progress("flood: %d clients for %s", clients, dur)
	sampler := sampleRSS(srv.pid(), false)
	end := time.Now().Add(dur)
	var next atomic.Int64
	var mu sync.Mutex
	codes := map[int]int{}
	var errs int
	var wg sync.WaitGroup
	hc := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) && ctx.Err() == nil {
				n := next.Add(1)
				u := fmt.Sprintf("%s/charts/%s.png?width=%d&height=4000&scale=1", srv.base, imageChart, 4000-n%3600)
				resp, err := hc.Get(u)
				if err != nil {
					mu.Lock()
					errs++
					mu.Unlock()
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
				if resp.StatusCode == http.StatusServiceUnavailable {
					time.Sleep(50 * time.Millisecond) // an eager client, not a tight loop
				}
			}
		}()
	}
	// /healthz, five times a second, meanwhile.
	var health dist
	var healthFail int
	hdone := make(chan struct{})
	go func() {
		defer close(hdone)
		probe := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		for time.Now().Before(end) {
			t0 := time.Now()
			resp, err := probe.Get(srv.base + "/healthz")
			if err != nil || resp.StatusCode != http.StatusOK {
				healthFail++
			} else {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				health = append(health, ms(time.Since(t0)))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	wg.Wait()
	<-hdone
	floodEnd := time.Now()
	peak := sampler.Stop()
	b.progress("flood: waiting 60 s for memory to be returned")
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Until(floodEnd.Add(60 * time.Second))):
	}
	after, err := readMem(srv.pid())
	if err != nil {
		return err
	}
	if !srv.running() {
		return fmt.Errorf("the server exited during the flood:\n%s", srv.tail())
	}

	total := errs
	for _, n := range codes {
		total += n
	}
	share := 0.0
	if total > 0 {
		share = float64(codes[http.StatusServiceUnavailable]) / float64(total)
	}
	var other []string
	for c, n := range codes {
		if c != http.StatusOK && c != http.StatusServiceUnavailable {
			other = append(other, fmt.Sprintf("%d×%d", n, c))
		}
	}
	if errs > 0 {
		other = append(other, fmt.Sprintf("%d transport errors", errs))
	}
	if len(other) == 0 {
		other = []string{"none"}
	}
	fmt.Fprintf(w, "%d clients for %s, each asking as soon as its last answer came (50 ms after a 503) for `/charts/%s.png?width=N&height=4000&scale=1` "+
		"with a new width each time (16 megapixels, the largest PNG allowed; the cache never answers). The server draws at most 32 megapixels at once "+
		"(its image budget), lets 8 more requests wait up to 3 s, and answers the rest 503 with Retry-After. "+
		"RSS is the server's VmRSS: before (one ordinary image drawn, then 3 s idle), the peak sampled every 100 ms during the flood, and 60 s after the flood ended.\n\n",
		clients, dur, imageChart)
	table(w, []string{"figure", "value"}, [][]string{
		{"requests", fmt.Sprint(total)},
		{"answered 200 (drawn)", fmt.Sprint(codes[http.StatusOK])},
		{"answered 503 (budget spent)", fmt.Sprintf("%d (%.0f%%)", codes[http.StatusServiceUnavailable], 100*share)},
		{"other answers", strings.Join(other, ", ")},
		{"RSS before", fMiB(float64(before.RSS))},
		{"peak RSS during the flood", fMiB(float64(peak))},
		{"RSS 60 s after the flood", fmt.Sprintf("%s (%.2f× before)", fMiB(float64(after.RSS)), float64(after.RSS)/float64(before.RSS))},
		{"/healthz latency during the flood (min / median / max)", health.mmm(fMS) + fmt.Sprintf(", %d probes, %d failed", len(health)+healthFail, healthFail)},
	})
	fence(w, "sh", strings.Join([]string{
		"make build && go run ./bench -only flood -o /tmp/flood.md",
		"# by hand: ten of these at once, N changing each time",
		"curl -s -o /dev/null -w '%{http_code}\\n' 'http://127.0.0.1:PORT/charts/" + imageChart + ".png?width=3999&height=4000&scale=1'",
	}, "\n"))
	b.rep.target(target{Goal: "image flood: peak RSS under 1 GiB", Got: fMiB(float64(peak)), Met: peak < 1<<20,
		Miss: fmt.Sprintf("%s over", fMiB(float64(peak-1<<20)))})
	ratio := float64(after.RSS) / float64(before.RSS)
	b.rep.target(target{Goal: "image flood: RSS 60 s after within 1.5× of before", Got: fmt.Sprintf("%.2f×", ratio), Met: ratio <= 1.5})
	b.rep.target(target{Goal: "image flood: /healthz answers throughout", Got: fmt.Sprintf("%d of %d", len(health), len(health)+healthFail), Met: healthFail == 0})
	return nil
}
