package xlsx

import (
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"56.9", 56.9, true},
		{" 56.9 ", 56.9, true},
		{"\u00a056.9\u00a0", 56.9, true},
		{"1,200", 1200, true},
		{"-1,234,567.25", -1234567.25, true},
		{"+5", 5, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"1E-7", 1e-7, true},
		{"1.5e+3", 1500, true},
		{"0", 0, true},
		{"12,5", 0, false},
		{"12,5x", 0, false},
		{"1,20", 0, false},
		{"1,2000", 0, false},
		{",200", 0, false},
		{"1 200", 0, false},
		{"", 0, false},
		{".", 0, false},
		{"-", 0, false},
		{"e5", 0, false},
		{"1e", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"0x10", 0, false},
		{"1_000", 0, false},
		{"5%", 0, false},
		{"1e999", 0, false},
		{"#N/A", 0, false},
	} {
		got, ok := parseNumber(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseNumber(%q) = %v, %v, want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseYesNo(t *testing.T) {
	for _, tc := range []struct {
		in       string
		want, ok bool
	}{
		{"yes", true, true}, {"YES", true, true}, {" y ", true, true}, {"TRUE", true, true}, {"1", true, true},
		{"no", false, true}, {"No", false, true}, {"n", false, true}, {"false", false, true}, {"0", false, true},
		{"", false, false}, {"maybe", false, false}, {"2", false, false},
	} {
		got, ok := parseYesNo(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseYesNo(%q) = %v, %v, want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseTextDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2020-10-16", civil(2020, time.October, 16), true},
		{" 2020-10-16 ", civil(2020, time.October, 16), true},
		{"2020-10-16T00:00:00Z", civil(2020, time.October, 16), true},
		{"2020-10-16 13:45:00", civil(2020, time.October, 16), true},
		{"2020-02-30", time.Time{}, false},
		{"16/10/2020", time.Time{}, false},
		{"2020-10", time.Time{}, false},
	} {
		got, ok := parseTextDate(tc.in)
		if !got.Equal(tc.want) || ok != tc.ok || (ok && got.Location() != time.UTC) {
			t.Errorf("parseTextDate(%q) = %v, %v, want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSerialToDate(t *testing.T) {
	for _, tc := range []struct {
		serial   float64
		date1904 bool
		want     time.Time
		ok       bool
	}{
		{1, false, civil(1900, time.January, 1), true},
		{59, false, civil(1900, time.February, 28), true},
		{60, false, time.Time{}, false}, // 29 February 1900 never was
		{61, false, civil(1900, time.March, 1), true},
		{44120, false, civil(2020, time.October, 16), true},
		{44120.99, false, civil(2020, time.October, 16), true},
		{2958465, false, civil(9999, time.December, 31), true},
		{2958466, false, time.Time{}, false},
		{0, false, time.Time{}, false},
		{-1, false, time.Time{}, false},
		{0, true, civil(1904, time.January, 1), true},
		{42658, true, civil(2020, time.October, 16), true},
	} {
		got, ok := serialToDate(tc.serial, tc.date1904)
		if !got.Equal(tc.want) || ok != tc.ok {
			t.Errorf("serialToDate(%v, %v) = %v, %v, want %v, %v", tc.serial, tc.date1904, got, ok, tc.want, tc.ok)
		}
	}
}

// TestDateSerialsAgree checks our conversion both ways against excelize's
// over every day from 1900-03-01 to 2100, so the two never disagree about
// which day a cell shows.
func TestDateSerialsAgree(t *testing.T) {
	for d := firstSerialDate; d.Year() <= 2100; d = d.AddDate(0, 0, 1) {
		s, ok := dateToSerial(d)
		if !ok {
			t.Fatalf("dateToSerial(%v) failed", d)
		}
		back, ok := serialToDate(s, false)
		if !ok || !back.Equal(d) {
			t.Fatalf("serialToDate(dateToSerial(%v)) = %v, %v", d, back, ok)
		}
		ex, err := excelize.ExcelDateToTime(s, false)
		if err != nil || ex.Year() != d.Year() || ex.YearDay() != d.YearDay() {
			t.Fatalf("excelize.ExcelDateToTime(%v) = %v, want %v", s, ex, d)
		}
		if s < 1462 {
			continue // before the 1904 epoch
		}
		ex, err = excelize.ExcelDateToTime(s-1462, true)
		if err != nil || ex.Year() != d.Year() || ex.YearDay() != d.YearDay() {
			t.Fatalf("excelize.ExcelDateToTime(%v, 1904) = %v, want %v", s-1462, ex, d)
		}
		if back, ok := serialToDate(s-1462, true); !ok || !back.Equal(d) {
			t.Fatalf("serialToDate(%v, 1904) = %v, %v, want %v", s-1462, back, ok, d)
		}
	}
	if _, ok := dateToSerial(civil(1900, time.February, 28)); ok {
		t.Errorf("dateToSerial(1900-02-28) = ok, want text instead")
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Amount (USD million)", "amount (usd million)"},
		{"  amount\u00a0 (USD\nmillion) ", "amount (usd million)"},
		{"\ufeffSeries\u200b", "series"},
		{"", ""},
	} {
		if got := normalize(tc.in); got != tc.want {
			t.Errorf("normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
