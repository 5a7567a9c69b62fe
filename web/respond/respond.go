// Package respond sends response bodies held in memory: pages, data,
// static files, chart images and downloads, the one way. It chooses the
// content coding the client ranks highest by q-value, makes each
// compressed form at most once, gives each coding its own entity tag,
// answers If-None-Match (strong or weak tags, lists, "*") with 304, HEAD
// with the headers alone, and byte ranges of downloads.
//
// It knows nothing of routes or frameworks: it takes an
// http.ResponseWriter and the *http.Request. Callers set the headers that
// depend on the route (Cache-Control, Content-Disposition) before Serve.
package respond

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

// A coding is a content coding a body can be sent in.
type coding int

const (
	identity coding = iota
	gzipCoding
	brCoding
	numCodings
)

// Header values that never change, made once: the serving path assigns
// them to the header map as they are (net/http never modifies a header's
// value slice).
var (
	contentEncoding = [numCodings][]string{nil, {"gzip"}, {"br"}}
	varyEncoding    = []string{"Accept-Encoding"}
	acceptRanges    = []string{"bytes"}
	tagSuffix       = [numCodings]string{"", "-gzip", "-br"}
)

// Options describe a body's entity tag and the forms it may be sent in.
type Options struct {
	// Tag is the entity tag's opaque part, without quotes; each coding
	// adds its own suffix ("-gzip", "-br"). Empty means a hash of the body.
	Tag string
	// Gzip and Brotli are forms compressed in advance (by the front-end
	// build); they are used as they are.
	Gzip, Brotli []byte
	// LazyGzip and LazyBrotli let Serve compress the body itself, once, the
	// first time a client asks for that coding, when no form was given in
	// advance. Set them for text; images and zip files are compressed.
	LazyGzip, LazyBrotli bool
	// Ranges answers Range requests, on the identity coding, as a download
	// that can be resumed.
	Ranges bool
}

// Text is the usual Options for a text body: gzip and brotli made on
// first request.
func Text(tag string) Options { return Options{Tag: tag, LazyGzip: true, LazyBrotli: true} }

// Body is a response body and everything needed to send it: its media
// type, entity tags and compressed forms.
type Body struct {
	raw    []byte
	ctype  []string
	ranges bool
	forms  [numCodings]form
}

// form is the body in one coding.
type form struct {
	offered bool // the coding can be sent (given in advance, or lazy)
	etag    []string
	once    sync.Once
	data    []byte
	length  []string // Content-Length
}

// New makes a body of media type ctype.
func New(ctype string, raw []byte, o Options) *Body {
	b := &Body{raw: raw, ctype: []string{ctype}, ranges: o.Ranges}
	b.init(o)
	b.forms[identity].once.Do(func() { b.forms[identity].set(raw) })
	if o.Gzip != nil {
		b.forms[gzipCoding].once.Do(func() { b.forms[gzipCoding].set(o.Gzip) })
	}
	if o.Brotli != nil {
		b.forms[brCoding].once.Do(func() { b.forms[brCoding].set(o.Brotli) })
	}
	return b
}

// init sets which codings are offered and their entity tags.
func (b *Body) init(o Options) {
	tag := o.Tag
	if tag == "" {
		tag = Hash(b.raw)
	}
	b.forms[identity].offered = true
	b.forms[gzipCoding].offered = o.Gzip != nil || o.LazyGzip
	b.forms[brCoding].offered = o.Brotli != nil || o.LazyBrotli
	for c := range numCodings {
		b.forms[c].etag = []string{`"` + tag + tagSuffix[c] + `"`}
	}
}

func (f *form) set(data []byte) {
	f.data = data
	f.length = []string{strconv.Itoa(len(data))}
}

// Hash is a short hex digest of content, for entity tags.
func Hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// Bytes returns the body as it is (identity coding).
func (b *Body) Bytes() []byte { return b.raw }

// ETag returns the entity tag of the identity coding, quoted.
func (b *Body) ETag() string { return b.forms[identity].etag[0] }

// Size is the memory the body holds, with the compressed forms made so
// far, for caches that bound their size.
func (b *Body) Size() int {
	n := len(b.raw)
	for c := gzipCoding; c < numCodings; c++ {
		n += len(b.forms[c].data)
	}
	return n
}

// data returns the body in coding c, compressing it on first use.
func (b *Body) data(c coding) *form {
	f := &b.forms[c]
	f.once.Do(func() {
		switch c {
		case gzipCoding:
			f.set(gzipBytes(b.raw))
		case brCoding:
			f.set(brotliBytes(b.raw))
		}
	})
	return f
}

