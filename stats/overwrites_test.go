package stats

import (
	"reflect"
	"testing"
)

func factsDataset(fs ...Fact) *Dataset { return &Dataset{Facts: fs} }

// TestOverwrites: what an upload made from base would undo of the changes
// from base to current (issue 10, finding 6), row by row and value by
// value; the upload's own changes elsewhere are not listed.
func TestOverwrites(t *testing.T) {
	a := Fact{Key: "a", Label: "A", Value: 1}
	b := Fact{Key: "b", Label: "B", Value: 2}
	c := Fact{Key: "c", Label: "C", Value: 3}
	a2 := a
	a2.Value = 10
	b2 := b
	b2.Value = 20
	base := factsDataset(a, b)
	current := factsDataset(a2, b, c) // a changed, c added since base
	for _, tc := range []struct {
		name   string
		upload *Dataset
		want   []Overwrite
	}{
		{"keeps every newer change", factsDataset(a2, b2, c), nil},
		{"puts the old value back", factsDataset(a, b, c), []Overwrite{{Table: TableFacts, Key: "a", Field: "Value", Base: "1", Current: "10", Upload: "1"}}},
		{"sets a third value", factsDataset(Fact{Key: "a", Label: "A", Value: 7}, b, c), []Overwrite{{Table: TableFacts, Key: "a", Field: "Value", Base: "1", Current: "10", Upload: "7"}}},
		{"removes a row added since", factsDataset(a2, b), []Overwrite{{Table: TableFacts, Key: "c", Current: "Label: C; Value: 3"}}},
		{"changes a row added since", factsDataset(a2, b, Fact{Key: "c", Label: "C", Value: 4}), []Overwrite{{Table: TableFacts, Key: "c", Field: "Value", Current: "3", Upload: "4"}}},
		{"removes a row changed since", factsDataset(b, c), []Overwrite{{Table: TableFacts, Key: "a", Field: "Value", Base: "1", Current: "10"}}},
	} {
		if got := Overwrites(base, current, tc.upload); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	// A row removed since base that the upload brings back.
	if got := Overwrites(factsDataset(a, b), factsDataset(a), factsDataset(a, b)); len(got) != 1 || got[0].Key != "b" || got[0].Current != "" || got[0].Upload == "" {
		t.Errorf("resurrected row: %+v", got)
	}
}
