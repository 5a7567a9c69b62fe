package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/respond"
)

// apiIssue is a workbook problem in API responses.
type apiIssue struct {
	Sheet   string `json:"sheet"`
	Cell    string `json:"cell"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

func apiIssues(is []xlsx.Issue) []apiIssue {
	out := make([]apiIssue, 0, len(is))
	for _, i := range is {
		out = append(out, apiIssue{Sheet: i.Sheet, Cell: i.Cell, Value: i.Value, Message: i.Message})
	}
	return out
}

// handleAPIUpload validates a workbook and, unless dry_run is set,
// publishes it as a new version.
func (s *Server) handleAPIUpload(c echo.Context) error {
	ctx := c.Request().Context()
	user, _ := c.Get(ctxUser).(string)
	up, err := s.readUpload(c, nil)
	if err != nil {
		return err
	}
	res, err := check(up.data)
	if err != nil {
		return err
	}
	if len(res.issues) > 0 {
		s.audit(c, "upload_rejected", strconv.Itoa(len(res.issues))+" problems in "+up.filename)
		return newInvalidWorkbook(up.filename, res.issues)
	}
	curInfo, cur, err := s.store.Current(ctx)
	if err != nil {
		return err
	}
	changes := stats.Diff(cur, res.dataset)
	if changes == nil {
		changes = []stats.Change{}
	}
	unchanged := len(changes) == 0 && sameDataset(cur, res.dataset)
	if c.QueryParam("dry_run") == "1" || c.QueryParam("dry_run") == "true" {
		return c.JSON(http.StatusOK, map[string]any{"valid": true, "base_version": curInfo.Number, "changes": changes, "unchanged": unchanged, "warnings": res.warnings})
	}
	if unchanged && !(c.QueryParam("allow_empty") == "1" || c.QueryParam("allow_empty") == "true") {
		// Publishing nothing is a choice (?allow_empty=1): a script that
		// uploads on a schedule does not flood the history.
		return c.JSON(http.StatusOK, map[string]any{"version": curInfo.Number, "unchanged": true, "warnings": res.warnings})
	}
	comment := up.comment
	if comment == "" {
		comment = c.QueryParam("comment")
	}
	// No base version: an API publish means "make this current", so
	// concurrent uploads queue up and each becomes a version in turn.
	v, err := s.publish(ctx, datasets.NewVersion{Workbook: up.data, Dataset: res.dataset, Author: user, Comment: comment})
	if errors.Is(err, datasets.ErrStale) {
		return stats.Wrap(stats.Conflict, "Another version was published while this one was being checked. Send it again.", err)
	}
	if err != nil {
		return err
	}
	s.audit(c, "publish", "version "+strconv.Itoa(v.Number)+" from "+up.filename+" via the API")
	return c.JSON(http.StatusCreated, map[string]any{"version": v.Number, "sha256": v.SHA256, "created_at": v.CreatedAt, "changes": len(changes), "warnings": res.warnings})
}

// handleAPIVersions lists the history a page at a time, newest first:
// ?limit= (default 50) versions older than ?before=, with a "next" link
// to the following page while there is one.
func (s *Server) handleAPIVersions(c echo.Context) error {
	return s.apiVersionsPage(c)
}

// handleAPIRestore publishes a copy of an earlier version.
func (s *Server) handleAPIRestore(c echo.Context) error {
	n, err := versionParam(c)
	if err != nil {
		return err
	}
	user, _ := c.Get(ctxUser).(string)
	v, err := s.restore(c, n, user)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"version": v.Number, "restored_from": n})
}

// serveVersionWorkbook downloads the workbook of any version (editors
// and API alike).
func (s *Server) serveVersionWorkbook(c echo.Context) error {
	n, err := versionParam(c)
	if err != nil {
		return err
	}
	b, err := s.store.Workbook(c.Request().Context(), n)
	if err != nil {
		return noVersion(n, err)
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="dataset-v`+strconv.Itoa(n)+`.xlsx"`)
	return serve(c, respond.New(xlsxType, b, respond.Options{Ranges: true}), privateImmutable)
}

// versionParam reads the version number of the route's :version.
func versionParam(c echo.Context) (int, error) {
	n, err := strconv.Atoi(c.Param("version"))
	if err != nil || n < 1 {
		return 0, stats.NewError(stats.NotFound, "Versions are numbered from 1.")
	}
	return n, nil
}

// noVersion words a store's ErrNotFound for version n; other errors pass
// as they are.
func noVersion(n int, err error) error {
	if errors.Is(err, datasets.ErrNotFound) {
		return stats.Wrap(stats.NotFound, "There is no version "+strconv.Itoa(n)+".", err)
	}
	return err
}

// restore publishes a copy of version n, rendering it first like any
// publish.
func (s *Server) restore(c echo.Context, n int, user string) (datasets.VersionInfo, error) {
	ctx := c.Request().Context()
	release := s.pinned.hold(n)
	defer release()
	_, d, err := s.store.Version(ctx, n)
	if err != nil {
		return datasets.VersionInfo{}, noVersion(n, err)
	}
	wb, err := s.store.Workbook(ctx, n)
	if err != nil {
		return datasets.VersionInfo{}, err
	}
	v, err := s.publish(ctx, datasets.NewVersion{Workbook: wb, Dataset: d, Author: user, Comment: "Restored version " + strconv.Itoa(n), RestoredFrom: n})
	if err != nil {
		return datasets.VersionInfo{}, err
	}
	s.audit(c, "restore", "version "+strconv.Itoa(n)+" published again as version "+strconv.Itoa(v.Number))
	return v, nil
}
