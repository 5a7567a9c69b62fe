package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/bilateral/bilateral/internal/chromium"
	"github.com/bilateral/bilateral/internal/testtool"
)

// pageWatch records what a page does that a reader would not want to see:
// console errors, uncaught exceptions, failed requests and requests that
// leave the server.
type pageWatch struct {
	mu       sync.Mutex
	host     string
	problems []string
	requests []string
}

func (w *pageWatch) add(format string, args ...any) {
	w.mu.Lock()
	w.problems = append(w.problems, fmt.Sprintf(format, args...))
	w.mu.Unlock()
}

func watchPage(t *testing.T, ctx context.Context, base string) *pageWatch {
	t.Helper()
	u, _ := url.Parse(base)
	w := &pageWatch{host: u.Host}
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, runtime.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, log.Enable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				w.add("console.%s: %s", e.Type, strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			w.add("uncaught exception: %s", e.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				w.add("console error (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			w.mu.Lock()
			w.requests = append(w.requests, e.Request.URL)
			w.mu.Unlock()
			if ru, err := url.Parse(e.Request.URL); err == nil && ru.Scheme != "data" && ru.Host != w.host {
				w.add("request outside the server: %s", e.Request.URL)
			}
		case *network.EventLoadingFailed:
			if !e.Canceled {
				w.add("failed request (%s): %s", e.Type, e.ErrorText)
			}
		case *network.EventResponseReceived:
			if e.Response.Status >= 400 {
				w.add("HTTP %d for %s", e.Response.Status, e.Response.URL)
			}
		}
	})
	return w
}

func (w *pageWatch) check(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.problems {
		t.Error(p)
	}
	w.problems = nil
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %q: %v", js, err)
	}
	return v
}

// jsUntil is JavaScript for a promise that polls cond (an expression) every
// 50 ms and resolves to true when it holds, or to false after d (scaled by
// TEST_TIMEOUT_SCALE): a wait in the page on a condition, with a deadline.
func jsUntil(cond string, d time.Duration) string {
	return fmt.Sprintf(`(async () => { const end = Date.now() + %d; while (!(%s)) { if (Date.now() > end) return false; await new Promise(r => setTimeout(r, 50)); } return true })()`, testtool.Timeout(d).Milliseconds(), cond)
}

func startBrowserServer(t *testing.T) (context.Context, *httptest.Server) {
	t.Helper()
	ctx := chromium.New(t)
	s := newTestServer(t, nil)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return ctx, srv
}

// rect is an element's box in CSS pixels of the viewport.
type rect struct{ X, Y, W, H float64 }

func boxOf(t *testing.T, ctx context.Context, js string) rect {
	t.Helper()
	return eval[rect](t, ctx, `(() => { const r = (`+js+`).getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height} })()`)
}

