package xlsx

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/bilateral/bilateral/stats"
)

// bigDataset is the sample dataset with n more observations, spread over
// series so that it stays valid.
func bigDataset(n int) *stats.Dataset {
	d := sampleDataset()
	const years = stats.MaxYear - stats.MinYear + 1
	for s := 0; s <= n/years; s++ {
		d.Series = append(d.Series, stats.Series{ID: fmt.Sprintf("bench-%d", s), Name: "Bench", Unit: "USD million", ReportedBy: "US"})
	}
	for i := 0; i < n; i++ {
		d.Observations = append(d.Observations, stats.Observation{
			Series: fmt.Sprintf("bench-%d", i/years), Year: stats.MinYear + i%years,
			Value: float64(i) * 1.25, Source: "bea-itrade",
		})
	}
	return d
}

func BenchmarkEncode(b *testing.B) {
	d := bigDataset(20000)
	for b.Loop() {
		if err := Encode(&bytes.Buffer{}, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	var buf bytes.Buffer
	if err := Encode(&buf, bigDataset(20000)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := Decode(buf.Bytes(), DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
