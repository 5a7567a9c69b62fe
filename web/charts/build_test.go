package charts

import (
	"encoding/json"
	"testing"

	"github.com/bilateral/bilateral/datasets"
)

func TestBuildDefault(t *testing.T) {
	d := datasets.MustDefault()
	cs, err := Build(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		var m map[string]any
		if err := json.Unmarshal(c.OptionJSON, &m); err != nil {
			t.Errorf("%s: option is not JSON: %v", c.ID, err)
		}
		if c.Empty {
			t.Errorf("%s: empty on the default dataset", c.ID)
		}
		t.Logf("%s: %d bytes, %d rows, %d sources\n  %s", c.ID, len(c.OptionJSON), len(c.Table.Rows), len(c.Sources), c.Alt)
	}
}
