package datasets

import (
	"embed"
	"fmt"
	"io/fs"
	"sync"

	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/stats"
)

// The chart and text definitions every version published before charts
// and text moved into the workbook was shown with: the 13 charts of
// web/charts/specs.go and the narrative of templates/dashboard.html as
// they were then, frozen as rows of the Charts, Chart series and Text
// sheets. They are never edited: the default dataset's own definitions
// live in default/ and change with it.
//
//go:embed wave1/*.csv
var wave1FS embed.FS

var wave1 = sync.OnceValues(func() (*stats.Dataset, error) {
	dir, err := fs.Sub(wave1FS, "wave1")
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	d := &stats.Dataset{}
	for _, name := range []string{stats.TableCharts, stats.TableChartSeries, stats.TableText} {
		if err := readCSV(dir, d, schema.Lookup(name)); err != nil {
			return nil, err
		}
	}
	return d, nil
})

// Wave1Definitions returns copies of the built-in chart and text
// definitions that versions stored before the Charts, Chart series and
// Text sheets existed are read with.
func Wave1Definitions() ([]stats.ChartDef, []stats.ChartSeries, []stats.Block) {
	d, err := wave1()
	if err != nil {
		panic(err) // embedded files; the package's tests rule this out
	}
	return append([]stats.ChartDef(nil), d.Charts...),
		append([]stats.ChartSeries(nil), d.ChartSeries...),
		append([]stats.Block(nil), d.Text...)
}
