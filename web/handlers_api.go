package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/schema"
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
// publishes it as a new version. If-Match is checked before anything
// else; a workbook made from an older version that would overwrite newer
// changes is refused with 409 stale_base unless ?force=1.
func (s *Server) handleAPIUpload(c echo.Context) error {
	ctx := c.Request().Context()
	user, _ := c.Get(ctxUser).(string)
	if err := s.checkIfMatch(c); err != nil {
		return err
	}
	up, err := s.readUpload(c, nil)
	if err != nil {
		return err
	}
	res, err := s.checkLimited(up.data)
	if err != nil {
		return err
	}
	if len(res.issues) > 0 {
		s.audit(c, "upload_rejected", strconv.Itoa(len(res.issues))+" problems in "+up.filename)
		return newInvalidWorkbook(up.filename, res.issues)
	}
	comment := up.comment
	if comment == "" {
		comment = datasets.Clip(strings.TrimSpace(c.QueryParam("comment")), datasets.MaxComment)
	}
	dryRun := c.QueryParam("dry_run") == "1" || c.QueryParam("dry_run") == "true"
	// The overwrite check is made against the version the publish will
	// replace: a publish elsewhere in between makes it stale, and it is
	// checked again against the new current version.
	for attempt := 0; ; attempt++ {
		curInfo, cur, err := s.store.Current(ctx)
		if err != nil {
			return err
		}
		bc, bw, err := s.checkBase(ctx, res.exportedFrom, curInfo.Number, cur, res.dataset)
		if err != nil {
			return err
		}
		warnings := append(append([]schema.Warning{}, res.warnings...), bw...)
		warnings = append(warnings, schema.ChangeWarnings(cur, res.dataset)...)
		changes := stats.Diff(cur, res.dataset)
		if changes == nil {
			changes = []stats.Change{}
		}
		unchanged := len(changes) == 0 && sameDataset(cur, res.dataset)
		if dryRun {
			shown, summary := s.capChanges(changes)
			return c.JSON(http.StatusOK, map[string]any{"valid": true, "base_version": bc.Base, "current_version": bc.Current,
				"overwrites": bc.Overwrites, "changes": shown, "change_summary": summary, "unchanged": unchanged, "warnings": warnings, "formulas": res.formulas})
		}
		if bc.NeedsConfirm() && !wantForce(c) {
			return staleBase(bc)
		}
		if unchanged && !(c.QueryParam("allow_empty") == "1" || c.QueryParam("allow_empty") == "true") {
			// Publishing nothing is a choice (?allow_empty=1): a script that
			// uploads on a schedule does not flood the history.
			return c.JSON(http.StatusOK, map[string]any{"version": curInfo.Number, "unchanged": true, "warnings": warnings})
		}
		v, err := s.publish(ctx, datasets.NewVersion{Workbook: up.data, Dataset: res.dataset, Author: user, Comment: comment,
			BaseVersion: curInfo.Number, Formulas: res.formulas})
		if errors.Is(err, datasets.ErrStale) && attempt < 5 {
			continue
		}
		if errors.Is(err, datasets.ErrStale) {
			return stats.Wrap(stats.Conflict, "Other versions kept being published while this one was being checked. Send it again.", err)
		}
		if err != nil {
			return err
		}
		detail := "version " + strconv.Itoa(v.Number) + " from " + up.filename + " via the API"
		if bc.NeedsConfirm() {
			detail += fmt.Sprintf(", made from version %d, forced over %d newer value%s", bc.Base, len(bc.Overwrites), plural(len(bc.Overwrites)))
		}
		s.audit(c, "publish", detail)
		return c.JSON(http.StatusCreated, map[string]any{"version": v.Number, "sha256": v.SHA256, "created_at": v.CreatedAt, "changes": len(changes),
			"warnings": warnings, "base_version": bc.Base, "current_version": bc.Current, "overwrites": bc.Overwrites})
	}
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

// serveVersionWorkbook downloads the workbook of any version exactly as
// it was uploaded (editors and API tokens only, never readers: the public
// workbook is always generated). It is labelled as the uploaded file, and
// says how many formula cells it holds.
func (s *Server) serveVersionWorkbook(c echo.Context) error {
	n, err := versionParam(c)
	if err != nil {
		return err
	}
	b, err := s.store.Workbook(c.Request().Context(), n)
	if err != nil {
		return noVersion(n, err)
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="dataset-v`+strconv.Itoa(n)+`-as-uploaded.xlsx"`)
	if v, _, err := s.store.Version(c.Request().Context(), n); err == nil && v.Formulas >= 0 {
		c.Response().Header().Set("X-Bilateral-Formulas", strconv.Itoa(v.Formulas))
	}
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
	old, d, err := s.store.Version(ctx, n)
	if err != nil {
		return datasets.VersionInfo{}, noVersion(n, err)
	}
	wb, err := s.store.Workbook(ctx, n)
	if err != nil {
		// Removed in between by another replica's retention (this one's
		// keeps pinned versions).
		return datasets.VersionInfo{}, noVersion(n, err)
	}
	v, err := s.publish(ctx, datasets.NewVersion{Workbook: wb, Dataset: d, Author: user, Comment: "Restored version " + strconv.Itoa(n), RestoredFrom: n, Formulas: old.Formulas})
	if err != nil {
		return datasets.VersionInfo{}, err
	}
	s.audit(c, "restore", "version "+strconv.Itoa(n)+" published again as version "+strconv.Itoa(v.Number))
	return v, nil
}
