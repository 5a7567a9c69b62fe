package web

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/internal/chromium"
	"github.com/bilateral/bilateral/internal/testtool"
)

// TestBrowserEditorPublishes drives the editors' pages in Chromium: sign
// in, upload a changed workbook over a slow link (the progress bar moves),
// read the preview, publish, and find the new figure on the dashboard.
func TestBrowserEditorPublishes(t *testing.T) {
	ctx := chromium.New(t)
	s, store := newTestServerStore(t, nil)
	h, _ := accounts.HashPassword(testPassword)
	store.AddUser(context.Background(), "ana", h)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	d := datasets.MustDefault()
	for i, o := range d.Observations {
		if o.Series == "us_goods_exports" && o.Year == 2022 {
			d.Observations[i].Value = 71.9
		}
	}
	file := filepath.Join(t.TempDir(), "changed.xlsx")
	if err := os.WriteFile(file, workbook(t, d), 0o644); err != nil {
		t.Fatal(err)
	}

	tctx, cancel := context.WithTimeout(ctx, testtool.Timeout(5*time.Minute))
	defer cancel()
	err := chromedp.Do(tctx,
		chromedp.Navigate(srv.URL+"/admin"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "ana"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("input#file")),
		chromedp.SetUploadFiles(chromedp.CSS("input#file"), []string{file}),
		// About 40 KiB/s up: the workbook takes a second or two, long
		// enough to watch the progress bar.
		throttleUpload(40*1024),
	)
	if err != nil {
		t.Fatalf("signing in and choosing the file: %v", err)
	}
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS("form[data-upload-form] button[type=submit]"))); err != nil {
		t.Fatal(err)
	}
	progress, err := chromedp.Run(tctx, chromedp.Poll[float64](
		`(() => { const p = document.querySelector('#upload-bar'); return p && !p.closest('[hidden]') && p.value > 0 && p.value < 100 ? p.value : null })()`,
		chromedp.WithPollingTimeout(testtool.Timeout(2*time.Minute))))
	if err != nil {
		t.Errorf("the progress bar never showed partial progress: %v", err)
	} else {
		t.Logf("progress bar seen at %.0f%%", progress)
	}
	if err := chromedp.Do(tctx,
		throttleUpload(-1),
		chromedp.WaitVisible(chromedp.CSS("table.changes")),
	); err != nil {
		loc, _ := chromedp.Run(tctx, chromedp.Location())
		t.Fatalf("no preview after the upload (at %s): %v", loc, err)
	}
	changes, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("table.changes tbody")))
	if !strings.Contains(changes, "us_goods_exports 2022") || !strings.Contains(changes, "71.47") || !strings.Contains(changes, "71.9") {
		t.Errorf("preview = %q, want us_goods_exports 2022 71.47 → 71.9", changes)
	}
	if err := chromedp.Do(tctx,
		chromedp.SendKeys(chromedp.CSS("#comment"), "2022 exports revised"),
		// The button's own click, not a mouse event at coordinates taken
		// a moment before: the long preview above it can still move while
		// its fonts and lazy chart images arrive, and a click at the old
		// place then lands beside the button (the test hung here now and
		// then under load).
		chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action$="/publish"] button').click()`),
		chromedp.WaitVisible(chromedp.CSS(".notice--ok")),
	); err != nil {
		dctx, cancel := context.WithTimeout(ctx, testtool.Timeout(20*time.Second))
		defer cancel()
		loc, _ := chromedp.Run(dctx, chromedp.Location())
		main, _ := chromedp.Run(dctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 800)`))
		t.Fatalf("publishing: %v (at %s; the page reads: %q)", err, loc, main)
	}
	flash, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(".notice--ok")))
	if !strings.Contains(flash, "Version 2") {
		t.Errorf("after publishing the page says %q", flash)
	}
	if err := chromedp.Do(tctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#trade"))); err != nil {
		t.Fatal(err)
	}
	trade, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#trade .story-text")))
	if !strings.Contains(trade, "$71.9 billion") {
		t.Errorf("the dashboard's trade text does not show the new figure: %q", trade)
	}
}

// throttleUpload limits the tab's upload speed in bytes per second (-1:
// no limit). Network.enable comes first: conditions apply to tracked
// requests only.
func throttleUpload(bytesPerSec float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: bytesPerSec}},
		})
		return err
	})
}

// TestBrowserUploadTooLarge: a workbook over the size limit, sent by the
// upload script, is refused with the server's message naming the limit,
// shown in the page.
func TestBrowserUploadTooLarge(t *testing.T) {
	ctx := chromium.New(t)
	s, store := newTestServerStore(t, nil)
	s.cfg.MaxUpload = 1 << 20
	h, _ := accounts.HashPassword(testPassword)
	store.AddUser(context.Background(), "ana", h)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "huge.xlsx")
	if err := os.WriteFile(file, make([]byte, 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var msg string
	err := chromedp.Do(tctx,
		chromedp.Navigate(srv.URL+"/admin"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "ana"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("input#file")),
		chromedp.SetUploadFiles(chromedp.CSS("input#file"), []string{file}),
		chromedp.Click(chromedp.CSS("form[data-upload-form] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#upload-result .notice--error")),
	)
	if err != nil {
		t.Fatalf("uploading: %v", err)
	}
	msg, _ = chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#upload-result .notice--error")))
	if !strings.Contains(msg, "1 MiB limit") {
		t.Errorf("the page says %q, want the server's message naming the 1 MiB limit", msg)
	}
}
