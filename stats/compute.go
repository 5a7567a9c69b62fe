package stats

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Point is one year's value of a series.
type Point struct {
	Year  int
	Value float64
}

// byYear indexes points by year.
func byYear(ps []Point) map[int]float64 {
	m := make(map[int]float64, len(ps))
	for _, p := range ps {
		m[p.Year] = p.Value
	}
	return m
}

// combine applies f to the values of a and b in every year both have, in
// year order. A year present in only one input is a gap in the result.
func combine(a, b []Point, f func(x, y float64) float64) []Point {
	mb := byYear(b)
	var out []Point
	for _, p := range a {
		if v, ok := mb[p.Year]; ok {
			out = append(out, Point{Year: p.Year, Value: f(p.Value, v)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out
}

// Balance returns exports minus imports for every year in which both are
// known. A negative balance is a deficit of the reporting economy. The
// result is exact in decimal: 34.7 - 47.6 is -12.9, not -12.900000000000006.
func Balance(exports, imports []Point) []Point {
	return combine(exports, imports, func(x, m float64) float64 { return decimalRound(x-m, max(decimals(x), decimals(m))) })
}

// Total returns exports plus imports (two-way trade) for every year in which
// both are known, exact in decimal like Balance.
func Total(exports, imports []Point) []Point {
	return combine(exports, imports, func(x, m float64) float64 { return decimalRound(x+m, max(decimals(x), decimals(m))) })
}

// decimals returns the number of digits after the decimal point in the
// shortest representation of v (56.9 has 1, 76.0198 has 4).
func decimals(v float64) int {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

// decimalRound rounds v to n decimal places. Sums and differences of
// decimal inputs are exact at the inputs' precision, so this removes only
// binary floating-point noise, never information.
func decimalRound(v float64, n int) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', n, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// Growth returns the year-on-year change in percent. A year is included only
// when the previous calendar year is present and non-zero: growth is never
// computed across a gap.
func Growth(ps []Point) []Point {
	m := byYear(ps)
	var out []Point
	for _, p := range ps {
		prev, ok := m[p.Year-1]
		if !ok || prev == 0 {
			continue
		}
		out = append(out, Point{Year: p.Year, Value: (p.Value - prev) / math.Abs(prev) * 100})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out
}

// Share returns part as a percentage of whole for every year in which both
// are known and whole is non-zero.
func Share(part, whole []Point) []Point {
	var out []Point
	for _, p := range combine(part, whole, func(x, w float64) float64 {
		if w == 0 {
			return math.NaN()
		}
		return x / w * 100
	}) {
		if !math.IsNaN(p.Value) {
			out = append(out, p)
		}
	}
	return out
}

// Span returns the first and last year of the points, and false when there
// are none.
func Span(ps []Point) (first, last int, ok bool) {
	if len(ps) == 0 {
		return 0, 0, false
	}
	first, last = ps[0].Year, ps[0].Year
	for _, p := range ps[1:] {
		first = min(first, p.Year)
		last = max(last, p.Year)
	}
	return first, last, true
}

// Years returns the sorted union of the years of all the given series, so
// that charts can lay several series with gaps on one axis.
func Years(series ...[]Point) []int {
	seen := map[int]bool{}
	var out []int
	for _, ps := range series {
		for _, p := range ps {
			if !seen[p.Year] {
				seen[p.Year] = true
				out = append(out, p.Year)
			}
		}
	}
	sort.Ints(out)
	return out
}

// RegionTotal is the sum of counted project amounts in one state or region.
type RegionTotal struct {
	Region     string
	AmountUSDm float64
	Projects   []Project // every project in the region, counted or not
}

// TotalsByRegion sums counted project amounts per state, largest first.
// Projects not counted (restatements or overlapping announcements) are listed
// with their region but add nothing to its total.
func TotalsByRegion(projects []Project) []RegionTotal {
	idx := map[string]int{}
	var out []RegionTotal
	for _, p := range projects {
		i, ok := idx[p.State]
		if !ok {
			i = len(out)
			idx[p.State] = i
			out = append(out, RegionTotal{Region: p.State})
		}
		out[i].Projects = append(out[i].Projects, p)
		if p.Counted {
			out[i].AmountUSDm += p.AmountUSDm
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].AmountUSDm > out[j].AmountUSDm })
	return out
}
