package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

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
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "version": snap.version, "uptime_seconds": int(time.Since(s.started).Seconds())})
}

func itoa(n int) string { return strconv.Itoa(n) }

func quote(s string) string { return strconv.Quote(s) }
