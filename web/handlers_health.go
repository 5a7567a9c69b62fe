package web

import (
	"context"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/stats"
)

// writeChecker is a store that can tell whether it can take a write now
// (sqlite.Store: data directory writable, disk not full, quota not hit).
type writeChecker interface {
	CheckWrite(ctx context.Context) error
}

// storeExplainer is a store that can say what a failure of its file
// system means (a full disk, a read-only directory) as a kinded error.
type storeExplainer interface {
	Explain(err error) error
}

// storeErrors lets the store explain its file-system failures (finding
// 11): a full disk was a generic 500 "Something went wrong".
func (s *Server) storeErrors(next echo.HandlerFunc) echo.HandlerFunc {
	ex, ok := s.store.(storeExplainer)
	if !ok {
		return next
	}
	return func(c echo.Context) error {
		err := next(c)
		if err != nil && stats.KindOf(err) == stats.Internal {
			err = ex.Explain(err)
		}
		return err
	}
}

// handleHealthz answers liveness probes: the process is up.
func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"status": "ok"})
}

// handleReadyz answers readiness probes: a dataset version is loaded and
// being served.
func (s *Server) handleReadyz(c echo.Context) error {
	snap := s.cur.Load()
	if snap == nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "no dataset loaded"})
	}
	if wc, ok := s.store.(writeChecker); ok {
		if err := wc.CheckWrite(c.Request().Context()); err != nil {
			s.log.Error("readiness: the store cannot write", "err", err)
			return &stats.Error{Kind: stats.Unavailable, RetryAfter: time.Minute, Err: err,
				Message: "not ready: the store cannot write (" + err.Error() + "); the dashboard is still served, but nothing can be published"}
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "version": snap.version, "uptime_seconds": int(time.Since(s.started).Seconds())})
}

func itoa(n int) string { return strconv.Itoa(n) }

func quote(s string) string {
	// What a visitor typed is echoed only as far as an ID can go (64
	// characters): a 60 KB address was reflected whole in the 404 page.
	const maxRunes = 80
	if utf8.RuneCountInString(s) > maxRunes {
		s = string([]rune(s)[:maxRunes]) + "…"
	}
	return strconv.Quote(s)
}
