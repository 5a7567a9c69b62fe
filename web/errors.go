package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/respond"
)

// kindStatus is the one table from error kinds to HTTP statuses.
var kindStatus = map[stats.Kind]int{
	stats.Internal:           http.StatusInternalServerError,
	stats.BadRequest:         http.StatusBadRequest,
	stats.Unauthorized:       http.StatusUnauthorized,
	stats.Forbidden:          http.StatusForbidden,
	stats.NotFound:           http.StatusNotFound,
	stats.Conflict:           http.StatusConflict,
	stats.Gone:               http.StatusGone,
	stats.PreconditionFailed: http.StatusPreconditionFailed,
	stats.TooLarge:           http.StatusRequestEntityTooLarge,
	stats.Invalid:            http.StatusUnprocessableEntity,
	stats.RateLimited:        http.StatusTooManyRequests,
	stats.Unavailable:        http.StatusServiceUnavailable,
}

// defaultRetryAfter is the Retry-After of a kind that needs one when the
// error does not say.
var defaultRetryAfter = map[stats.Kind]time.Duration{
	stats.RateLimited: time.Minute,
	stats.Unavailable: 10 * time.Second,
}

// internalMessage is what a reader is told of a fault of ours; the error
// itself goes to the log.
const internalMessage = "Something went wrong on our side. The error has been logged; please try again later."

// problem is an error as the client sees it.
type problem struct {
	status     int
	code       string // machine-readable, e.g. "not_found"
	message    string // fit to show
	retryAfter time.Duration
	workbook   *invalidWorkbook // the problems of a rejected workbook, if it is one
}

// describe turns any error into what the client is told: its kind's
// status and message (*stats.Error; the message of an Internal one is
// hidden), or Echo's own status and message (*echo.HTTPError: unknown
// route, wrong method), or a 500 that hides the error.
func describe(err error) problem {
	p := problem{status: http.StatusInternalServerError, code: stats.Internal.String(), message: internalMessage}
	var se *stats.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &se):
		p.status = kindStatus[se.Kind]
		if p.status == 0 {
			p.status = http.StatusInternalServerError
		}
		p.code = se.Kind.String()
		if se.Kind != stats.Internal {
			p.message = se.Message
		}
		p.retryAfter = se.RetryAfter
		if p.retryAfter <= 0 {
			p.retryAfter = defaultRetryAfter[se.Kind]
		}
	case errors.As(err, &he):
		p.status = he.Code
		p.code = statusCode(he.Code)
		if p.status < 500 {
			p.message = http.StatusText(he.Code)
			if m, ok := he.Message.(string); ok && m != "" {
				p.message = m
			}
		}
	}
	errors.As(err, &p.workbook)
	return p
}

// statusCode is the machine-readable code of a status: the kind's code
// when a kind maps to it, else the status text in snake case
// ("method_not_allowed").
func statusCode(status int) string {
	for k, s := range kindStatus {
		if s == status {
			return k.String()
		}
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
}

// statusOf returns the status an error is answered with.
func statusOf(err error) int { return describe(err).status }

// invalidWorkbook is an uploaded workbook that fails validation: an
// Invalid error that carries every problem, sent as
// {"errors":[{"sheet","cell","message"}]} in JSON.
type invalidWorkbook struct {
	filename string
	issues   []xlsx.Issue
	kind     *stats.Error
}

func newInvalidWorkbook(filename string, issues []xlsx.Issue) *invalidWorkbook {
	n := len(issues)
	msg := fmt.Sprintf("The workbook has %d problem%s to fix; nothing was published.", n, plural(n))
	return &invalidWorkbook{filename: filename, issues: issues, kind: stats.NewError(stats.Invalid, msg)}
}

func (e *invalidWorkbook) Error() string { return e.kind.Message }

// Unwrap gives the workbook error its kind.
func (e *invalidWorkbook) Unwrap() error { return e.kind }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// prefersHTML reports whether a request's Accept header ranks text/html
// above application/json by q-value: browsers navigating to a page do,
// while curl (*/*), fetch() and API clients, and requests without Accept,
// do not, and get JSON.
func prefersHTML(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	html := acceptQ(accept, "text", "html")
	return html > 0 && html > acceptQ(accept, "application", "json")
}

// acceptQ returns the q-value an Accept header gives a media type: the q
// of the most specific range that matches it (type/subtype, then type/*,
// then */*), or 0 when none does. An empty header accepts everything.
func acceptQ(header, typ, sub string) float64 {
	if strings.TrimSpace(header) == "" {
		return 1
	}
	best, q := -1, 0.0
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ",")
		mt, params, _ := strings.Cut(part, ";")
		t, s, _ := strings.Cut(strings.TrimSpace(mt), "/")
		spec := -1
		switch {
		case strings.EqualFold(t, typ) && strings.EqualFold(s, sub):
			spec = 2
		case strings.EqualFold(t, typ) && s == "*":
			spec = 1
		case t == "*" && s == "*":
			spec = 0
		}
		if spec > best {
			best, q = spec, respond.Q(params)
		}
	}
	return q
}

