package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/stats"
)

// History pages and retention (issue 17).

const (
	// historyPageSize is the number of versions on one page of /admin.
	historyPageSize = 50
	// apiPageSize is the default page of GET /api/v1/datasets; apiPageMax
	// the largest a script may ask for.
	apiPageSize = 50
	apiPageMax  = 1000
	// pruneInterval is how often retention runs besides after publishes
	// (for the age rule).
	pruneInterval = time.Hour
)

// pins counts the versions that restores and comparisons are running on,
// so that retention leaves them alone. Retention holds mu while it
// removes versions, so a version pinned afterwards either exists until it
// is released or was gone before the pin (and is then not found).
type pins struct {
	mu sync.Mutex
	n  map[int]int
}

// hold pins the versions and returns the function that releases them.
func (p *pins) hold(ns ...int) func() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n == nil {
		p.n = map[int]int{}
	}
	for _, n := range ns {
		p.n[n]++
	}
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, n := range ns {
			if p.n[n]--; p.n[n] <= 0 {
				delete(p.n, n)
			}
		}
	}
}

// Prune applies the configured retention: it removes the versions the
// rules let go (never the current one, the first one, or one a restore or
// comparison is running on), with the stored workbooks and datasets only
// they used, and records what it removed in the audit log. It returns the
// numbers removed.
func (s *Server) Prune(ctx context.Context) ([]int, error) {
	r := s.cfg.Retention
	if !r.Enabled() {
		return nil, nil
	}
	s.pinned.mu.Lock()
	defer s.pinned.mu.Unlock()
	removed, err := r.Apply(ctx, s.store, time.Now(), func(n int) bool { return s.pinned.n[n] > 0 })
	ns := make([]int, len(removed))
	for i, v := range removed {
		ns[i] = v.Number
	}
	if len(ns) > 0 {
		s.log.Info("retention removed versions", "count", len(ns), "versions", datasets.Ranges(ns), "rules", r.String())
	}
	return ns, err
}

// retain runs Prune after publishes (signalled on s.pruneNow) and every
// pruneInterval, until ctx ends.
func (s *Server) retain(ctx context.Context) {
	if !s.cfg.Retention.Enabled() {
		return
	}
	t := time.NewTicker(pruneInterval)
	defer t.Stop()
	for {
		if _, err := s.Prune(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("retention", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.pruneNow:
		}
	}
}

// afterPublish asks the retention loop to run, without waiting for it.
func (s *Server) afterPublish() {
	select {
	case s.pruneNow <- struct{}{}:
	default:
	}
}

// sameDataset reports whether two datasets store the same bytes: an
// upload of it would publish nothing new.
func sameDataset(a, b *stats.Dataset) bool {
	x, err1 := datasets.MarshalStorage(a)
	y, err2 := datasets.MarshalStorage(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// HistoryRow is one version in the /admin history, with the kept version
// before it (0 for none) for its "Changes" link.
type HistoryRow struct {
	datasets.VersionInfo
	Prev int
}

// Pager is the page navigation of the /admin history.
type Pager struct {
	Page, Pages, Total int
	// Window lists the page numbers linked around the current one.
	Window []int
}

// historyPage reads page p (from 1, newest first) of the history.
func (s *Server) historyPage(ctx context.Context, p int) ([]HistoryRow, Pager, error) {
	total, err := s.store.CountVersions(ctx, 0)
	if err != nil {
		return nil, Pager{}, err
	}
	pg := Pager{Total: total, Pages: max(1, (total+historyPageSize-1)/historyPageSize)}
	pg.Page = min(max(p, 1), pg.Pages)
	for i := max(1, pg.Page-3); i <= min(pg.Pages, pg.Page+3); i++ {
		pg.Window = append(pg.Window, i)
	}
	// One more than the page, for the last row's previous version.
	vs, err := s.store.ListVersions(ctx, datasets.VersionQuery{Offset: (pg.Page - 1) * historyPageSize, Limit: historyPageSize + 1})
	if err != nil {
		return nil, pg, err
	}
	rows := make([]HistoryRow, 0, min(len(vs), historyPageSize))
	for i, v := range vs {
		if i == historyPageSize {
			break
		}
		r := HistoryRow{VersionInfo: v}
		if i+1 < len(vs) {
			r.Prev = vs[i+1].Number
		}
		rows = append(rows, r)
	}
	return rows, pg, nil
}

// historyJump answers /admin?version=N: a redirect to the page that lists
// version N, at its row.
func (s *Server) historyJump(c echo.Context, n int) (bool, error) {
	ctx := c.Request().Context()
	vs, err := s.store.ListVersions(ctx, datasets.VersionQuery{Before: n + 1, Limit: 1})
	if err != nil || len(vs) == 0 || vs[0].Number != n {
		return false, err
	}
	newer, err := s.store.CountVersions(ctx, n)
	if err != nil {
		return false, err
	}
	page := newer/historyPageSize + 1
	return true, c.Redirect(http.StatusSeeOther, "/admin?page="+strconv.Itoa(page)+"#v"+strconv.Itoa(n))
}

// apiVersionsPage answers GET /api/v1/datasets?limit=&before=.
func (s *Server) apiVersionsPage(c echo.Context) error {
	limit := apiPageSize
	if q := c.QueryParam("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 {
			return stats.NewError(stats.BadRequest, "limit is the number of versions per page, from 1 to "+strconv.Itoa(apiPageMax)+".")
		}
		limit = min(n, apiPageMax)
	}
	before := 0
	if q := c.QueryParam("before"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 {
			return stats.NewError(stats.BadRequest, "before is a version number: the page lists the versions older than it.")
		}
		before = n
	}
	vs, err := s.store.ListVersions(c.Request().Context(), datasets.VersionQuery{Before: before, Limit: limit + 1})
	if err != nil {
		return err
	}
	out := map[string]any{}
	if len(vs) > limit {
		vs = vs[:limit]
		q := url.Values{"limit": {strconv.Itoa(limit)}, "before": {strconv.Itoa(vs[len(vs)-1].Number)}}
		next := "/api/v1/datasets?" + q.Encode()
		out["next"] = next
		c.Response().Header().Set("Link", "<"+next+`>; rel="next"`)
	}
	if vs == nil {
		vs = []datasets.VersionInfo{}
	}
	out["versions"] = vs
	return c.JSON(http.StatusOK, out)
}
