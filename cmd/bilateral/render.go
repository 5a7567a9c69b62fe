package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/bilateral/bilateral/chartimage"
	"github.com/bilateral/bilateral/web"
	"github.com/bilateral/bilateral/web/charts"
	"github.com/bilateral/bilateral/web/static"
)

// cmdRender writes one chart image, offline, exactly as the server draws
// it: same option, same ECharts, same fonts, same caption.
func cmdRender(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("render", stdout)
	format := fs.String("format", "png", "png, svg or pdf")
	width := fs.Int("width", chartimage.DefaultWidth, "width in CSS pixels")
	height := fs.Int("height", chartimage.DefaultHeight, "height in CSS pixels")
	scale := fs.Float64("scale", 0, "pixel density of a PNG (default 2 for PNG)")
	out := fs.String("o", "", "output file (default: standard output)")
	dataDir := fs.String("data", envDefault("BILATERAL_DATA", "./data"), "data directory")
	baseURL := fs.String("base-url", envDefault("BILATERAL_BASE_URL", ""), "dashboard address printed in the caption")
	transparent := fs.Bool("transparent", false, "no background")
	dark := fs.Bool("dark", false, "the page's dark theme")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 1 {
		return errUsage
	}
	f, err := chartimage.ParseFormat(*format)
	if err != nil {
		return err
	}
	o := chartimage.DefaultOptions(f)
	o.Width, o.Height, o.Transparent, o.Dark = *width, *height, *transparent, *dark
	if *scale != 0 {
		o.Scale = *scale
	}
	if err := o.Validate(); err != nil {
		return err
	}
	d, err := currentDataset(ctx, *dataDir)
	if err != nil {
		return err
	}
	spec, ok := charts.SpecByID(d, pos[0])
	if !ok {
		var ids []string
		for _, s := range charts.Specs(d) {
			ids = append(ids, s.ID)
		}
		return fmt.Errorf("no chart %q; the charts are: %s", pos[0], strings.Join(ids, ", "))
	}
	ch, err := charts.BuildOne(d, spec)
	if err != nil {
		return err
	}
	dist, err := fsSub(static.FS, "dist")
	if err != nil {
		return err
	}
	r, err := chartimage.New(dist, nil, 1, 30*time.Second)
	if err != nil {
		return err
	}
	capt := web.Caption(ch, d.Meta.AsOf, *baseURL)
	b, err := r.Render(ctx, ch.OptionJSON, capt, o)
	if err != nil {
		return err
	}
	if *out == "" || *out == "-" {
		_, err := stdout.Write(b)
		return err
	}
	return os.WriteFile(*out, b, 0o644)
}

func fsSub(fsys fs.FS, dir string) (fs.FS, error) {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(sub, "manifest.json"); err != nil {
		return nil, errors.New("this binary was built without its front-end files (run `make build`)")
	}
	return sub, nil
}
