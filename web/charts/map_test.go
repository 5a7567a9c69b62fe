package charts

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/datasets"
)

// TestMapRegionWithNothingCounted: a state whose projects are all listed
// but not counted (an acquisition, a project without an announcement year)
// is drawn as having no total, not as the lowest total, and the alt text
// says so.
func TestMapRegionWithNothingCounted(t *testing.T) {
	cs, err := Build(datasets.MustDefault())
	if err != nil {
		t.Fatal(err)
	}
	var m *Chart
	for _, c := range cs {
		if c.ID == "investment-map" {
			m = c
		}
	}
	if m == nil {
		t.Fatal("no investment-map chart")
	}
	js, err := json.Marshal(m.Option["series"])
	if err != nil {
		t.Fatal(err)
	}
	var series []struct {
		Data []struct {
			Name  string   `json:"name"`
			Value *float64 `json:"value"`
		} `json:"data"`
	}
	if err := json.Unmarshal(js, &series); err != nil {
		t.Fatal(err)
	}
	values := map[string]*float64{}
	for _, it := range series[0].Data {
		values[it.Name] = it.Value
	}
	if v, ok := values["North Dakota"]; !ok || v != nil {
		t.Errorf("North Dakota (an acquisition, listed not counted) = %v, present %v; want null", v, ok)
	}
	if v := values["Texas"]; v == nil || *v <= 0 {
		t.Errorf("Texas = %v, want its counted total", v)
	}
	if !strings.Contains(m.Alt, "North Dakota (none counted; 1 project listed)") {
		t.Errorf("alt text = %q", m.Alt)
	}
}
