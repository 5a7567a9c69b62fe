package chromium

import (
	"bytes"
	"image/png"
	"testing"
)

// TestScreenshot starts the browser, draws a known page and checks the
// screenshot's size and colours: the harness other packages rely on.
func TestScreenshot(t *testing.T) {
	ctx := New(t)
	html := `<!doctype html><html><body style="margin:0;background:#fff">` +
		`<div style="position:absolute;left:0;top:0;width:100px;height:50px;background:#ff0000"></div></body></html>`
	b, err := Screenshot(ctx, html, 200, 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	if got := img.Bounds().Size(); got.X != 400 || got.Y != 200 {
		t.Fatalf("screenshot size = %v, want 400x200", got)
	}
	for _, c := range []struct {
		x, y    int
		r, g, b uint32
	}{{50, 50, 0xff, 0, 0}, {300, 150, 0xff, 0xff, 0xff}} {
		r, g, b, _ := img.At(c.x, c.y).RGBA()
		if r>>8 != c.r || g>>8 != c.g || b>>8 != c.b {
			t.Errorf("pixel (%d,%d) = #%02x%02x%02x, want #%02x%02x%02x", c.x, c.y, r>>8, g>>8, b>>8, c.r, c.g, c.b)
		}
	}
}

func TestDataURL(t *testing.T) {
	if got, want := DataURL("text/plain", []byte("hi")), "data:text/plain;base64,aGk="; got != want {
		t.Errorf("DataURL = %q, want %q", got, want)
	}
}
