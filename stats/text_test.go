package stats

import "testing"

func TestStripBidiControls(t *testing.T) {
	d := validDataset()
	d.Sources[0].Organisation = "Census \u202Eeht fo\u202C Bureau"
	d.Series[0].Name = "\u2067Exports\u2069"
	d.Facts[0].Note = "plain"
	if n := d.StripBidiControls(); n != 2 {
		t.Errorf("changed %d fields, want 2", n)
	}
	if got := d.Sources[0].Organisation; got != "Census eht fo Bureau" {
		t.Errorf("organisation = %q", got)
	}
	if got := d.Series[0].Name; got != "Exports" {
		t.Errorf("series name = %q", got)
	}
	if StripBidi("한국 \u200F") != "한국 \u200F" {
		t.Error("a right-to-left mark (not an embedding control) was removed")
	}
}
