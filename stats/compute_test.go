package stats

import (
	"math"
	"reflect"
	"testing"
)

func pts(kv ...float64) []Point {
	var out []Point
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, Point{Year: int(kv[i]), Value: kv[i+1]})
	}
	return out
}

func exactEqual(a, b []Point) bool { return reflect.DeepEqual(a, b) }

func approxEqual(a, b []Point) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Year != b[i].Year || math.Abs(a[i].Value-b[i].Value) > 1e-9 {
			return false
		}
	}
	return true
}

func TestBalanceAndTotal(t *testing.T) {
	tests := []struct {
		name             string
		exports, imports []Point
		balance, total   []Point
	}{
		{"both years", pts(2019, 56.9, 2020, 51.2), pts(2019, 77.5, 2020, 76.0), pts(2019, -20.6, 2020, -24.8), pts(2019, 134.4, 2020, 127.2)},
		{"gap in imports stays a gap", pts(2018, 10, 2019, 56.9), pts(2019, 77.5), pts(2019, -20.6), pts(2019, 134.4)},
		{"unsorted input gives sorted output", pts(2020, 2, 2019, 1), pts(2019, 1, 2020, 1), pts(2019, 0, 2020, 1), pts(2019, 2, 2020, 3)},
		{"no overlap", pts(2018, 1), pts(2019, 1), nil, nil},
		{"exact in decimal", pts(2007, 34.7), pts(2007, 47.6), pts(2007, -12.9), pts(2007, 82.3)},
		{"mixed precision", pts(2020, 51.218), pts(2020, 76.0198), pts(2020, -24.8018), pts(2020, 127.2378)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Balance(tt.exports, tt.imports); !exactEqual(got, tt.balance) {
				t.Errorf("Balance(%v, %v) = %v, want %v", tt.exports, tt.imports, got, tt.balance)
			}
			if got := Total(tt.exports, tt.imports); !exactEqual(got, tt.total) {
				t.Errorf("Total(%v, %v) = %v, want %v", tt.exports, tt.imports, got, tt.total)
			}
		})
	}
}

func TestGrowth(t *testing.T) {
	tests := []struct {
		name string
		in   []Point
		want []Point
	}{
		{"consecutive years", pts(2020, 50, 2021, 75), pts(2021, 50)},
		{"never across a gap", pts(2017, 10, 2019, 20, 2020, 10), pts(2020, -50)},
		{"from a negative base", pts(2020, -20, 2021, -30), pts(2021, -50)},
		{"zero base is skipped", pts(2020, 0, 2021, 5), nil},
		{"single year", pts(2020, 5), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Growth(tt.in); !approxEqual(got, tt.want) {
				t.Errorf("Growth(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestShare(t *testing.T) {
	tests := []struct {
		name        string
		part, whole []Point
		want        []Point
	}{
		{"plain", pts(2021, 13.4), pts(2021, 100), pts(2021, 13.4)},
		{"zero whole dropped", pts(2020, 1, 2021, 1), pts(2020, 0, 2021, 4), pts(2021, 25)},
		{"missing whole is a gap", pts(2020, 1), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Share(tt.part, tt.whole); !approxEqual(got, tt.want) {
				t.Errorf("Share(%v, %v) = %v, want %v", tt.part, tt.whole, got, tt.want)
			}
		})
	}
}

func TestSpanAndYears(t *testing.T) {
	if _, _, ok := Span(nil); ok {
		t.Errorf("Span(nil) ok = true, want false")
	}
	if f, l, ok := Span(pts(2019, 1, 2007, 2, 2024, 3)); !ok || f != 2007 || l != 2024 {
		t.Errorf("Span = %d, %d, %v; want 2007, 2024, true", f, l, ok)
	}
	got := Years(pts(2019, 1, 2011, 1), pts(2011, 5, 2024, 1))
	if want := []int{2011, 2019, 2024}; !reflect.DeepEqual(got, want) {
		t.Errorf("Years = %v, want %v", got, want)
	}
}

func TestTotalsByRegion(t *testing.T) {
	ps := []Project{
		{Company: "A", AmountUSDm: 100, State: "Georgia", Counted: true},
		{Company: "A restated", AmountUSDm: 830, State: "Georgia", Counted: false},
		{Company: "B", AmountUSDm: 17000, State: "Texas", Counted: true},
		{Company: "C", AmountUSDm: 26, State: "Minnesota", Counted: true},
	}
	got := TotalsByRegion(ps)
	if len(got) != 3 {
		t.Fatalf("TotalsByRegion gave %d regions, want 3", len(got))
	}
	wantOrder := []struct {
		region string
		amount float64
		n      int
	}{{"Texas", 17000, 1}, {"Georgia", 100, 2}, {"Minnesota", 26, 1}}
	for i, w := range wantOrder {
		if got[i].Region != w.region || got[i].AmountUSDm != w.amount || len(got[i].Projects) != w.n {
			t.Errorf("TotalsByRegion[%d] = %s %v (%d projects), want %s %v (%d)", i, got[i].Region, got[i].AmountUSDm, len(got[i].Projects), w.region, w.amount, w.n)
		}
	}
}
