package stats

import (
	"reflect"
	"testing"
)

func TestDiff(t *testing.T) {
	base := validDataset()
	tests := []struct {
		name   string
		mutate func(d *Dataset)
		want   []Change
	}{
		{"identical", func(d *Dataset) {}, nil},
		{"value changed", func(d *Dataset) { d.Observations[0].Value = 57.1 },
			[]Change{{Kind: Changed, Table: TableObservations, Key: "exp 2019", Field: "Value", Old: "56.9", New: "57.1"}}},
		{"row added", func(d *Dataset) {
			d.Observations = append(d.Observations, Observation{Series: "exp", Year: 2021, Value: 65.772, Source: "s1"})
		}, []Change{{Kind: Added, Table: TableObservations, Key: "exp 2021", New: "Value: 65.772; Source: s1"}}},
		{"row removed", func(d *Dataset) { d.Observations = d.Observations[:1] },
			[]Change{{Kind: Removed, Table: TableObservations, Key: "exp 2020", Old: "Value: 51.2; Source: s1"}}},
		{"metadata", func(d *Dataset) { d.Meta.Title = "New" },
			[]Change{{Kind: Changed, Table: TableMetadata, Key: "Title", Field: "Value", Old: "T", New: "New"}}},
		{"fact unit and year", func(d *Dataset) { d.Facts[0].Unit = "v"; d.Facts[0].Year = 2021 }, []Change{
			{Kind: Changed, Table: TableFacts, Key: "k", Field: "Unit", Old: "u", New: "v"},
			{Kind: Changed, Table: TableFacts, Key: "k", Field: "Year", Old: "2020", New: "2021"},
		}},
		{"project counted", func(d *Dataset) { d.Projects[0].Counted = true },
			[]Change{{Kind: Changed, Table: TableProjects, Key: "Zinus, , Georgia, ", Field: "In state totals", Old: "no", New: "yes"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDataset()
			tt.mutate(d)
			got := Diff(base, d)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Diff() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDiffDuplicateProjects(t *testing.T) {
	a := validDataset()
	a.Projects = append(a.Projects, a.Projects[0])
	b := validDataset()
	b.Projects = append(b.Projects, b.Projects[0])
	b.Projects[1].AmountUSDm = 200
	got := Diff(a, b)
	want := []Change{{Kind: Changed, Table: TableProjects, Key: "Zinus, , Georgia,  (#2)", Field: "Amount (USD million)", Old: "108", New: "200"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Diff() = %+v, want %+v", got, want)
	}
}
