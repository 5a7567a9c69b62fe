package xlsx

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// parseNumber reads a number as Excel stores it ("56.9", "1.5E-3") or as an
// analyst types it into a text cell (" 56.9 ", "1,200", "-1,234.5"). Commas
// are accepted only as thousands separators in groups of three, so that a
// decimal comma ("12,5") is refused rather than read as 125.
func parseNumber(s string) (float64, bool) {
	s = trim(s)
	m := s
	if m != "" && (m[0] == '+' || m[0] == '-') {
		m = m[1:]
	}
	if i := strings.IndexAny(m, "eE"); i >= 0 {
		exp := m[i+1:]
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			exp = exp[1:]
		}
		if !allDigits(exp) {
			return 0, false
		}
		m = m[:i]
	}
	intPart, frac, _ := strings.Cut(m, ".")
	if intPart == "" && frac == "" || !allDigitsOrEmpty(frac) {
		return 0, false
	}
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		if len(groups[0]) < 1 || len(groups[0]) > 3 || !allDigits(groups[0]) {
			return 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 || !allDigits(g) {
				return 0, false
			}
		}
	} else if !allDigitsOrEmpty(intPart) {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

func allDigits(s string) bool {
	return s != "" && allDigitsOrEmpty(s)
}

func allDigitsOrEmpty(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseYesNo reads the In state totals column. Besides yes and no it takes
// what Excel and LibreOffice produce when a cell is typed as a boolean.
func parseYesNo(s string) (bool, bool) {
	switch strings.ToLower(trim(s)) {
	case "yes", "y", "true", "1":
		return true, true
	case "no", "n", "false", "0":
		return false, true
	}
	return false, false
}

// parseChoice returns the canonical spelling of one of choices, matching
// case and spacing tolerantly; "" is a valid (absent) choice.
func parseChoice(s string, choices []string) (string, bool) {
	n := normalize(s)
	if n == "" {
		return "", true
	}
	for _, c := range choices {
		if n == normalize(c) {
			return c, true
		}
	}
	return "", false
}

// civil returns the date at UTC midnight, the form every date of a dataset
// is held in.
func civil(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Epochs of the two Excel date systems. In the 1900 system serial 1 is
// 1900-01-01 but Excel counts a 29 February 1900 that never was, so from
// serial 61 on dates are counted from 1899-12-30.
var (
	epoch1900     = civil(1899, time.December, 31)
	epoch1900Late = civil(1899, time.December, 30)
	epoch1904     = civil(1904, time.January, 1)
)

// maxSerial is 9999-12-31 in the 1900 system, Excel's last date.
const maxSerial = 2958465

// serialToDate converts an Excel date serial to a civil date. The time of
// day, if any, is dropped: datasets hold dates, not instants. It reports
// false for serials that are no date, including the phantom 29 February 1900.
func serialToDate(v float64, date1904 bool) (time.Time, bool) {
	if math.IsNaN(v) || v < 0 || v >= maxSerial+1 {
		return time.Time{}, false
	}
	days := int(math.Floor(v))
	switch {
	case date1904:
		return epoch1904.AddDate(0, 0, days), true
	case days < 1 || days == 60:
		return time.Time{}, false
	case days < 60:
		return epoch1900.AddDate(0, 0, days), true
	default:
		return epoch1900Late.AddDate(0, 0, days), true
	}
}

// firstSerialDate is the first date whose 1900-system serial is not affected
// by the phantom leap day; earlier dates are written as text.
var firstSerialDate = civil(1900, time.March, 1)

// dateToSerial converts a civil date to a 1900-system serial. It reports
// false for dates Excel cannot hold as a serial without ambiguity.
func dateToSerial(t time.Time) (float64, bool) {
	y, m, d := t.Date()
	c := civil(y, m, d)
	if c.Before(firstSerialDate) || y > 9999 {
		return 0, false
	}
	return float64(c.Sub(epoch1900Late) / (24 * time.Hour)), true
}

// parseTextDate reads a date typed as text: yyyy-mm-dd, optionally followed
// by a time as in ISO 8601 cells ("2020-10-16T00:00:00Z"), which is dropped.
func parseTextDate(s string) (time.Time, bool) {
	s = trim(s)
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, false
	}
	return civil(t.Date()), true
}

// formatDate writes a civil date the way the workbook asks for it.
func formatDate(t time.Time) string {
	return t.Format("2006-01-02")
}
