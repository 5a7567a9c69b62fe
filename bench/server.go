package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// server is a running `bilateral serve` with a fresh data directory.
type server struct {
	*proc
	base  string // http://127.0.0.1:PORT
	port  int
	data  string
	token string
}

// client talks to the servers without transparent decompression, so that
// the bytes compared and counted are the bytes on the wire.
var client = &http.Client{
	Timeout: 60 * time.Second,
	Transport: &http.Transport{
		DisableCompression:  true,
		MaxIdleConnsPerHost: 16,
	},
}

// startServer creates an API token in a fresh data directory, then starts
// the server on a free loopback port and waits until it is ready.
func (b *bench) startServer(ctx context.Context, name string) (*server, error) {
	data := filepath.Join(b.tmp, name+"-data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	out, err := runCmd(ctx, b.bin, "token", "create", "bench", "--data", data)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	token := strings.TrimSpace(lines[len(lines)-1])
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p, err := startProc(b.tmp, name, b.serverBin, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--data", data)
	if err != nil {
		return nil, err
	}
	s := &server{proc: p, base: fmt.Sprintf("http://127.0.0.1:%d", port), port: port, data: data, token: token}
	if err := waitHTTP(ctx, p, s.base+"/readyz", 90*time.Second); err != nil {
		p.stop()
		return nil, err
	}
	return s, nil
}

// get fetches a path with the given Accept-Encoding ("" for none) and
// returns the response with its body read.
func get(url, enc string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	if enc != "" {
		req.Header.Set("Accept-Encoding", enc)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// firstChartID asks the API for the charts and returns the first id.
func (s *server) firstChartID() (string, error) {
	resp, body, err := get(s.base+"/api/v1/charts", "")
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET /api/v1/charts: %s", resp.Status)
	}
	var list struct {
		Charts []struct {
			ID string `json:"id"`
		} `json:"charts"`
	}
	if err := json.Unmarshal(body, &list); err != nil || len(list.Charts) == 0 {
		return "", fmt.Errorf("GET /api/v1/charts: no charts (%v)", err)
	}
	return list.Charts[0].ID, nil
}

// upload POSTs a workbook to /api/v1/datasets (with ?dry_run=1 when dry)
// and returns the status and body. A publish passes ?allow_empty=1: the
// sections publish the same workbooks again and again, and measure
// publishing, which an unchanged upload otherwise skips.
func (s *server) upload(ctx context.Context, wb []byte, name, comment string, dry bool) (int, []byte, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if comment != "" {
		mw.WriteField("comment", comment)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return 0, nil, err
	}
	fw.Write(wb)
	mw.Close()
	url := s.base + "/api/v1/datasets"
	if dry {
		url += "?dry_run=1"
	} else {
		url += "?allow_empty=1"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, &body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// versionOf reads the version number from a 201 upload response.
func versionOf(body []byte) (int, error) {
	var r struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Version == 0 {
		return 0, fmt.Errorf("no version in %q", truncate(string(body), 200))
	}
	return r.Version, nil
}

// authGet fetches an API path with the token.
func (s *server) authGet(path string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

var (
	etagVersion = regexp.MustCompile(`^(?:W/)?"v(\d+)-`)
	bodyVersion = regexp.MustCompile(`dataset version (\d+)`)
)

// headerVersion reads X-Dataset-Version; 0 when absent or malformed.
func headerVersion(h http.Header) int {
	n, _ := strconv.Atoi(h.Get("X-Dataset-Version"))
	return n
}

// etagVer reads the vN of an ETag "vN-hash"; 0 when it has none.
func etagVer(h http.Header) int {
	m := etagVersion.FindStringSubmatch(h.Get("ETag"))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
