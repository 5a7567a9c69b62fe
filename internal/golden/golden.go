// Package golden compares test output with golden files in testdata/ and
// rewrites them when the test binary runs with -update.
package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// Check compares got with the golden file testdata/name. With -update it
// writes got there instead. A difference fails the test with the lines
// around the first differing one.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if d := Diff(string(want), string(got)); d != "" {
		t.Errorf("output differs from %s (-want +got); if the change is intended, run the test with -update and review the diff:\n%s", path, d)
	}
}

// Diff returns a short readable diff of two texts, or "" when they are
// equal: the lines around the first difference, marked - and +.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	for k := max(0, i-3); k < i; k++ {
		fmt.Fprintf(&b, "  %4d  %.200s\n", k+1, w[k])
	}
	for k := i; k < min(len(w), i+6); k++ {
		fmt.Fprintf(&b, "- %4d  %.200s\n", k+1, w[k])
	}
	for k := i; k < min(len(g), i+6); k++ {
		fmt.Fprintf(&b, "+ %4d  %.200s\n", k+1, g[k])
	}
	fmt.Fprintf(&b, "(%d lines want, %d lines got)", len(w), len(g))
	return b.String()
}
