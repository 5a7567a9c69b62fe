// Package chromium starts a headless Chromium for tests, for what only a
// browser shows: charts drawn by ECharts, screenshots to compare with
// server-rendered images, pages driven like a reader would.
//
// It uses Debian's chromium package (apt-get install chromium); no browser is
// ever downloaded. When Chromium is missing, tests are skipped with a message
// that names the package, unless BILATERAL_REQUIRE_TOOLS=1 (as in CI), which
// turns the skip into a failure so that a missing install step cannot pass
// unnoticed.
package chromium

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/bilateral/bilateral/internal/testtool"
)

// DebianPackage is the package that provides the browser.
const DebianPackage = "chromium"

// candidates are the places a browser is looked for, in order: the path in
// $BILATERAL_CHROMIUM, then Debian's binary, then other names on $PATH.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}

// Path returns the browser's executable, or "" and false when there is none.
func Path() (string, bool) {
	if p := os.Getenv("BILATERAL_CHROMIUM"); p != "" {
		if found, err := exec.LookPath(p); err == nil {
			return found, true
		}
	}
	for _, c := range candidates {
		if found, err := exec.LookPath(c); err == nil {
			return found, true
		}
	}
	return "", false
}

// ToolMissing reports a tool a test needs but cannot find: t.Fatal when
// BILATERAL_REQUIRE_TOOLS=1, otherwise t.Skip, naming the Debian package
// to install either way.
func ToolMissing(t testing.TB, tool, debianPackage string) {
	t.Helper()
	testtool.MissingPackage(t, tool, debianPackage)
}

// Flags are the command-line switches the browser is started with: headless,
// no sandbox (tests run as root in containers), no GPU, and nothing that
// talks to the network by itself.
var Flags = []string{
	"--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
	"--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
}

// New starts a headless Chromium with a fresh profile in a temporary
// directory and returns a chromedp context for one tab. The browser stops
// and the profile is removed when the test ends. When Chromium is missing,
// New skips the test (or fails it, see ToolMissing).
func New(t testing.TB) context.Context {
	t.Helper()
	path, ok := Path()
	if !ok {
		ToolMissing(t, "Chromium", DebianPackage)
	}
	// Not t.TempDir: the browser may still be writing its profile while the
	// testing package removes the directory, which fails the test.
	dir, err := os.MkdirTemp("", "bilateral-chromium-")
	if err != nil {
		t.Fatalf("chromium: profile directory: %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
	}
	for _, f := range Flags {
		opts = append(opts, chromedp.Flag(strings.TrimPrefix(f, "--"), true))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		os.RemoveAll(dir)
	})
	// The first action starts the browser; it must not carry a timeout,
	// which would stop the browser with it.
	start := make(chan error, 1)
	go func() { start <- chromedp.Do(ctx) }()
	select {
	case err := <-start:
		if err != nil {
			t.Fatalf("chromium: start %s: %v", path, err)
		}
	case <-time.After(testtool.Timeout(2 * time.Minute)):
		t.Fatalf("chromium: %s did not start within %v", path, testtool.Timeout(2*time.Minute))
	}
	return ctx
}

// Screenshot loads html as the document of the tab, with a viewport of
// w×h CSS pixels at device scale factor scale, waits until its fonts are
// loaded, and returns a PNG of the viewport (w*scale × h*scale pixels).
// Nothing is fetched: the document comes from memory (page.SetDocumentContent),
// so it should carry its resources inline (data: URLs).
func Screenshot(ctx context.Context, html string, w, h int, scale float64) ([]byte, error) {
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(int64(w), int64(h), chromedp.EmulateScale(scale)),
		chromedp.Navigate("about:blank"),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
			if err != nil {
				return fmt.Errorf("frame tree: %w", err)
			}
			_, err = cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: html})
			return err
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("chromium: load document: %w", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](waitForFontsJS, chromedp.EvalAwaitPromise)); err != nil {
		return nil, fmt.Errorf("chromium: wait for fonts: %w", err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return nil, fmt.Errorf("chromium: screenshot: %w", err)
	}
	return png, nil
}

// waitForFontsJS loads every font face the document declares (the page's
// text may not have asked for them yet, so document.fonts.ready alone can
// resolve too early) and waits two frames for the text to be drawn with them.
const waitForFontsJS = `(async () => {
  await Promise.all(Array.from(document.fonts, (f) => f.load().catch(() => null)));
  await document.fonts.ready;
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return true;
})()`

// DataURL returns b as a data: URL of media type mediaType, for inlining
// fonts and images into a document given to Screenshot.
func DataURL(mediaType string, b []byte) string {
	return "data:" + mediaType + ";base64," + base64.StdEncoding.EncodeToString(b)
}
