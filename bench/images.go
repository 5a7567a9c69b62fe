package main

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bilateral/bilateral/chartimage"
)

// imageChart is the "typical chart" of the images section: bars, a line,
// gaps and decals.
const imageChart = "us-goods-trade"

// measureImages is section 5: chart images from the server, cold (drawn)
// and cached, against the obvious alternative: headless Chromium drawing
// the same interactive chart and taking a screenshot of it.
func (b *bench) measureImages(ctx context.Context) error {
	const sec = "images"
	w := b.rep.sec(sec)
	srv, err := b.startServer(ctx, "images-server")
	if err != nil {
		return err
	}
	defer srv.stop()

	// The very first image of a fresh server also waits for the JavaScript
	// engines to load ECharts (they start in the background at start-up).
	t0 := time.Now()
	if err := fetchOK(srv.base + "/charts/" + imageChart + ".png?width=1000&height=600"); err != nil {
		return err
	}
	first := time.Since(t0)

	type fmtResult struct {
		f            chartimage.Format
		cold, cached dist // milliseconds
		size         int
	}
	var results []fmtResult
	for _, f := range []chartimage.Format{chartimage.PNG, chartimage.SVG, chartimage.PDF} {
		r := fmtResult{f: f}
		for run := 0; run < b.runs; run++ {
			// A width not asked for before: drawn, not served from the cache.
			u := fmt.Sprintf("%s/charts/%s.%s?width=%d&height=675", srv.base, imageChart, f, 1200-run)
			if f == chartimage.PNG {
				u += "&scale=2"
			}
			b.progress("images: %s cold %d/%d", f, run+1, b.runs)
			start := time.Now()
			resp, body, err := get(u, "")
			if err != nil || resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s: %v %v", u, err, resp)
			}
			r.cold = append(r.cold, ms(time.Since(start)))
			r.size = len(body)
			// The same URL again: from the cache.
			var lat dist
			for i := 0; i < pick(b.quick, 10, 50); i++ {
				start := time.Now()
				if _, _, err := get(u, ""); err != nil {
					return err
				}
				lat = append(lat, ms(time.Since(start)))
			}
			r.cached = append(r.cached, lat.Median())
		}
		results = append(results, r)
	}

	browserWarm, browserCold, err := b.browserScreenshots(ctx, srv.base)
	if err != nil {
		return fmt.Errorf("headless Chromium: %w", err)
	}
	poolMiB, perRuntimeMiB, err := rendererMemory()
	if err != nil {
		return fmt.Errorf("renderer memory: %w", err)
	}

	fmt.Fprintf(w, "The chart `%s` (bars, a balance line, gaps, decal patterns, a three-line source caption) at 1200×675 CSS pixels, PNG at scale 2 (2400×1350 pixels), "+
		"requested over HTTP from a running server; %s of each figure. *Cold* is a width not requested before, so the server draws it "+
		"(ECharts in goja, then the Go rasteriser for PNG and the PDF writer); *cached* is the same URL again, served from the server's image cache "+
		"(median of the per-request times in each run). The first image of a freshly started server took %s (it also waits for the JavaScript engines to finish loading ECharts).\n\n",
		imageChart, runs(b.runs), fMS(ms(first)))
	var rows [][]string
	for _, r := range results {
		rows = append(rows, []string{strings.ToUpper(string(r.f)), r.cold.mmm(fMS), r.cached.mmm(fMS), fKiB(float64(r.size))})
	}
	table(w, []string{"format", "cold (min / median / max)", "cached", "size"}, rows)

	png := results[0]
	fmt.Fprintf(w, "The alternative: headless Chromium (Debian's, driven with chromedp) loads the chart's page, makes the chart interactive as a reader's pointer would "+
		"(ECharts in the browser), waits until it is drawn and takes a screenshot of it at 1200×675, device scale 2. *Warm browser*: one browser for all runs, a new "+
		"tab each time; *cold browser*: a browser started for each screenshot, as a one-off script would.\n\n")
	table(w, []string{"route", "min / median / max", "warm browser ÷ this route (per run)", "cold browser ÷ this route"}, [][]string{
		{"headless Chromium, cold browser", browserCold.mmm(fMS), "–", "1.00×"},
		{"headless Chromium, warm browser", browserWarm.mmm(fMS), "1.00×", ratios(browserCold, browserWarm).mmm(fRatio)},
		{"our server, cold PNG (drawn)", png.cold.mmm(fMS), ratios(browserWarm, png.cold).mmm(fRatio), ratios(browserCold, png.cold).mmm(fRatio)},
		{"our server, cached PNG", png.cached.mmm(fMS), ratios(browserWarm, png.cached).mmm(fRatio), ratios(browserCold, png.cached).mmm(fRatio)},
	})
	fmt.Fprintf(w, "Renderer memory: a pool of two JavaScript engines with ECharts loaded and one chart drawn in each holds %.1f MiB of Go heap (%.1f MiB per engine), "+
		"measured in-process with `runtime.ReadMemStats` before and after `chartimage.New` and two concurrent renders.\n\n", poolMiB, perRuntimeMiB)
	fence(w, "sh", strings.Join([]string{
		"curl -s -o /dev/null -w '%{time_total}\\n' 'http://127.0.0.1:PORT/charts/" + imageChart + ".png?width=1199&height=675&scale=2'   # cold: a new size",
		"curl -s -o /dev/null -w '%{time_total}\\n' 'http://127.0.0.1:PORT/charts/" + imageChart + ".png?width=1199&height=675&scale=2'   # cached",
		"bin/bilateral render " + imageChart + " --format png --width 1200 --height 675 --scale 2 -o chart.png   # offline, same drawing",
		"# the whole section, browser route included: go run ./bench -only images -o /tmp/images.md",
	}, "\n"))

	coldMed := png.cold.Median()
	b.rep.target(target{Goal: "images: cold PNG (1200×675×2) well under 300 ms median", Got: fMS(coldMed), Met: coldMed < 300,
		Miss: fmt.Sprintf("%s over", fMS(coldMed-300))})
	cachedMed := png.cached.Median()
	b.rep.target(target{Goal: "images: cached PNG under 2 ms", Got: fMS(cachedMed), Met: cachedMed < 2, Miss: fmt.Sprintf("%s over", fMS(cachedMed-2))})
	ratio := browserWarm.Median() / coldMed
	b.rep.target(target{Goal: "images: at least 10× faster than the headless-browser route (a warm browser against a PNG drawn cold)", Got: fRatio(ratio), Met: ratio >= 10,
		Miss: fmt.Sprintf("%.1f× short; a cold PNG would need to take %s", 10-ratio, fMS(browserWarm.Median()/10))})
	cr := browserWarm.Median() / cachedMed
	b.rep.target(target{Goal: "images: at least 10× faster than the headless-browser route (a warm browser against a cached PNG)", Got: fRatio(cr), Met: cr >= 10})
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fetchOK(u string) error {
	resp, _, err := get(u, "")
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
}

