package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// handleError is the one place where errors become responses. Handlers
// return errors; known ones map to their status, anything else is a 500
// that is logged with the request id and shown to the reader without
// internals.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code := http.StatusInternalServerError
	msg := "Something went wrong on our side. The error has been logged; please try again later."
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		if m, ok := he.Message.(string); ok && code < 500 {
			msg = m
		} else if code < 500 {
			msg = http.StatusText(code)
		}
	}
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if code >= 500 {
		s.log.Error("request failed", "request_id", reqID, "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(code)
		return
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		c.JSON(code, map[string]any{"error": msg, "request_id": reqID})
		return
	}
	heading := http.StatusText(code)
	if code == http.StatusNotFound {
		heading = "Page not found"
		if msg == http.StatusText(code) || msg == "Not Found" {
			msg = "There is nothing at this address."
		}
	}
	if code >= 500 && reqID != "" {
		msg += fmt.Sprintf(" (Reference: %s.)", reqID)
	}
	snap := s.cur.Load()
	if snap == nil {
		c.String(code, msg)
		return
	}
	page := &ErrorPage{BasePage: s.basePage(snap, heading+" · bilateral"), Heading: heading, Message: msg}
	html, rerr := renderPage(s.pages, pageError, page)
	if rerr != nil {
		s.log.Error("rendering error page", "err", rerr)
		c.String(code, msg)
		return
	}
	c.HTMLBlob(code, html)
}
