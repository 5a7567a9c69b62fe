package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkServeDashboard drives GET / through the whole router, as a
// browser asking for gzip would.
func BenchmarkServeDashboard(b *testing.B) {
	s := newTestServer(b, nil)
	h := s.Handler()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	h.ServeHTTP(httptest.NewRecorder(), req) // compress once
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatal(w.Code)
			}
		}
	})
}

// BenchmarkServeChartJSON is the same for a chart's option.
func BenchmarkServeChartJSON(b *testing.B) {
	s := newTestServer(b, nil)
	h := s.Handler()
	req := httptest.NewRequest(http.MethodGet, "/charts/us-goods-trade.json", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
		}
	})
}