// Serve sends the body: 304 when the request's If-None-Match lists the
// entity tag of the coding chosen, a byte range (206) of a download when
// asked, else 200 with the body in that coding (none for HEAD).
func (b *Body) Serve(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	c := b.negotiate(r.Header["Accept-Encoding"])
	if b.forms[gzipCoding].offered || b.forms[brCoding].offered {
		h["Vary"] = varyEncoding
	}
	if b.ranges {
		h["Accept-Ranges"] = acceptRanges
	}
	f := &b.forms[c]
	h["Etag"] = f.etag
	if noneMatch(r.Header["If-None-Match"], f.etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h["Content-Type"] = b.ctype
	if b.ranges && r.Header.Get("Range") != "" {
		// Ranges are of the identity coding; http.ServeContent reads the
		// ETag set here for If-Range and writes 206, 416 or 200.
		h["Etag"] = b.forms[identity].etag
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b.raw))
		return nil
	}
	f = b.data(c)
	if c != identity {
		h["Content-Encoding"] = contentEncoding[c]
	}
	h["Content-Length"] = f.length
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write(f.data)
	return err
}

// Check answers a conditional request before the body exists, for bodies
// that are costly to make (a chart image not drawn yet): it sets the
// ETag and Vary that Serve would send for a body with these options, and
// when If-None-Match matches it writes 304 and returns true. o.Tag must
// be set.
func Check(w http.ResponseWriter, r *http.Request, o Options) bool {
	var b Body
	b.init(o)
	h := w.Header()
	c := b.negotiate(r.Header["Accept-Encoding"])
	if b.forms[gzipCoding].offered || b.forms[brCoding].offered {
		h["Vary"] = varyEncoding
	}
	h["Etag"] = b.forms[c].etag
	if noneMatch(r.Header["If-None-Match"], b.forms[c].etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	return false
}

// negotiate picks the offered coding the Accept-Encoding header ranks
// highest; on a tie brotli, then gzip, then identity. Without the header,
// or when nothing offered is acceptable, the body is sent as it is.
func (b *Body) negotiate(header []string) coding {
	if len(header) == 0 {
		return identity
	}
	var q [numCodings]float64
	var named [numCodings]bool
	star, starNamed := 0.0, false
	for _, line := range header {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ",")
			name, params, _ := strings.Cut(part, ";")
			name = strings.TrimSpace(name)
			var c coding
			switch {
			case strings.EqualFold(name, "br"):
				c = brCoding
			case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
				c = gzipCoding
			case strings.EqualFold(name, "identity"):
				c = identity
			case name == "*":
				star, starNamed = Q(params), true
				continue
			default:
				continue
			}
			q[c], named[c] = Q(params), true
		}
	}
	for c := range numCodings {
		if named[c] {
			continue
		}
		switch {
		case starNamed:
			q[c] = star
		case c == identity:
			q[c] = 1 // identity is acceptable unless refused
		}
	}
	best, bestQ := identity, 0.0
	for _, c := range [...]coding{brCoding, gzipCoding, identity} {
		if b.forms[c].offered && q[c] > bestQ {
			best, bestQ = c, q[c]
		}
	}
	return best
}

// Q reads the q parameter from a list of parameters of a media range or
// content coding ("q=0.8;level=1"): 1 when absent, 0 when malformed.
func Q(params string) float64 {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(q >= 0 && q <= 1) {
			return 0
		}
		return q
	}
	return 1
}

// noneMatch reports whether If-None-Match header lines list etag, by the
// weak comparison (a W/ prefix is ignored), or are "*".
func noneMatch(header []string, etag string) bool {
	for _, line := range header {
		for line != "" {
			var t string
			t, line, _ = strings.Cut(line, ",")
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
	}
	return false
}

// gzipBytes compresses b at the best gzip level: what is compressed here
// is compressed once and served many times.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	zw.Write(b)                                              // writes to a bytes.Buffer cannot fail
	zw.Close()                                               // likewise
	return buf.Bytes()
}

// brotliBytes compresses b with brotli at level 9 (level 11 is several
// times slower for a few per cent).
func brotliBytes(b []byte) []byte {
	var buf bytes.Buffer
	bw := brotli.NewWriterLevel(&buf, 9)
	bw.Write(b) // writes to a bytes.Buffer cannot fail
	bw.Close()  // likewise
	return buf.Bytes()
}