// handleError is the one place where errors become responses: every
// handler and middleware returns errors, and this writes them, as JSON
// ({"error","code","request_id"}) unless the client prefers HTML, in
// which case as the error page. Faults of ours (5xx) are logged with the
// request id and shown without internals.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := describe(err)
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if p.status >= 500 {
		s.log.Error("request failed", "request_id", reqID, "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	h := c.Response().Header()
	// Headers set for the response the handler meant to send do not
	// describe this one.
	for _, k := range []string{"Etag", "Content-Disposition", "Content-Encoding", "Content-Length", "Last-Modified", "Accept-Ranges"} {
		h.Del(k)
	}
	// Nor does their Cache-Control: an image whose URL names the version
	// is "immutable", and a 503 for it (the image budget spent) must not
	// be kept by a cache for a year. An error is the answer of a moment.
	h.Set("Cache-Control", "no-store")
	setRetryAfter(h, p)
	if !prefersHTML(c.Request()) {
		body := map[string]any{"error": p.message, "code": p.code, "request_id": reqID}
		// Errors that carry more than a message (a stale base's
		// overwrites) add their fields, and may name a finer code.
		var coded interface{ errorCode() string }
		if errors.As(err, &coded) {
			body["code"] = coded.errorCode()
		}
		var extra interface{ errorFields() map[string]any }
		if errors.As(err, &extra) {
			for k, v := range extra.errorFields() {
				if _, taken := body[k]; !taken {
					body[k] = v
				}
			}
		}
		if wb := p.workbook; wb != nil {
			body["valid"] = false
			body["errors"] = apiIssues(wb.issues)
			if wb.filename != "" {
				body["filename"] = wb.filename
			}
		}
		if err := c.JSON(p.status, body); err != nil {
			s.log.Error("writing an error response", "request_id", reqID, "err", err)
		}
		return
	}
	heading, msg := http.StatusText(p.status), p.message
	if p.status == http.StatusNotFound {
		heading = "Page not found"
		if msg == http.StatusText(p.status) {
			msg = "There is nothing at this address."
		}
	}
	if p.status >= 500 && reqID != "" {
		msg += fmt.Sprintf(" (Reference: %s.)", reqID)
	}
	snap := s.cur.Load()
	if snap == nil {
		c.String(p.status, msg)
		return
	}
	page := &ErrorPage{BasePage: s.basePage(snap, heading+" · bilateral"), Heading: heading, Message: msg}
	html, rerr := renderPage(s.pages, pageError, page)
	if rerr != nil {
		s.log.Error("rendering error page", "err", rerr)
		c.String(p.status, msg)
		return
	}
	c.HTMLBlob(p.status, html)
}

// formError answers a refused form post. A browser posting the form
// (Accept prefers HTML) gets the form again from render, with the error's
// status and message; any other client gets the error itself, written by
// handleError.
func (s *Server) formError(c echo.Context, err error, render func(status int, msg string) error) error {
	if !prefersHTML(c.Request()) {
		return err
	}
	p := describe(err)
	if p.status >= 500 {
		return err
	}
	setRetryAfter(c.Response().Header(), p)
	return render(p.status, p.message)
}

// setRetryAfter sets Retry-After on the statuses that carry one.
func setRetryAfter(h http.Header, p problem) {
	if p.status == http.StatusTooManyRequests || p.status == http.StatusServiceUnavailable {
		h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(p.retryAfter.Seconds())))))
	}
}
