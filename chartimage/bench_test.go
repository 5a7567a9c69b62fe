package chartimage

import (
	"context"
	"testing"
)

// Benchmarks of one render of a typical chart (bars, a line, decals,
// caption) at the default size, 1200×675 at scale 2 for PNG. The pool is
// warm; every iteration runs ECharts again (nothing is cached here).
//
//	go test ./chartimage -run '^$' -bench . -benchtime 20x

func benchmarkRender(b *testing.B, f Format) {
	r := newTestRenderer(b)
	c := chartByID(b, "us-goods-trade")
	capt, o := captionOf(c), DefaultOptions(f)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	size := 0
	for i := 0; i < b.N; i++ {
		out, err := r.Render(ctx, c.OptionJSON, capt, o)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "bytes/image")
}

func BenchmarkRenderSVG(b *testing.B) { benchmarkRender(b, SVG) }
func BenchmarkRenderPNG(b *testing.B) { benchmarkRender(b, PNG) }
func BenchmarkRenderPDF(b *testing.B) { benchmarkRender(b, PDF) }

// BenchmarkRenderParallel renders PNGs from as many goroutines as the pool
// has runtimes.
func BenchmarkRenderParallel(b *testing.B) {
	r := newTestRenderer(b)
	c := chartByID(b, "us-goods-trade")
	capt, o := captionOf(c), DefaultOptions(PNG)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Render(context.Background(), c.OptionJSON, capt, o); err != nil {
				b.Error(err)
			}
		}
	})
}

// BenchmarkNew measures start-up: compiling ECharts, parsing the fonts and
// starting the first runtime.
func BenchmarkNew(b *testing.B) {
	dist := testDist(b)
	for i := 0; i < b.N; i++ {
		if _, err := New(dist, nil, 1, 0); err != nil {
			b.Fatal(err)
		}
	}
}
