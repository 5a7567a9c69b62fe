package charts

import (
	"fmt"

	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/stats"
)

// Check returns the data-quality warnings that only the charts can give:
// a computed total (a series a chart adds up from two stored series) that
// adds values of different statuses in some year, such as an official
// export figure and a preliminary import figure. The chart shows such a
// total with the weaker status; the warning asks the editor to check that
// the two figures belong together. Warnings name the Observations sheet
// without a cell: the total is not a row of the workbook.
func Check(d *stats.Dataset) []schema.Warning {
	var out []schema.Warning
	for _, s := range Specs(d) {
		for _, ref := range s.Series {
			if ref.Sum == nil {
				continue
			}
			for _, m := range d.MixedStatus(ref.Sum[0], ref.Sum[1]) {
				out = append(out, schema.Warning{Sheet: stats.TableObservations, Code: stats.QualityMixedStatus,
					Message: fmt.Sprintf("the chart %q adds %s %d (%s) and %s %d (%s) into a computed total; it is shown as %s: check that the two figures come from the same release",
						s.Title, ref.Sum[0], m.Year, m.A, ref.Sum[1], m.Year, m.B, stats.WeakerStatus(m.A, m.B))})
			}
		}
	}
	return out
}
