package charts

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/internal/golden"
)

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
			golden.Check(t, c.ID+".golden.json", pretty.Bytes())
		})
	}
}
