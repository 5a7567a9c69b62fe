package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy allows nothing but this server: no inline script,
// no CDN, no framing. Chart options reach the page as JSON data, not code.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// fixedHeaders are the headers every response carries, with canonical
// keys and values made once: they are assigned to the header map as they
// are, which costs no allocation on a hot path served thousands of times
// a second. (net/http never modifies a header's value slice.)
var fixedHeaders = map[string][]string{
	"Content-Security-Policy":    {contentSecurityPolicy},
	"X-Content-Type-Options":     {"nosniff"},
	"Referrer-Policy":            {"strict-origin-when-cross-origin"},
	"X-Frame-Options":            {"DENY"},
	"Cross-Origin-Opener-Policy": {"same-origin"},
	"Permissions-Policy":         {"camera=(), microphone=(), geolocation=(), interest-cohort=()"},
}

var hstsValue = []string{"max-age=63072000; includeSubDomains"}

// securityHeaders sets the headers every response carries. Echo's Secure
// middleware sends none of CSP, HSTS or Referrer-Policy by default, so
// they are set here explicitly.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		for k, v := range fixedHeaders {
			h[k] = v
		}
		if s.isTLS(c) {
			h["Strict-Transport-Security"] = hstsValue
		}
		return next(c)
	}
}

// requestIDs makes request ids cheaply: a random prefix per process and a
// counter. They only need to be unique, to find a request in the logs;
// Echo's default draws 32 random characters per request.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	b := make([]byte, 6)
	rand.Read(b) // never fails: crypto/rand crashes the program rather than return an error
	return &requestIDs{prefix: hex.EncodeToString(b) + "-"}
}

func (g *requestIDs) next() string {
	return g.prefix + strconv.FormatUint(g.n.Add(1), 36)
}

// forwardedRequestID keeps a request's own X-Request-Id only when a
// trusted proxy sent it and it is a short token; Echo's RequestID would
// otherwise adopt whatever any client sends, so a visitor could give its
// requests (and the log lines and error bodies that name them) the id of
// someone else's request, or 60 KB of text.
func (s *Server) forwardedRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if id := r.Header.Get(echo.HeaderXRequestID); id != "" && (!s.fromTrustedProxy(r) || !requestIDToken(id)) {
			r.Header.Del(echo.HeaderXRequestID)
		}
		return next(c)
	}
}

// requestIDToken reports whether id is 1 to 128 letters, digits, '-',
// '_', '.' or ':'.
func requestIDToken(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return false
		}
	}
	return true
}

// recoverMiddleware turns a panic in a handler into a logged 500.
func (s *Server) recoverMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic", "path", c.Request().URL.Path, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// headMiddleware answers HEAD with what GET would send, without the
// body: the handler runs as for GET (routes register both methods), the
// bytes it writes are counted, not sent, and the count becomes the
// Content-Length when the handler set none. An error is written here, by
// the error handler, through the same counting writer, so a HEAD that
// fails gets the headers of the failing GET.
func (s *Server) headMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method != http.MethodHead {
			return next(c)
		}
		res := c.Response()
		hw := &headWriter{ResponseWriter: res.Writer}
		res.Writer = hw
		defer func() { res.Writer = hw.ResponseWriter }()
		if err := next(c); err != nil {
			c.Error(err)
		}
		hw.finish()
		return nil
	}
}

// headWriter holds back the status until the handler is done, so that
// the length of the body it discards can still be sent.
type headWriter struct {
	http.ResponseWriter
	status int // 0 until the handler writes a header
	n      int
}

func (w *headWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *headWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	return len(p), nil
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish sends the status and headers the handler wrote.
func (w *headWriter) finish() {
	if w.status == 0 {
		return
	}
	h := w.Header()
	if h.Get("Content-Length") == "" && w.n > 0 && h.Get("Transfer-Encoding") == "" {
		h.Set("Content-Length", strconv.Itoa(w.n))
	}
	w.ResponseWriter.WriteHeader(w.status)
}