// TestBrowserDashboard reads the dashboard the way a reader does: every
// chart shows, nothing breaks, nothing leaves the server, and the charts
// answer the mouse: tooltips with value, unit and source, legend toggles,
// the year range.
func TestBrowserDashboard(t *testing.T) {
	ctx, srv := startBrowserServer(t)
	w := watchPage(t, ctx, srv.URL)
	tctx, cancel := context.WithTimeout(ctx, testtool.Timeout(8*time.Minute))
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#trade"))); err != nil {
		t.Fatal(err)
	}

	// Before any interaction: every chart shows the server's image, and no
	// charting code has loaded.
	n := eval[int](t, tctx, `document.querySelectorAll('figure.chart[data-chart]').length`)
	if n < 8 {
		t.Fatalf("%d charts on the page, want at least 8", n)
	}
	loaded := eval[bool](t, tctx, `(async () => {
		for (const img of document.querySelectorAll('.chart-image img')) {
			img.scrollIntoView({behavior: 'instant'});
			if (!img.complete) await new Promise(r => { img.onload = r; img.onerror = r; });
		}
		window.scrollTo({top: 0, behavior: 'instant'});
		return [...document.querySelectorAll('.chart-image img')].every(i => i.naturalWidth > 0);
	})()`)
	if !loaded {
		t.Errorf("some chart images did not load")
	}
	if eval[bool](t, tctx, `[...document.scripts].some(s => s.src.includes('/charts-'))`) {
		t.Errorf("the charting bundle loaded before any interaction")
	}

	// Pointing at a chart loads the interactive version in its place.
	const box = `document.querySelector('#chart-us-goods-trade [data-chart-box]')`
	eval[bool](t, tctx, `(() => { `+box+`.scrollIntoView({block: 'center', behavior: 'instant'}); return true })()`)
	b := boxOf(t, tctx, box)
	if err := chromedp.Do(tctx, chromedp.MouseEvent(chromedp.MouseMoved, b.X+b.W/2, b.Y+b.H/2)); err != nil {
		t.Fatal(err)
	}
	drawn, err := chromedp.Run(tctx, chromedp.Poll[bool](box+`.bilateralChart && `+box+`.querySelector('svg path') !== null && !`+box+`.querySelector('.chart-image')`, chromedp.WithPollingTimeout(testtool.Timeout(2*time.Minute))))
	if err != nil || !drawn {
		state := eval[string](t, tctx, `JSON.stringify({hover: document.querySelector('#chart-us-goods-trade').matches(':hover'), at: (() => { const e = document.elementFromPoint(`+fmt.Sprint(b.X+b.W/2)+`, `+fmt.Sprint(b.Y+b.H/2)+`); return e && e.outerHTML.slice(0, 80) })(), scripts: [...document.scripts].map(s => s.src), cls: document.documentElement.className, inst: !!`+box+`.bilateralChart, html: `+box+`.innerHTML.slice(0, 300)})`)
		t.Fatalf("the interactive chart did not replace the image: %v\n%s", err, state)
	}

	// Tooltip: value, unit and source of the year under the pointer. A
	// busy machine can take seconds to show it.
	b = boxOf(t, tctx, box)
	var tip string
	for _, fx := range []float64{0.55, 0.6, 0.7, 0.8} {
		chromedp.Do(tctx, chromedp.MouseEvent(chromedp.MouseMoved, b.X+b.W*fx, b.Y+b.H*0.45))
		tip, _ = chromedp.Run(tctx, chromedp.Poll[string](`(() => { const t = document.querySelector('.chart-tooltip'); return t && getComputedStyle(t).display !== 'none' && t.textContent.includes('USD billion') ? t.textContent : '' })()`, chromedp.WithPollingTimeout(testtool.Timeout(20*time.Second))))
		if tip != "" {
			break
		}
	}
	for _, want := range []string{"USD billion", "Exports", "Imports", "Source"} {
		if !strings.Contains(tip, want) {
			t.Errorf("tooltip %q lacks %q", tip, want)
		}
	}

	// Legend: clicking "Imports" hides that series.
	legend := eval[rect](t, tctx, `(() => { const el = [...`+box+`.querySelectorAll('text')].find(e => e.textContent === 'Imports'); const r = el.getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height} })()`)
	if err := chromedp.Do(tctx, chromedp.MouseClickXY(legend.X+legend.W/2, legend.Y+legend.H/2)); err != nil {
		t.Fatal(err)
	}
	if sel := eval[bool](t, tctx, box+`.bilateralChart.getOption().legend[0].selected['Imports']`); sel {
		t.Errorf("after clicking its legend item, Imports is still shown")
	}

	// Year range: the slider's left handle dragged right narrows the years.
	before := eval[float64](t, tctx, box+`.bilateralChart.getOption().dataZoom[0].start`)
	b = boxOf(t, tctx, box)
	y := b.Y + b.H - 6 - 11 // the slider: 22px high, 6px above the bottom
	x0 := b.X + 48 + 3      // on the left handle (the slider starts 48px in)
	err = chromedp.Do(tctx, chromedp.MouseEvent(chromedp.MouseMoved, x0, y), chromedp.DragAndDropXY(x0, y, x0+(b.W-96)*0.5, y, 12))
	if err != nil {
		t.Fatal(err)
	}
	after := eval[float64](t, tctx, box+`.bilateralChart.getOption().dataZoom[0].start`)
	if after <= before+10 {
		t.Errorf("dragging the year slider moved its start from %v to %v", before, after)
	}

	// Every other chart draws once it is in view.
	ok := eval[bool](t, tctx, `(async () => {
		for (const f of document.querySelectorAll('figure.chart[data-chart]')) {
			f.scrollIntoView({behavior: 'instant'});
			const box = f.querySelector('[data-chart-box]');
			if (!await `+jsUntil(`box.bilateralChart && box.querySelector('svg path')`, time.Minute)+`) return false;
		}
		return true;
	})()`)
	if !ok {
		t.Errorf("not every chart drew once scrolled into view")
	}
	w.check(t)
}

