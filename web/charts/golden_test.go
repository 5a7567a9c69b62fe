package charts

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/datasets"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestGoldenOptions pins the ECharts option of every chart built from the
// default dataset. After an intended change, refresh with
// `go test ./web/charts -update` and review the diff.
func TestGoldenOptions(t *testing.T) {
	cs, err := Build(datasets.MustDefault())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		t.Run(c.ID, func(t *testing.T) {
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, c.OptionJSON, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", c.ID+".golden.json")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run `go test ./web/charts -update` to create it)", err)
			}
			if d := lineDiff(string(want), pretty.String()); d != "" {
				t.Errorf("option of %s differs from %s (-want +got):\n%s", c.ID, path, d)
			}
		})
	}
}

// lineDiff returns a short readable diff of two texts, or "" when equal:
// the lines around the first difference, marked - and +.
func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	from := max(0, i-3)
	for k := from; k < i; k++ {
		fmt.Fprintf(&b, "  %4d  %s\n", k+1, w[k])
	}
	for k := i; k < min(len(w), i+6); k++ {
		fmt.Fprintf(&b, "- %4d  %s\n", k+1, w[k])
	}
	for k := i; k < min(len(g), i+6); k++ {
		fmt.Fprintf(&b, "+ %4d  %s\n", k+1, g[k])
	}
	fmt.Fprintf(&b, "(%d lines want, %d lines got)", len(w), len(g))
	return b.String()
}
