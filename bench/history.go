package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/web"
)

// measureHistory is section 8: what a long history costs (issue 17).
// It runs in-process on the store and the server's handler, since what
// it measures is bytes in the store and the work of one page: bytes per
// version for an unchanged publish and for a one-cell change, the store
// after 10,000 publishes of the same workbook, and /admin and
// GET /api/v1/datasets with 10,000 versions in the store.
func (b *bench) measureHistory(ctx context.Context) error {
	const sec = "history"
	w := b.rep.sec(sec)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := datasets.MustDefault()
	var wbuf bytes.Buffer
	if err := xlsx.Encode(&wbuf, d); err != nil {
		return err
	}
	wb := wbuf.Bytes()
	ds, err := datasets.MarshalStorage(d)
	if err != nil {
		return err
	}

	// A store with the default dataset, as a server's first start leaves it.
	open := func(name string) (*sqlite.Store, error) {
		s, err := sqlite.Open(filepath.Join(b.tmp, name))
		if err != nil {
			return nil, err
		}
		_, err = s.Publish(ctx, datasets.NewVersion{Workbook: wb, Dataset: d, Author: "bilateral", Comment: "default"})
		return s, err
	}
	size := func(s *sqlite.Store) float64 {
		n, _ := s.Size(ctx)
		return float64(n)
	}

	// 1. Bytes per version, each publish its own transaction.
	const perKind = 200
	b.progress("history: %d unchanged publishes, %d one-cell changes", perKind, perKind)
	st, err := open("per-version")
	if err != nil {
		return err
	}
	before := size(st)
	t0 := time.Now()
	for range perKind {
		if _, err := st.Publish(ctx, datasets.NewVersion{Workbook: wb, Dataset: d, Author: "script", Comment: "scheduled upload"}); err != nil {
			st.Close()
			return err
		}
	}
	unchangedMS := float64(time.Since(t0).Microseconds()) / 1000 / perKind
	unchanged := (size(st) - before) / perKind
	// One cell changed each time: a new value in one observation, so a
	// new workbook and a new dataset every time.
	before = size(st)
	var changedWB int
	for i := range perKind {
		di := datasets.MustDefault()
		di.Observations[0].Value = float64(1000 + i)
		var buf bytes.Buffer
		if err := xlsx.Encode(&buf, di); err != nil {
			st.Close()
			return err
		}
		changedWB += buf.Len()
		if _, err := st.Publish(ctx, datasets.NewVersion{Workbook: buf.Bytes(), Dataset: di, Author: "script", Comment: "one figure revised"}); err != nil {
			st.Close()
			return err
		}
	}
	oneCell := (size(st) - before) / perKind
	st.Close()
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(ds)
	zw.Close()

	// 2. 10,000 publishes of the same workbook (what ?allow_empty=1 does
	// after the upload is checked), each its own transaction.
	const many = 10000
	b.progress("history: %d publishes of the same workbook", many)
	big, err := open("ten-thousand")
	if err != nil {
		return err
	}
	defer big.Close()
	start := size(big)
	t0 = time.Now()
	for range many {
		if _, err := big.Publish(ctx, datasets.NewVersion{Workbook: wb, Dataset: d, Author: "script", Comment: "scheduled upload"}); err != nil {
			return err
		}
	}
	manyTime := time.Since(t0)
	grown := size(big) - start
	var fileSize int64
	if fi, err := os.Stat(filepath.Join(b.tmp, "ten-thousand", sqlite.FileName)); err == nil {
		fileSize = fi.Size()
	}

	// 3. The pages, on that store (10,001 versions).
	b.progress("history: /admin and the API with %d versions", many+1)
	h, err := accounts.HashPassword("bench password, long enough")
	if err != nil {
		return err
	}
	if err := big.AddUser(ctx, "bench", h); err != nil {
		return err
	}
	tok, err := accounts.NewAPIToken(ctx, big, "bench")
	if err != nil {
		return err
	}
	srv, err := web.NewServer(web.Config{Store: big, Logger: quiet})
	if err != nil {
		return err
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.PostForm(ts.URL+"/admin/login", url.Values{"name": {"bench"}, "password": {"bench password, long enough"}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("signing in: %d", resp.StatusCode)
	}
	fetch := func(path string, hdr ...string) (int, float64, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		t0 := time.Now()
		resp, err := cl.Do(req)
		if err != nil {
			return 0, 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		ms := float64(time.Since(t0).Microseconds()) / 1000
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, truncate(string(body), 200))
		}
		return len(body), ms, err
	}
	n := pick(b.quick, 5, 30)
	type page struct {
		name, path string
		hdr        []string
		size       int
		ms         dist
	}
	pages := []*page{
		{name: "`GET /admin` (the newest 50)", path: "/admin"},
		{name: "`GET /admin?page=201` (the oldest)", path: "/admin?page=201"},
		{name: "`GET /api/v1/datasets` (first page, 50)", path: "/api/v1/datasets", hdr: []string{"Authorization", "Bearer " + tok}},
		{name: "`GET /api/v1/datasets?before=50` (the last page)", path: "/api/v1/datasets?before=50", hdr: []string{"Authorization", "Bearer " + tok}},
	}
	for _, p := range pages {
		if _, _, err := fetch(p.path, p.hdr...); err != nil { // warm
			return err
		}
		for range n {
			sz, ms, err := fetch(p.path, p.hdr...)
			if err != nil {
				return err
			}
			p.size = sz
			p.ms = append(p.ms, ms)
		}
	}
	// The history's rows on /admin, to show the page is the page.
	_, body, _ := func() (int, []byte, error) {
		resp, err := cl.Get(ts.URL + "/admin")
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}()
	rows := len(regexp.MustCompile(`<tr id="v\d+"`).FindAll(body, -1))

	// And publishes through the API with ?allow_empty=1 on the big store:
	// the same bytes per version as the direct publishes.
	const viaAPI = 100
	b.progress("history: %d publishes through the API", viaAPI)
	before = size(big)
	for range viaAPI {
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, _ := mw.CreateFormFile("file", "dataset.xlsx")
		fw.Write(wb)
		mw.Close()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/api/v1/datasets?allow_empty=1", &form)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := cl.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("POST /api/v1/datasets?allow_empty=1: %d", resp.StatusCode)
		}
	}
	apiBytes := (size(big) - before) / viaAPI

	// The report.
	fmt.Fprintf(w, "In-process (`go run ./bench -only history`): the SQLite store in a temporary directory (WAL, synchronous=FULL: every publish its own "+
		"committed transaction), and the server's handler behind `httptest`, signed in as an editor or with an API token. Store sizes are SQLite's "+
		"page_count × page_size, so a page SQLite allocates shows as its whole 4 KiB: small per-version figures are averages over many publishes. "+
		"The workbook is the default dataset's (%s); its dataset is %s as storage JSON, %s gzip-compressed. Before this storage "+
		"(issue 17, measured on a store of 7,825 versions) every version kept both whole: about 100 KiB per version, 776 MB in all.\n\n",
		fKiB(float64(len(wb))), fKiB(float64(len(ds))), fKiB(float64(gz.Len())))
	table(w, []string{"stored per version", "bytes", "how"}, [][]string{
		{"an unchanged publish (same workbook, same dataset)", fmt.Sprintf("%.0f", unchanged), fmt.Sprintf("mean over %d publishes of the default workbook into a store that holds it (%.2f ms each)", perKind, unchangedMS)},
		{"a one-cell change", fmt.Sprintf("%.0f", oneCell), fmt.Sprintf("mean over %d publishes, each with one observation's value changed (a new workbook of %s on average, and a new dataset)", perKind, fKiB(float64(changedWB)/perKind))},
		{"an unchanged publish through `POST /api/v1/datasets?allow_empty=1`", fmt.Sprintf("%.0f", apiBytes), fmt.Sprintf("mean over %d publishes through the API into the 10,001-version store below (with the audit line each writes)", viaAPI)},
	})
	table(w, []string{"10,000 publishes of the same workbook", ""}, [][]string{
		{"store growth", fmt.Sprintf("%s (%.0f bytes per version)", fMiB(grown/1024), grown/many)},
		{"store file afterwards (with its first version)", fMiB(float64(fileSize) / 1024)},
		{"time", fmt.Sprintf("%s (%.2f ms per publish)", manyTime.Round(time.Millisecond), float64(manyTime.Microseconds())/1000/many)},
	})
	var pr [][]string
	for _, p := range pages {
		pr = append(pr, []string{p.name, fKiB(float64(p.size)), p.ms.mmm(fMS)})
	}
	fmt.Fprintf(w, "With %d versions in the store: each page fetched once to warm up, then %d times; the time is from the request to the last byte "+
		"over loopback (uncompressed), min / median / max. /admin lists %d rows per page.\n\n", many+1, n, rows)
	table(w, []string{"page", "size", "time"}, pr)

	admin, api := pages[0], pages[2]
	b.rep.target(target{Goal: "10,000 identical publishes grow the store by under 10 MB", Got: fMiB(grown / 1024), Met: grown < 10e6,
		Miss: fmt.Sprintf("%.1f MB over", (grown-10e6)/1e6)})
	b.rep.target(target{Goal: "/admin with 10,000 versions is under 200 KB", Got: fKiB(float64(admin.size)), Met: admin.size < 200e3})
	b.rep.target(target{Goal: "/admin with 10,000 versions renders in under 100 ms (median)", Got: fMS(admin.ms.Median()), Met: admin.ms.Median() < 100,
		Miss: fMS(admin.ms.Median()-100) + " over"})
	b.rep.target(target{Goal: "the API's first page with 10,000 versions is under 20 KB", Got: fKiB(float64(api.size)), Met: api.size < 20e3})
	return nil
}
