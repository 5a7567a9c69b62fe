package story

import (
	"strings"
	"testing"
	"time"

	"github.com/bilateral/bilateral/stats"
)

type citer struct {
	d    *stats.Dataset
	nums map[string]int
}

func (c *citer) Cite(id string) (stats.Source, int, bool) {
	s, ok := c.d.Source(id)
	if !ok {
		return s, 0, false
	}
	if c.nums[id] == 0 {
		c.nums[id] = len(c.nums) + 1
	}
	return s, c.nums[id], true
}

func testDataset() *stats.Dataset {
	return &stats.Dataset{
		Meta:         stats.Metadata{Title: "t", Reporter: stats.Country{Code: "JP", Name: "Japan"}, Partner: stats.Country{Code: "VN", Name: "Viet Nam"}, AsOf: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		Sources:      []stats.Source{{ID: "a", Organisation: "Agency <A>"}, {ID: "b", Organisation: "Bureau B"}},
		Series:       []stats.Series{{ID: "bal", Name: "Balance", Unit: "USD billion", ReportedBy: "JP"}},
		Observations: []stats.Observation{{Series: "bal", Year: 2023, Value: -5.5, Source: "b"}, {Series: "bal", Year: 2024, Value: -6.25, Source: "a"}},
		Facts:        []stats.Fact{{Key: "firms", Label: "Firms", Value: 800, Qualifier: "more than", Unit: "companies", Year: 2024, Source: "a"}},
	}
}

func TestRender(t *testing.T) {
	d := testDataset()
	tests := []struct{ in, want string }{
		{"The {{word bal latest surplus deficit}} was {{latest bal abs}} in {{year bal}}.",
			`<p>The deficit was <span class="num">$6.25 billion</span><sup class="cite"><a href="#src-a" title="Source: Agency &lt;A&gt;">[1]</a></sup> in 2024.</p>`},
		{"*There* are {{fact firms}}; see {{source b}}.",
			`<p><em>There</em> are <span class="num">more than 800 companies</span><sup class="cite"><a href="#src-a" title="Source: Agency &lt;A&gt;">[1]</a></sup>; see <a href="#src-b">Bureau B</a><sup class="cite"><a href="#src-b">[2]</a></sup>.</p>`},
		{"{{value bal 2019}}", `<p><span class="num missing" title="bal 2019">(figure not available)</span></p>`},
		{"A <script>alert(1)</script> [x](javascript:alert(1)) [y](https://example.org/)",
			`<p>A alert(1) x <a href="https://example.org/">y</a></p>`},
	}
	for _, tt := range tests {
		got := strings.TrimSpace(string(Render(d, tt.in, &citer{d: d, nums: map[string]int{}})))
		if got != tt.want {
			t.Errorf("Render(%q) =\n%s\nwant\n%s", tt.in, got, tt.want)
		}
	}
	if got := string(Inline(d, "Balance, {{year bal}} <b>", &citer{d: d, nums: map[string]int{}})); got != "Balance, 2024 &lt;b&gt;" {
		t.Errorf("Inline = %q", got)
	}
}

func TestValidateText(t *testing.T) {
	d := testDataset()
	bad := map[string]string{
		"<b>bold</b>":                     "raw HTML",
		"[x](javascript:alert(1))":        "http",
		"{{value bal 2019}}":              "no value for 2019",
		"{{value nope 2019}}":             "no series",
		"{{fact nope}}":                   "no fact",
		"{{source nope}}":                 "no source",
		"{{value bal}}":                   "not a figure reference",
		"{{latest bal":                    "never ends",
		"[x](https://a.org/{{year bal}})": "cannot be part",
	}
	for body, want := range bad {
		d.Text = []stats.Block{{Section: "s", Order: 1, Heading: "S", Body: body}}
		ps := d.Validate()
		if len(ps) == 0 || !strings.Contains(ps[0].Message, want) || ps[0].Table != stats.TableText || ps[0].Field != "Body" {
			t.Errorf("Validate(body %q) = %v, want a Text Body problem containing %q", body, ps, want)
		}
	}
	d.Text = []stats.Block{{Section: "s", Order: 1, Heading: "S", Body: "Fine: {{latest bal abs}}, <https://example.org>, [a](https://b.org)."}}
	if ps := d.Validate(); len(ps) != 0 {
		t.Errorf("Validate(good text) = %v", ps)
	}
}
