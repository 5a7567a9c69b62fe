package datasets

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestClipIsRuneSafe: caps cut at a character, never inside one (issue
// 10, finding 2: a 2000-byte cut split a Hangul character).
func TestClipIsRuneSafe(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{strings.Repeat("한", 5), 5, strings.Repeat("한", 5)},
		{strings.Repeat("한", 6), 5, strings.Repeat("한", 4) + "…"},
		{"ab\xffcd", 10, "ab\uFFFDcd"},
	} {
		got := Clip(tc.in, tc.n)
		if got != tc.want || !utf8.ValidString(got) || utf8.RuneCountInString(got) > tc.n {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
