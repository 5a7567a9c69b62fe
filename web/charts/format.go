package charts

import (
	"math"
	"strconv"
	"strings"
)

// Number formats v with every stored digit (no rounding) and thousands
// separators: 1200 -> "1,200", 76.0198 -> "76.0198", -66 -> "-66".
func Number(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Raw formats v exactly as stored, without separators, for CSV files and
// machine-readable output.
func Raw(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Quantity formats a value with its unit for prose: "$170 billion",
// "$233 million", "6th", "25%", "1,200 companies", "2.5 million masks".
// The qualifier ("more than", "about") is put in front. Negative currency
// amounts are written with the minus before the currency sign.
func Quantity(v float64, unit, qualifier string) string {
	var s string
	abs := Number(math.Abs(v))
	sign := ""
	if v < 0 {
		sign = "-"
	}
	switch u := strings.TrimSpace(unit); {
	case strings.HasPrefix(u, "USD "):
		s = sign + "$" + abs + " " + strings.TrimPrefix(u, "USD ")
	case u == "USD":
		s = sign + "$" + abs
	case strings.HasPrefix(u, "KRW "):
		s = sign + "₩" + abs + " " + strings.TrimPrefix(u, "KRW ")
	case u == "percent":
		s = Number(v) + "%"
	case u == "rank":
		s = Ordinal(int(v))
	case u == "round":
		s = Ordinal(int(v)) + " round"
	case u == "":
		s = Number(v)
	default:
		s = Number(v) + " " + u
	}
	if qualifier != "" {
		s = qualifier + " " + s
	}
	return s
}

// Ordinal writes 1 as "1st", 2 as "2nd", 13 as "13th".
func Ordinal(n int) string {
	suffix := "th"
	switch n % 100 {
	case 11, 12, 13:
	default:
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}
