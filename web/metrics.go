package web

import (
	"fmt"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// metrics is a small Prometheus text-format exporter: request counts and
// latency by route and status, and the dataset version being served.
type metrics struct {
	version atomic.Int64

	// requests maps reqKey to *reqStats. Entries are created once per
	// route and status and then only counted into, without locks.
	requests sync.Map
}

type reqKey struct {
	route string
	code  int
}

type reqStats struct {
	count atomic.Uint64
	sumNs atomic.Int64
	// buckets counts requests by the first latency bucket they fit in (one
	// atomic add per request); /metrics sums them into Prometheus'
	// cumulative buckets.
	buckets [len(latencyBuckets)]atomic.Uint64
}

var latencyBuckets = [...]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

func newMetrics() *metrics { return &metrics{} }

func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		code := c.Response().Status
		if err != nil {
			code = statusOf(err)
		}
		route := c.Path() // the route pattern, so the label set stays small
		if route == "" {
			route = "unmatched"
		}
		m.observe(route, code, time.Since(start))
		return err
	}
}

func (m *metrics) observe(route string, code int, d time.Duration) {
	k := reqKey{route, code}
	v, ok := m.requests.Load(k)
	if !ok {
		v, _ = m.requests.LoadOrStore(k, &reqStats{})
	}
	st := v.(*reqStats)
	st.count.Add(1)
	st.sumNs.Add(int64(d))
	secs := d.Seconds()
	for i, b := range latencyBuckets {
		if secs <= b {
			st.buckets[i].Add(1)
			break
		}
	}
}

func (s *Server) handleMetrics(c echo.Context) error {
	var b strings.Builder
	m := s.metrics
	fmt.Fprintf(&b, "# HELP bilateral_dataset_version Dataset version being served.\n# TYPE bilateral_dataset_version gauge\nbilateral_dataset_version %d\n", m.version.Load())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(&b, "# HELP go_memstats_heap_alloc_bytes Heap bytes allocated and in use.\n# TYPE go_memstats_heap_alloc_bytes gauge\ngo_memstats_heap_alloc_bytes %d\n", ms.HeapAlloc)
	fmt.Fprintf(&b, "# HELP bilateral_image_renders_total Chart images drawn (cache misses).\n# TYPE bilateral_image_renders_total counter\nbilateral_image_renders_total %d\n", s.images.renders.Load())
	ib := s.images.budget
	fmt.Fprintf(&b, "# HELP bilateral_image_budget_pixels Pixels of chart images that may be drawn at once.\n# TYPE bilateral_image_budget_pixels gauge\nbilateral_image_budget_pixels %d\n", ib.limit)
	fmt.Fprintf(&b, "# HELP bilateral_image_pixels_in_flight Pixels of chart images being drawn now.\n# TYPE bilateral_image_pixels_in_flight gauge\nbilateral_image_pixels_in_flight %d\n", ib.inUse())
	fmt.Fprintf(&b, "# HELP bilateral_image_pixels_in_flight_peak Most pixels of chart images ever drawn at once.\n# TYPE bilateral_image_pixels_in_flight_peak gauge\nbilateral_image_pixels_in_flight_peak %d\n", ib.peak.Load())
	fmt.Fprintf(&b, "# HELP bilateral_image_refused_total Image requests refused (503) because the image budget was spent.\n# TYPE bilateral_image_refused_total counter\nbilateral_image_refused_total %d\n", ib.refused.Load())
	fmt.Fprintf(&b, "# HELP bilateral_decodes_in_flight Workbooks being decoded now.\n# TYPE bilateral_decodes_in_flight gauge\nbilateral_decodes_in_flight %d\n", s.decodes.inUse())
	fmt.Fprintf(&b, "# HELP bilateral_decodes_refused_total Uploads refused (503) because too many workbooks were being decoded.\n# TYPE bilateral_decodes_refused_total counter\nbilateral_decodes_refused_total %d\n", s.decodes.refused.Load())
	fmt.Fprintf(&b, "# HELP bilateral_connections_open Open client connections (trusted proxies not counted).\n# TYPE bilateral_connections_open gauge\nbilateral_connections_open %d\n", s.conns.total.Load())
	fmt.Fprintf(&b, "# HELP bilateral_connections_refused_total Connections closed because their client address had too many open.\n# TYPE bilateral_connections_refused_total counter\nbilateral_connections_refused_total %d\n", s.conns.refused.Load())
	fmt.Fprintf(&b, "# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())

	stats := map[reqKey]*reqStats{}
	var keys []reqKey
	m.requests.Range(func(k, v any) bool {
		keys = append(keys, k.(reqKey))
		stats[k.(reqKey)] = v.(*reqStats)
		return true
	})
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].code < keys[j].code
	})
	b.WriteString("# HELP http_requests_total HTTP requests by route and status.\n# TYPE http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "http_requests_total{route=%q,code=\"%d\"} %d\n", k.route, k.code, stats[k].count.Load())
	}
	b.WriteString("# HELP http_request_duration_seconds HTTP request latency by route and status.\n# TYPE http_request_duration_seconds histogram\n")
	for _, k := range keys {
		st := stats[k]
		var cum uint64
		for i, le := range latencyBuckets {
			cum += st.buckets[i].Load()
			fmt.Fprintf(&b, "http_request_duration_seconds_bucket{route=%q,code=\"%d\",le=\"%g\"} %d\n", k.route, k.code, le, cum)
		}
		n := st.count.Load()
		fmt.Fprintf(&b, "http_request_duration_seconds_bucket{route=%q,code=\"%d\",le=\"+Inf\"} %d\n", k.route, k.code, n)
		fmt.Fprintf(&b, "http_request_duration_seconds_sum{route=%q,code=\"%d\"} %g\n", k.route, k.code, time.Duration(st.sumNs.Load()).Seconds())
		fmt.Fprintf(&b, "http_request_duration_seconds_count{route=%q,code=\"%d\"} %d\n", k.route, k.code, n)
	}
	return c.Blob(http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", []byte(b.String()))
}
