package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/web"
)

// These benchmarks drive the server's handler in-process with the default
// dataset, for CPU profiles (the server has no pprof endpoint):
//
//	go test ./bench -run '^$' -bench ServeLoopback -benchtime 3s -cpuprofile /tmp/serve.cpu
//	go tool pprof -top /tmp/serve.cpu
//
// They are not figures to quote: make bench measures the real binary.

func newBenchServer(b *testing.B) http.Handler {
	b.Helper()
	store, err := sqlite.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	s, err := web.NewServer(web.Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	return s.Handler()
}

var reFirstID = regexp.MustCompile(`"id":"([^"]+)"`)

type servePath struct{ name, path, enc string }

func benchPaths(b *testing.B, h http.Handler) []servePath {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/charts", nil))
	var id string
	if rec.Code == http.StatusOK {
		if m := reFirstID.FindSubmatch(rec.Body.Bytes()); m != nil {
			id = string(m[1])
		}
	}
	if id == "" {
		b.Fatalf("GET /api/v1/charts: %d, no chart id", rec.Code)
	}
	return []servePath{
		{"dashboard-gzip", "/", "gzip"},
		{"dashboard-br", "/", "br"},
		{"chart-json-gzip", "/charts/" + id + ".json", "gzip"},
	}
}

// BenchmarkServeHandler calls the handler directly: routing, middleware
// and the handler, without the network.
func BenchmarkServeHandler(b *testing.B) {
	h := newBenchServer(b)
	for _, p := range benchPaths(b, h) {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, p.path, nil)
					req.Header.Set("Accept-Encoding", p.enc)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Errorf("GET %s: %d", p.path, rec.Code)
					}
				}
			})
		})
	}
}

// BenchmarkServeLoopback serves over a real loopback connection with 64
// client goroutines on keep-alive connections, like wrk -c64: the whole of
// net/http is in the profile, the client's side too. Each path runs twice
// in a row: as the server sends it (chunked), and with the handler wrapped
// to buffer the response and send it with Content-Length, an experiment on
// the framing alone.
func BenchmarkServeLoopback(b *testing.B) {
	h := newBenchServer(b)
	for _, p := range benchPaths(b, h) {
		for _, framing := range []string{"chunked", "content-length"} {
			b.Run(p.name+"/"+framing, func(b *testing.B) {
				var served http.Handler = h
				if framing == "content-length" {
					served = withContentLength(h)
				}
				ts := httptest.NewServer(served)
				defer ts.Close()
				tr := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
				defer tr.CloseIdleConnections()
				c := &http.Client{Transport: tr}
				b.SetParallelism(32) // 64 goroutines on 2 cores
				b.RunParallel(func(pb *testing.PB) {
					req, _ := http.NewRequest(http.MethodGet, ts.URL+p.path, nil)
					req.Header.Set("Accept-Encoding", p.enc)
					for pb.Next() {
						resp, err := c.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				})
			})
		}
	}
}

// BenchmarkServeWrites counts the write(2) calls the server makes per
// response (the writes/op metric), sequentially over one connection.
func BenchmarkServeWrites(b *testing.B) {
	h := newBenchServer(b)
	for _, p := range benchPaths(b, h) {
		for _, framing := range []string{"chunked", "content-length"} {
			b.Run(p.name+"/"+framing, func(b *testing.B) {
				var served http.Handler = h
				if framing == "content-length" {
					served = withContentLength(h)
				}
				var n atomic.Int64
				ts := httptest.NewUnstartedServer(served)
				ts.Listener = countingListener{ts.Listener, &n}
				ts.Start()
				defer ts.Close()
				c := ts.Client()
				req, _ := http.NewRequest(http.MethodGet, ts.URL+p.path, nil)
				req.Header.Set("Accept-Encoding", p.enc)
				n.Store(0)
				for b.Loop() {
					resp, err := c.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				b.ReportMetric(float64(n.Load())/float64(b.N), "writes/op")
			})
		}
	}
}

// countingListener counts Write calls on the connections it accepts.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.n.Add(1)
	return c.Conn.Write(p)
}

// BenchmarkDecodeGenerated decodes the 100,000-row workbook of section 2,
// what `bilateral validate` spends its time on.
func BenchmarkDecodeGenerated(b *testing.B) {
	data, err := syntheticWorkbook(100000)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := xlsx.Decode(data, xlsx.DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}

// withContentLength buffers each response and sends it with a
// Content-Length header in one write.
func withContentLength(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bw := &bufferedWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(bw, r)
		w.Header().Set("Content-Length", strconv.Itoa(len(bw.buf)))
		w.WriteHeader(bw.status)
		w.Write(bw.buf)
	})
}

type bufferedWriter struct {
	http.ResponseWriter
	status int
	buf    []byte
}

func (w *bufferedWriter) WriteHeader(code int) { w.status = code }
func (w *bufferedWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}
