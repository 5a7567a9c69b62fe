// Package chartimage draws the dashboard's charts as stand-alone images for
// reports: SVG, PNG and PDF, with a caption (title, subtitle, sources, the
// date of the data and the chart's address), on the server and without a
// browser.
//
// One chart definition, two renderers: the ECharts option the page draws
// (web/charts) is rendered here by the same ECharts build the page uses
// (web/static/dist/echarts-ssr.js, theme "bilateral"), running in goja, a
// JavaScript engine in pure Go, through ECharts' server-side SVG renderer.
// Text is measured with the page's font (Pretendard, embedded), so labels
// wrap, truncate and align as in the browser, Hangul included. The SVG is
// then cleaned (see normalizer), laid out under its caption, and either
// written out or painted with github.com/tdewolff/canvas into a PNG (our
// own x/image/vector rasteriser and PNG writer) or a PDF (canvas' writer,
// fonts embedded as subsets, text searchable).
//
// Usage:
//
//	r, err := chartimage.New(distFS, nil, 0, 0) // reads distFS's manifest.json; GOMAXPROCS runtimes
//	img, err := r.Render(ctx, chart.OptionJSON, chartimage.Caption{...}, chartimage.DefaultOptions(chartimage.PNG))
//
// Options.Validate (called by Render) returns a *BoundsError, whose message
// names the parameter and its allowed range, for sizes out of bounds; a
// render that runs past the timeout returns an error wrapping ErrTimeout.
//
// Safety: every string from the data (labels, caption) reaches the SVG
// through one escaping writer (writeSVG), and the SVG keeps only a
// whitelist of drawing elements and attributes. Nothing from the data is
// ever run as script: the option is passed to the JavaScript runtime as a
// string argument and parsed with JSON.parse; the runtime has no require,
// network, file system or timers (setTimeout is a no-op), its clock is
// stopped and Math.random is seeded, so an image is a function of its
// inputs. Each render is bounded by a timeout that interrupts the runtime,
// and an interrupted or failed runtime is thrown away, never reused.
//
// What "identical to the page" means and how it is checked: the PNG is
// compared with Chromium's rendering of the SVG (TestFidelity), and the
// text metrics with the font's own advances (TestMeasureText).
package chartimage
