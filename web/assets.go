package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/web/respond"
)

// Assets are the built front-end files, served under content-hashed names
// with a year-long immutable cache.
type Assets struct {
	files    map[string]*asset // by path under /static/
	manifest map[string]string // logical name -> path under /static/
}

// An asset is a built file: its gzip and brotli forms come from the
// build, and a compressible file the build did not compress (a font) is
// gzipped once, on first request.
type asset = respond.Body

// compressible reports whether a file type benefits from compression.
func compressible(name string) bool {
	switch path.Ext(name) {
	case ".js", ".css", ".json", ".svg", ".txt", ".ttf", ".otf", ".html":
		return true
	}
	return false
}

// LoadAssets reads the manifest and every built file from fsys (the dist
// directory). It fails when the front-end has not been built, naming the
// command that builds it.
func LoadAssets(fsys fs.FS) (*Assets, error) {
	raw, err := fs.ReadFile(fsys, "manifest.json")
	if err != nil {
		return nil, fmt.Errorf("web: front-end assets are not built (run `make assets`): %w", err)
	}
	a := &Assets{files: map[string]*asset{}}
	if err := json.Unmarshal(raw, &a.manifest); err != nil {
		return nil, fmt.Errorf("web: manifest.json: %w", err)
	}
	for _, need := range []string{"app.js", "charts.js", "admin.js", "app.css", "us-states.json", "echarts-ssr.js", "font-regular", "font-bold"} {
		if a.manifest[need] == "" {
			return nil, fmt.Errorf("web: manifest.json lacks %q (run `make assets`)", need)
		}
	}
	err = fs.WalkDir(fsys, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		switch {
		case p == "manifest.json", p == "README.md", strings.HasSuffix(p, ".gz"), strings.HasSuffix(p, ".br"):
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".json":
			ct = "application/json"
		case ".woff2":
			ct = "font/woff2"
		case ".ttf":
			ct = "font/ttf"
		case ".txt":
			ct = "text/plain; charset=utf-8"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		o := respond.Options{LazyGzip: compressible(p)}
		if gz, err := fs.ReadFile(fsys, p+".gz"); err == nil {
			o.Gzip = gz
		}
		if br, err := fs.ReadFile(fsys, p+".br"); err == nil {
			o.Brotli = br
		}
		a.files[p] = respond.New(ct, b, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: reading assets: %w", err)
	}
	for name, p := range a.manifest {
		if a.files[p] == nil {
			return nil, fmt.Errorf("web: manifest names %s -> %s, which is missing (run `make assets`)", name, p)
		}
	}
	return a, nil
}

// URL returns the public URL of a logical asset, e.g. "app.js" ->
// "/static/app-3F2A9C1D.js". An unknown name returns "" so a template
// mistake shows up in tests rather than as a broken page.
func (a *Assets) URL(logical string) string {
	p, ok := a.manifest[logical]
	if !ok {
		return ""
	}
	return "/static/" + p
}

// handleStatic serves one built file. Names carry a content hash, so the
// response may be cached for a year and never revalidated.
func (s *Server) handleStatic(c echo.Context) error {
	f := s.assetsNow().files[strings.TrimPrefix(c.Param("*"), "/")]
	if f == nil {
		return echo.ErrNotFound
	}
	return serve(c, f, immutable)
}
