package chartimage

import (
	"fmt"
	"math"
	"strings"
)

// Format is an image format the renderer writes.
type Format string

// The formats Render supports.
const (
	SVG Format = "svg"
	PNG Format = "png"
	PDF Format = "pdf"
)

// ParseFormat returns the format named by s ("svg", "png" or "pdf", any
// case, with or without a leading dot), or a *BoundsError naming the
// parameter "format".
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimPrefix(s, ".")))
	switch f {
	case SVG, PNG, PDF:
		return f, nil
	}
	return "", &BoundsError{Param: "format", Value: s, Allowed: "svg, png or pdf"}
}

// MediaType returns the Content-Type of images of format f.
func (f Format) MediaType() string {
	switch f {
	case SVG:
		return "image/svg+xml"
	case PNG:
		return "image/png"
	case PDF:
		return "application/pdf"
	}
	return "application/octet-stream"
}

// Limits of Options. They keep one render's memory and time bounded: the
// largest PNG is 4000×4000 at scale 4, 16000×16000 pixels (1 GiB of RGBA),
// so the web layer may want to lower MaxPixels further.
const (
	MinWidth, MaxWidth   = 320, 4000
	MinHeight, MaxHeight = 240, 4000
	MinScale, MaxScale   = 1.0, 4.0
	// MaxPixels bounds width×height×scale² of a PNG (64 megapixels, 256 MiB
	// of RGBA), so that a single request cannot exhaust the server's memory.
	MaxPixels = 64 << 20
)

// DefaultWidth and DefaultHeight are the CSS-pixel size of an image when the
// caller gives none: 16:9, a PowerPoint slide or a Word page width.
const (
	DefaultWidth  = 1200
	DefaultHeight = 675
)

// Options say how to render one image. Width and Height are CSS pixels (a
// PDF page is Width×Height at 96 dpi, 0.75 pt per pixel); Scale multiplies
// them into device pixels for PNG only.
type Options struct {
	Format        Format
	Width, Height int
	Scale         float64
	// Transparent leaves out the white background (PNG gets an alpha
	// channel; SVG and PDF simply have no background rectangle).
	Transparent bool
	// Bare draws the chart alone, filling the image: no caption, no
	// padding, no background and (in SVG) no embedded fonts. It is the
	// stand-in the dashboard shows until the interactive chart loads; the
	// page around it carries title and sources.
	Bare bool
	// Dark draws with the page's dark theme.
	Dark bool
}

// DefaultOptions returns the options of an image of format f when the
// request gives no size: 1200×675, scale 2 for PNG (sharp on high-density
// screens and in print at slide size) and 1 otherwise.
func DefaultOptions(f Format) Options {
	o := Options{Format: f, Width: DefaultWidth, Height: DefaultHeight, Scale: 1}
	if f == PNG {
		o.Scale = 2
	}
	return o
}

// BoundsError reports a render parameter outside its allowed range. Its
// message is meant for the reader (the web layer answers 400 with it).
type BoundsError struct {
	Param   string // "width", "height", "scale", "format" or "pixels"
	Value   string // the value given, as text
	Allowed string // the allowed range or values, as text
}

// Error implements error.
func (e *BoundsError) Error() string {
	return fmt.Sprintf("%s must be %s (got %s)", e.Param, e.Allowed, e.Value)
}

// Validate returns a *BoundsError for the first parameter out of bounds,
// or nil.
func (o Options) Validate() error {
	if _, err := ParseFormat(string(o.Format)); err != nil {
		return err
	}
	if o.Width < MinWidth || o.Width > MaxWidth {
		return &BoundsError{Param: "width", Value: fmt.Sprint(o.Width), Allowed: fmt.Sprintf("between %d and %d", MinWidth, MaxWidth)}
	}
	if o.Height < MinHeight || o.Height > MaxHeight {
		return &BoundsError{Param: "height", Value: fmt.Sprint(o.Height), Allowed: fmt.Sprintf("between %d and %d", MinHeight, MaxHeight)}
	}
	if math.IsNaN(o.Scale) || o.Scale < MinScale || o.Scale > MaxScale {
		return &BoundsError{Param: "scale", Value: fmt.Sprint(o.Scale), Allowed: fmt.Sprintf("between %g and %g", MinScale, MaxScale)}
	}
	if o.Format == PNG {
		if px := float64(o.Width) * float64(o.Height) * o.Scale * o.Scale; px > MaxPixels {
			return &BoundsError{Param: "pixels", Value: fmt.Sprintf("%.0f (width×height×scale²)", px), Allowed: fmt.Sprintf("at most %d", MaxPixels)}
		}
	}
	return nil
}