// chromeFlags are the flags of a headless Chromium that talks to nothing
// but the server.
var chromeFlags = []chromedp.ExecAllocatorOption{
	chromedp.ExecPath("/usr/bin/chromium"), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
	chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
}

// browserScreenshots times the browser route: warm (one browser, a tab per
// run) and cold (a browser per run).
func (b *bench) browserScreenshots(ctx context.Context, base string) (warm, cold dist, err error) {
	shot := func(bctx context.Context) (time.Duration, error) {
		tab, cancel := chromedp.NewContext(bctx)
		defer cancel()
		start := time.Now()
		err := chromedp.Do(tab,
			chromedp.EmulateViewport(1300, 1000, chromedp.EmulateScale(2)),
			chromedp.Navigate(base+"/charts/"+imageChart),
			chromedp.WaitVisible(chromedp.CSS("[data-chart-box]")),
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				// As a pointer would: load ECharts and draw the chart at
				// the image's size.
				_, err := chromedp.Evaluate[bool](`(() => {
					const box = document.querySelector('[data-chart-box]');
					box.style.width = '1200px'; box.style.height = '675px';
					document.querySelector('figure.chart').dispatchEvent(new PointerEvent('pointerenter'));
					return true })()`)(ctx, t)
				return err
			}),
		)
		if err != nil {
			return 0, err
		}
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](`(() => { const b = document.querySelector('[data-chart-box]'); return !!(b.bilateralChart && b.querySelector('svg path')) })()`,
			chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(5*time.Millisecond))); err != nil {
			return 0, err
		}
		png, err := chromedp.Run(tab, chromedp.Screenshot(chromedp.CSS("[data-chart-box]")))
		if err != nil {
			return 0, err
		}
		if len(png) == 0 {
			return 0, fmt.Errorf("empty screenshot")
		}
		return time.Since(start), nil
	}
	newBrowser := func() (context.Context, func(), error) {
		dir, err := os.MkdirTemp(b.tmp, "chromium-")
		if err != nil {
			return nil, nil, err
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromeFlags, chromedp.UserDataDir(dir))...)
		bctx, cancel := chromedp.NewContext(alloc)
		if err := chromedp.Do(bctx); err != nil { // start the browser
			cancel()
			cancelAlloc()
			return nil, nil, err
		}
		return bctx, func() { cancel(); cancelAlloc(); os.RemoveAll(dir) }, nil
	}

	bctx, stop, err := newBrowser()
	if err != nil {
		return nil, nil, err
	}
	if _, err := shot(bctx); err != nil { // warm-up: caches, fonts
		stop()
		return nil, nil, err
	}
	for run := 0; run < b.runs; run++ {
		b.progress("images: browser (warm) %d/%d", run+1, b.runs)
		d, err := shot(bctx)
		if err != nil {
			stop()
			return nil, nil, err
		}
		warm = append(warm, ms(d))
	}
	stop()
	for run := 0; run < b.runs; run++ {
		b.progress("images: browser (cold) %d/%d", run+1, b.runs)
		start := time.Now()
		bctx, stop, err := newBrowser()
		if err != nil {
			return nil, nil, err
		}
		_, err = shot(bctx)
		stop()
		if err != nil {
			return nil, nil, err
		}
		cold = append(cold, ms(time.Since(start)))
	}
	return warm, cold, ctx.Err()
}

// rendererMemory measures the Go heap a pool of two renderers holds.
func rendererMemory() (pool, perEngine float64, err error) {
	dist, err := fs.Sub(os.DirFS("."), filepath.Join("web", "static", "dist"))
	if err != nil {
		return 0, 0, err
	}
	opt, err := os.ReadFile(filepath.Join("web", "charts", "testdata", imageChart+".golden.json"))
	if err != nil {
		return 0, 0, err
	}
	heap := func() float64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapAlloc) / (1 << 20)
	}
	before := heap()
	r, err := chartimage.New(dist, nil, 2, 30*time.Second)
	if err != nil {
		return 0, 0, err
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = r.Render(context.Background(), opt, chartimage.Caption{Title: "t"}, chartimage.DefaultOptions(chartimage.SVG))
		}(i)
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return 0, 0, e
		}
	}
	after := heap()
	runtime.KeepAlive(r)
	return after - before, (after - before) / 2, nil
}
