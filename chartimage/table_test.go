package chartimage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRenderTable: a table chart is drawn as its table under the caption
// in every format; rows that do not fit are left out from the end with a
// line saying how many, and cell text is escaped like any other text.
func TestRenderTable(t *testing.T) {
	r := newTestRenderer(t)
	tb := Table{Header: []string{"Year", "Goods exports (USD billion)", "Rank (rank)"}, More: "earlier years"}
	for y := 2024; y >= 1990; y-- {
		tb.Rows = append(tb.Rows, []string{fmt.Sprint(y), fmt.Sprintf("$%d.5 billion", y-1960), "6th"})
	}
	tb.Rows[0][1] = "</text><script>alert(1)</script> (preliminary)"
	capt := Caption{Title: "Trade in figures", Subtitle: "USD billion", Sources: []string{"Census"}, AsOf: "1 May 2025", URL: "/charts/t", Note: "A dash is a year with no published figure."}
	for _, f := range []Format{SVG, PNG, PDF} {
		o := DefaultOptions(f)
		b, err := r.RenderTable(context.Background(), tb, capt, o)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(b) == 0 {
			t.Fatalf("%s: empty", f)
		}
		if os.Getenv("TABLE_OUT") != "" {
			_ = os.WriteFile(os.Getenv("TABLE_OUT")+"."+string(f), b, 0o644)
		}
		if f != SVG {
			continue
		}
		svg := string(b)
		for _, want := range []string{"Goods exports (USD billion)", "2024", "$63.5 billion", "earlier years not shown", "Trade in figures"} {
			if !strings.Contains(svg, want) {
				t.Errorf("SVG lacks %q", want)
			}
		}
		if strings.Contains(svg, "<script>") {
			t.Errorf("cell text reached the SVG as markup")
		}
		if strings.Contains(svg, ">1990<") {
			t.Errorf("all 35 rows drawn in a 675px image: want the earliest left out")
		}
	}
	// A narrow, short image still draws (fewer rows, smaller text).
	o := DefaultOptions(SVG)
	o.Width, o.Height = 360, 240
	if b, err := r.RenderTable(context.Background(), tb, capt, o); err != nil || !bytes.Contains(b, []byte("2024")) {
		t.Errorf("narrow table: %v", err)
	}
}
