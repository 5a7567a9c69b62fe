package datasets

import (
	"testing"

	"github.com/bilateral/bilateral/stats"
)

func TestDefault(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatalf("Default() error: %v", err)
	}
	if d.Meta.Reporter.Code != "US" || d.Meta.Partner.Code != "KR" {
		t.Errorf("Default() reporter/partner = %s/%s, want US/KR", d.Meta.Reporter.Code, d.Meta.Partner.Code)
	}
	// Figures the issue and the fact sheet name explicitly.
	for _, key := range []string{"us_rok_trade_goods_services_2019", "us_companies_in_rok", "rok_masks_donated", "rok_oda_asean_2020"} {
		if _, ok := d.Fact(key); !ok {
			t.Errorf("Default() has no fact %q", key)
		}
	}
	if f, _ := d.Fact("rok_oda_asean_2020"); f.Value != 233 || f.Unit != "USD million" {
		t.Errorf("ASEAN ODA fact = %v %s, want 233 USD million", f.Value, f.Unit)
	}
	// Census-basis goods trade covers 2011-2024 with gaps left as gaps.
	exp := d.Points("us_goods_exports")
	if first, last, _ := stats.Span(exp); first > 2011 || last != 2024 {
		t.Errorf("us_goods_exports spans %d-%d, want to cover 2011-2024", first, last)
	}
	if _, ok := d.Observation("us_goods_exports", 2018); ok {
		t.Errorf("us_goods_exports has a 2018 value; the sources publish none, it must be a gap")
	}
	if o, ok := d.Observation("us_goods_balance", 2019); !ok || o.Value != -20.6 {
		t.Errorf("us_goods_balance 2019 = %v, %v; want -20.6", o.Value, ok)
	}
	want := map[string]bool{"Doosan Bobcat|Minnesota": false, "Zinus USA|Georgia": false, "SK Innovation|Georgia": false}
	for _, p := range d.Projects {
		k := p.Company + "|" + p.State
		if _, ok := want[k]; ok {
			want[k] = true
		}
	}
	for k, found := range want {
		if !found {
			t.Errorf("Default() lacks the project %s", k)
		}
	}
	for i, o := range d.Observations {
		if _, ok := d.Source(o.Source); !ok {
			t.Errorf("observation %d (%s %d) cites unknown source %q", i, o.Series, o.Year, o.Source)
		}
	}
}
