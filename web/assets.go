package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// Assets are the built front-end files, served under content-hashed names
// with a year-long immutable cache.
type Assets struct {
	files    map[string]*asset // by path under /static/
	manifest map[string]string // logical name -> path under /static/
}

type asset struct {
	name  string
	ctype string
	raw   []byte
	etag  string

	once sync.Once
	gz   []byte // precompressed by the build, or compressed once on first use
	br   []byte // precompressed by the build only
}

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
		sum := sha256.Sum256(b)
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
		as := &asset{name: p, ctype: ct, raw: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		if gz, err := fs.ReadFile(fsys, p+".gz"); err == nil {
			as.gz = gz
		}
		if br, err := fs.ReadFile(fsys, p+".br"); err == nil {
			as.br = br
		}
		a.files[p] = as
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

func (f *asset) gzipped() []byte {
	f.once.Do(func() {
		if f.gz != nil || !compressible(f.name) {
			return
		}
		f.gz = gzipBytes(f.raw)
	})
	return f.gz
}

// handleStatic serves one built file. Names carry a content hash, so the
// response may be cached for a year and never revalidated.
func (s *Server) handleStatic(c echo.Context) error {
	a := s.assetsNow()
	f := a.files[strings.TrimPrefix(c.Param("*"), "/")]
	if f == nil {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", f.etag)
	if match := c.Request().Header.Get("If-None-Match"); match != "" && match == f.etag {
		return c.NoContent(http.StatusNotModified)
	}
	return writeEncoded(c, f.ctype, f.raw, f.gzipped(), f.br)
}

// writeEncoded sends the best representation the client accepts.
func writeEncoded(c echo.Context, ctype string, raw, gz, br []byte) error {
	h := c.Response().Header()
	if (gz != nil || br != nil) && h.Get("Vary") == "" {
		h.Add("Vary", "Accept-Encoding")
	}
	ae := c.Request().Header.Get("Accept-Encoding")
	switch {
	case br != nil && acceptsEncoding(ae, "br"):
		h.Set("Content-Encoding", "br")
		return c.Blob(http.StatusOK, ctype, br)
	case gz != nil && acceptsEncoding(ae, "gzip"):
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, ctype, gz)
	}
	return c.Blob(http.StatusOK, ctype, raw)
}

// acceptsEncoding reports whether an Accept-Encoding header allows enc
// (present and not refused with q=0). It scans without allocating.
func acceptsEncoding(header, enc string) bool {
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ",")
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		return !refused(params)
	}
	return false
}

// refused reports whether Accept-Encoding parameters give q=0.
func refused(params string) bool {
	params = strings.TrimSpace(params)
	q, ok := strings.CutPrefix(params, "q=")
	if !ok {
		return false
	}
	q = strings.TrimRight(strings.TrimSpace(q), "0")
	return q == "0." || q == "0" || q == ""
}