// TestBrowserChartPage: the table, the sources and every download link.
func TestBrowserChartPage(t *testing.T) {
	ctx, srv := startBrowserServer(t)
	w := watchPage(t, ctx, srv.URL)
	tctx, cancel := context.WithTimeout(ctx, testtool.Timeout(6*time.Minute))
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(srv.URL+"/charts/rok-oda"), chromedp.WaitVisible(chromedp.CSS("table.data-table"))); err != nil {
		t.Fatal(err)
	}
	rows := eval[int](t, tctx, `document.querySelectorAll('table.data-table tbody tr').length`)
	if rows < 5 {
		t.Errorf("the table has %d rows", rows)
	}
	links := eval[[]string](t, tctx, `[...document.querySelectorAll('.chart-links a, .downloads a')].map(a => a.href)`)
	want := map[string]string{".csv": "text/csv", ".xlsx": xlsxType, ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml", ".pdf": "application/pdf"}
	seen := map[string]bool{}
	for _, l := range links {
		for ext, ct := range want {
			if !strings.HasSuffix(l, ext) {
				continue
			}
			seen[ext] = true
			resp, err := http.Get(l)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ct) {
				t.Errorf("%s = %d %s, want %s", l, resp.StatusCode, resp.Header.Get("Content-Type"), ct)
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("download links found for %v, want all of %d formats", seen, len(want))
	}
	// Pointing at the chart makes it interactive.
	eval[bool](t, tctx, `(() => { document.querySelector('[data-chart-box]').scrollIntoView({block: 'center', behavior: 'instant'}); return true })()`)
	b := boxOf(t, tctx, `document.querySelector('[data-chart-box]')`)
	if err := chromedp.Do(tctx, chromedp.MouseEvent(chromedp.MouseMoved, b.X+b.W/2, b.Y+b.H/2)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](`!!document.querySelector('[data-chart-box]').bilateralChart`, chromedp.WithPollingTimeout(testtool.Timeout(2*time.Minute)))); err != nil {
		t.Errorf("the chart page's chart did not become interactive: %v", err)
	}
	w.check(t)
}

// axeViolation is what axe-core reports for a rule a page breaks.
type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

func runAxe(t *testing.T, ctx context.Context) []axeViolation {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed (npm ci): %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(src))); err != nil {
		t.Fatalf("injecting axe-core: %v", err)
	}
	raw := eval[string](t, ctx, `axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations))`)
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestBrowserAccessibility runs axe-core on the dashboard and a chart page,
// in the light and the dark colour scheme, before and after the charts
// become interactive.
func TestBrowserAccessibility(t *testing.T) {
	ctx, srv := startBrowserServer(t)
	for _, scheme := range []string{"light", "dark"} {
		for _, path := range []string{"/", "/charts/us-goods-trade"} {
			t.Run(scheme+path, func(t *testing.T) {
				tctx, cancel := context.WithTimeout(ctx, testtool.Timeout(6*time.Minute))
				defer cancel()
				err := chromedp.Do(tctx,
					chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
						_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
							Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
						})
						return err
					}),
					chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main")))
				if err != nil {
					t.Fatal(err)
				}
				// The interactive charts too: load them as a pointer would, and
				// let each draw once in view, so that axe sees them drawn.
				undrawn := eval[string](t, tctx, `(async () => {
					document.querySelector('figure.chart').dispatchEvent(new PointerEvent('pointerenter'));
					for (const f of document.querySelectorAll('figure.chart')) {
						f.scrollIntoView({behavior: 'instant'});
						const box = f.querySelector('[data-chart-box]');
						if (!await `+jsUntil(`box.bilateralChart && box.querySelector('svg path')`, time.Minute)+`) return f.dataset.chart;
					}
					return '';
				})()`)
				if undrawn != "" {
					t.Errorf("chart %s did not become interactive", undrawn)
				}
				for _, v := range runAxe(t, tctx) {
					var where []string
					for _, n := range v.Nodes {
						where = append(where, n.HTML)
					}
					t.Errorf("axe: %s (%s) at %d places, e.g. %s", v.ID, v.Help, len(v.Nodes), strings.Join(where[:min(2, len(where))], " | "))
				}
			})
		}
	}
}

// TestBrowserPrint prints the dashboard to PDF (A4) as a reader would and
// checks the printout: narrative and chart titles present, navigation and
// download links left out, every chart printed as its image.
func TestBrowserPrint(t *testing.T) {
	ctx, srv := startBrowserServer(t)
	tctx, cancel := context.WithTimeout(ctx, testtool.Timeout(8*time.Minute))
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#trade"))); err != nil {
		t.Fatal(err)
	}
	// Print waits for nothing lazy: load every image first, as a reader's
	// browser does when asked to print.
	eval[bool](t, tctx, `(async () => {
		for (const img of document.querySelectorAll('.chart-image img')) {
			img.loading = 'eager';
			if (!img.complete) await new Promise(r => { img.onload = r; img.onerror = r; });
		}
		return true;
	})()`)
	pdf, err := chromedp.Run(tctx, chromedp.Action[[]byte](func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"Trade", "U.S. goods trade with Korea", "Sources", "more than $170 billion"} {
		if !strings.Contains(text, want) {
			t.Errorf("the printout lacks %q", want)
		}
	}
	for _, unwanted := range []string{"Skip to content", "Table and sources"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("the printout shows %q, which is for the screen", unwanted)
		}
	}
}

// pdfText extracts a PDF's text with Debian's pdftotext (poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		chromium.ToolMissing(t, "pdftotext", "poppler-utils")
	}
	f := filepath.Join(t.TempDir(), "print.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
