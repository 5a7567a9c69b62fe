package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
)

// AdminBase is embedded in every editor page.
type AdminBase struct {
	BasePage
	User string
	CSRF string
}

// LoginPage is the sign-in form.
type LoginPage struct {
	BasePage
	Name  string
	Error string
}

// AdminPage is the editors' home: upload form and one page of the
// history.
type AdminPage struct {
	AdminBase
	Current  datasets.VersionInfo
	Versions []HistoryRow
	Pager    Pager
	Flash    string
	// Missing is a version asked for (?version=N) that is not kept.
	Missing     int
	Filename    string
	Errors      []xlsx.Issue
	MaxUploadMB int64
}

// ChangeCounts summarises a list of changes.
type ChangeCounts struct{ Added, Changed, Removed int }

func countChanges(cs []stats.Change) ChangeCounts {
	var n ChangeCounts
	for _, c := range cs {
		switch c.Kind {
		case stats.Added:
			n.Added++
		case stats.Changed:
			n.Changed++
		case stats.Removed:
			n.Removed++
		}
	}
	return n
}

// PreviewPage shows what a checked upload would change.
type PreviewPage struct {
	AdminBase
	Upload   datasets.Upload
	Base     datasets.VersionInfo
	Changes  []stats.Change
	Counts   ChangeCounts
	Hidden   int // changes counted but not listed (see listChanges)
	Warnings []schema.Warning
	Stale    bool
	// BaseCheck compares the version the workbook was downloaded from
	// with the current one; Confirm asks for a confirmation to publish.
	BaseCheck baseCheck
	Confirm   bool
	// Unchanged: the upload stores the same dataset as its base version;
	// publishing it would add a version with no changes.
	Unchanged bool
	// Charts and Text are what the upload adds or changes on the page.
	Charts []ChartPreview
	Text   []TextPreview
}

// DiffPage compares two versions.
type DiffPage struct {
	AdminBase
	From, To int
	Newest   int
	Changes  []stats.Change
	Counts   ChangeCounts
	Hidden   int
}

// AuditPage lists a page of the audit log.
type AuditPage struct {
	AdminBase
	Entries []datasets.AuditEntry
	// Action filters the entries; Actions are the choices.
	Action  string
	Actions []string
	// Older is the id to ask for the next (older) page from; 0 when this
	// is the last page. Newest links back to the first page.
	Older  int64
	Newest bool
}

// auditPageSize is how many audit entries one page shows.
const auditPageSize = 100

func (s *Server) adminBase(c echo.Context, title string) (AdminBase, error) {
	snap := s.cur.Load()
	se, _ := c.Get(ctxSession).(datasets.Session)
	bp := s.basePage(snap, title+" · bilateral editors")
	bp.Scripts = []string{"admin.js"}
	bp.Nav = []NavItem{{"/", "Dashboard"}, {"/admin", "Upload and history"}, {"/admin/diff", "Compare versions"}, {"/admin/audit", "Audit log"}, {"/admin/accounts", "Editors and tokens"}}
	return AdminBase{BasePage: bp, User: se.User, CSRF: se.CSRF}, nil
}

func (s *Server) renderAdmin(c echo.Context, code int, page string, data any) error {
	html, err := renderPage(s.pages, page, data)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(code, html)
}

func (s *Server) handleLoginForm(c echo.Context) error {
	if _, ok := s.currentSession(c); ok {
		return c.Redirect(http.StatusSeeOther, "/admin")
	}
	bp := s.basePage(s.cur.Load(), "Sign in · bilateral editors")
	return s.renderAdmin(c, http.StatusOK, pageLogin, &LoginPage{BasePage: bp})
}

func (s *Server) handleLogin(c echo.Context) error {
	ctx := c.Request().Context()
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, 16<<10)
	name := strings.TrimSpace(c.FormValue("name"))
	pw := c.FormValue("password")
	ip := c.RealIP()
	bp := s.basePage(s.cur.Load(), "Sign in · bilateral editors")
	if !sameOrigin(c) {
		return errCrossSite
	}
	// A refused sign-in shows the form again, with the message, to a
	// browser; a script gets the error.
	refuse := func(err error) error {
		return s.formError(c, err, func(status int, msg string) error {
			return s.renderAdmin(c, status, pageLogin, &LoginPage{BasePage: bp, Name: name, Error: msg})
		})
	}
	// Limited per address and per (account, address), never per account
	// alone (finding 3): failures from one address must not lock the
	// account's owner out everywhere else.
	if !s.loginAllowed(ip, name) {
		s.auditAs(c, name, "login_throttled", "")
		return refuse(&stats.Error{Kind: stats.RateLimited, Message: "Too many sign-in attempts. Wait a minute and try again.", RetryAfter: time.Minute})
	}
	if name == "" || !s.checkPassword(ctx, name, pw) {
		s.auditAs(c, name, "login_failed", "")
		return refuse(stats.NewError(stats.Unauthorized, "The name or the password is wrong."))
	}
	if err := s.startSession(c, name); err != nil {
		return err
	}
	s.auditAs(c, name, "login", "")
	return c.Redirect(http.StatusSeeOther, "/admin")
}

func (s *Server) handleLogout(c echo.Context) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	s.audit(c, "logout", "")
	return c.Redirect(http.StatusSeeOther, "/admin/login")
}

// adminHome renders the upload form and the first page of the history,
// with the problems of a rejected upload when there are some.
func (s *Server) adminHome(c echo.Context, code int, flash, filename string, issues []xlsx.Issue) error {
	return s.adminHomePage(c, code, 1, 0, flash, filename, issues)
}

// adminHomePage renders the upload form and page p of the history.
func (s *Server) adminHomePage(c echo.Context, code, p, missing int, flash, filename string, issues []xlsx.Issue) error {
	ctx := c.Request().Context()
	base, err := s.adminBase(c, "Upload and history")
	if err != nil {
		return err
	}
	rows, pager, err := s.historyPage(ctx, p)
	if err != nil {
		return err
	}
	page := &AdminPage{AdminBase: base, Versions: rows, Pager: pager, Missing: missing, Flash: flash, Filename: filename, Errors: issues, MaxUploadMB: s.cfg.MaxUpload >> 20}
	if len(rows) > 0 && rows[0].Current {
		page.Current = rows[0].VersionInfo
	} else if cur, err := s.store.ListVersions(ctx, datasets.VersionQuery{Limit: 1}); err != nil {
		return err
	} else if len(cur) > 0 {
		page.Current = cur[0]
	}
	return s.renderAdmin(c, code, pageAdmin, page)
}

func (s *Server) handleAdmin(c echo.Context) error {
	var flash string
	if v, ok := notice(c, "published"); ok {
		flash = "Version " + v + " is published: the dashboard now shows it."
	} else if v, ok := notice(c, "restored"); ok {
		flash = "Version " + v + " is published as a copy of an earlier version."
	} else if _, ok := notice(c, "discarded"); ok {
		flash = "The upload was discarded; nothing changed."
	}
	if q := c.QueryParam("version"); q != "" {
		n, err := strconv.Atoi(q)
		if err == nil && n > 0 {
			if found, err := s.historyJump(c, n); found || err != nil {
				return err
			}
		}
		return s.adminHomePage(c, http.StatusNotFound, 1, max(n, 0), "", "", nil)
	}
	p, _ := strconv.Atoi(c.QueryParam("page"))
	return s.adminHomePage(c, http.StatusOK, p, 0, flash, "", nil)
}

// handleAdminUpload checks an uploaded workbook. A bad one re-renders the
// form with every problem (422); a good one is kept for preview (303).
// The upload script asks for JSON and gets the same outcomes as data.
func (s *Server) handleAdminUpload(c echo.Context) error {
	ctx := c.Request().Context()
	se, _ := c.Get(ctxSession).(datasets.Session)
	wantsJSON := !prefersHTML(c.Request())
	// A refused upload shows the form again, with every problem, to a
	// browser posting the form; the upload script gets the error as JSON.
	refuse := func(err error) error {
		return s.formError(c, err, func(status int, msg string) error {
			var wb *invalidWorkbook
			if errors.As(err, &wb) {
				return s.adminHome(c, status, "", wb.filename, wb.issues)
			}
			return s.adminHome(c, status, "", "", []xlsx.Issue{{Message: msg}})
		})
	}
	up, err := s.readUpload(c, func(tok string) bool { return validCSRF(se, tok) })
	if err != nil {
		return refuse(err)
	}
	res, err := s.checkLimited(up.data)
	if err != nil {
		return err
	}
	if len(res.issues) > 0 {
		s.audit(c, "upload_rejected", strconv.Itoa(len(res.issues))+" problems in "+up.filename)
		return refuse(newInvalidWorkbook(up.filename, res.issues))
	}
	curInfo, curDS, err := s.store.Current(ctx)
	if err != nil {
		return err
	}
	cur := curInfo.Number
	bc, bw, err := s.checkBase(ctx, res.exportedFrom, cur, curDS, res.dataset)
	if err != nil {
		return err
	}
	id, err := s.store.SaveUpload(ctx, datasets.Upload{Author: se.User, Filename: up.filename, Workbook: up.data, Dataset: res.dataset, BaseVersion: cur,
		ExportedFrom: res.exportedFrom, Formulas: res.formulas})
	if err != nil {
		return err
	}
	s.audit(c, "upload", up.filename+" checked against version "+strconv.Itoa(cur))
	loc := "/admin/uploads/" + id
	if wantsJSON {
		return c.JSON(http.StatusOK, map[string]any{"valid": true, "location": loc, "warnings": append(append([]schema.Warning{}, res.warnings...), bw...),
			"base_version": bc.Base, "current_version": bc.Current, "overwrites": bc.Overwrites,
			"unchanged": sameDataset(curDS, res.dataset)})
	}
	return c.Redirect(http.StatusSeeOther, loc)
}

func (s *Server) loadUpload(c echo.Context) (datasets.Upload, error) {
	u, err := s.store.Upload(c.Request().Context(), c.Param("id"))
	if errors.Is(err, datasets.ErrNotFound) {
		return u, stats.Wrap(stats.NotFound, "This upload was already published or discarded, or it is more than a day old. Upload the file again.", err)
	}
	return u, err
}

func (s *Server) handlePreview(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := s.loadUpload(c)
	if err != nil {
		return err
	}
	base, err := s.adminBase(c, "Preview of "+u.Filename)
	if err != nil {
		return err
	}
	release := s.pinned.hold(u.BaseVersion)
	defer release()
	bv, bd, err := s.store.Version(ctx, u.BaseVersion)
	if err != nil {
		return err
	}
	cur, err := s.store.CurrentNumber(ctx)
	if err != nil {
		return err
	}
	changes := stats.Diff(bd, u.Dataset)
	// The warnings are not stored with the upload: the workbook, valid
	// when it was saved, is checked again for them.
	res, err := s.checkLimited(u.Workbook)
	if err != nil {
		return err
	}
	page := &PreviewPage{AdminBase: base, Upload: u, Base: bv, Counts: countChanges(changes), Stale: cur != u.BaseVersion, Warnings: res.warnings,
		Unchanged: len(changes) == 0 && sameDataset(bd, u.Dataset)}
	page.Changes, page.Hidden = s.listChanges(changes)
	// The upload is compared with the version it was checked against,
	// which is current unless the preview is stale.
	bc, bw, err := s.checkBase(ctx, u.ExportedFrom, bv.Number, bd, u.Dataset)
	if err != nil {
		return err
	}
	page.BaseCheck, page.Confirm = bc, bc.NeedsConfirm()
	page.Warnings = append(page.Warnings, bw...)
	page.Warnings = append(page.Warnings, schema.ChangeWarnings(bd, u.Dataset)...)
	page.Charts, page.Text = changedCharts(u.ID, bd, u.Dataset), changedText(bd, u.Dataset)
	return s.renderAdmin(c, http.StatusOK, pagePreview, page)
}

func (s *Server) handlePublish(c echo.Context) error {
	ctx := c.Request().Context()
	user, _ := c.Get(ctxUser).(string)
	u, err := s.loadUpload(c)
	if err != nil {
		return err
	}
	comment := datasets.Clip(strings.TrimSpace(c.FormValue("comment")), datasets.MaxComment)
	bv, bd, err := s.store.Version(ctx, u.BaseVersion)
	if err != nil {
		return err
	}
	bc, _, err := s.checkBase(ctx, u.ExportedFrom, bv.Number, bd, u.Dataset)
	if err != nil {
		return err
	}
	if bc.NeedsConfirm() && c.FormValue("confirm_overwrite") != "1" {
		msg := fmt.Sprintf("This file was downloaded from version %d, but version %d is current, and publishing it would overwrite %d value%s changed since. Go back to the preview, check the list and tick the box to confirm, or download the current workbook and make the change again.", bc.Base, bc.Current, len(bc.Overwrites), plural(len(bc.Overwrites)))
		if bc.Unknown {
			msg = fmt.Sprintf("This file was downloaded from version %d, which this store does not hold, so what it would overwrite cannot be shown. Go back to the preview and tick the box to confirm, or download the current workbook (version %d) and make the change again.", bc.Base, bc.Current)
		}
		return stats.NewError(stats.Conflict, msg)
	}
	v, err := s.publish(ctx, datasets.NewVersion{Workbook: u.Workbook, Dataset: u.Dataset, Author: user, Comment: comment, BaseVersion: u.BaseVersion, Formulas: u.Formulas})
	if errors.Is(err, datasets.ErrStale) {
		return stats.Wrap(stats.Conflict, "Another version was published after this file was checked, so its preview is out of date. Upload the file again to see what it changes now.", err)
	}
	if err != nil {
		return err
	}
	detail := "version " + strconv.Itoa(v.Number) + " from " + u.Filename
	if bc.NeedsConfirm() {
		detail += fmt.Sprintf(", made from version %d, confirmed over %d newer value%s", bc.Base, len(bc.Overwrites), plural(len(bc.Overwrites)))
	}
	s.audit(c, "publish", detail)
	if err := s.store.DeleteUpload(context.WithoutCancel(ctx), u.ID); err != nil {
		// The version is published; the upload left behind expires within
		// a day, and publishing it again is refused as stale.
		s.log.Warn("removing a published upload", "upload", u.ID, "err", err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin?"+noticeQuery(c, "published", strconv.Itoa(v.Number)))
}

func (s *Server) handleDiscard(c echo.Context) error {
	u, err := s.loadUpload(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteUpload(c.Request().Context(), u.ID); err != nil {
		return err // nothing was discarded: the editor sees the failure and can try again
	}
	s.audit(c, "discard", u.Filename)
	return c.Redirect(http.StatusSeeOther, "/admin?"+noticeQuery(c, "discarded", "1"))
}

func (s *Server) handleAdminRestore(c echo.Context) error {
	n, err := versionParam(c)
	if err != nil {
		return err
	}
	user, _ := c.Get(ctxUser).(string)
	v, err := s.restore(c, n, user)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin?"+noticeQuery(c, "restored", strconv.Itoa(v.Number)))
}

func (s *Server) handleDiff(c echo.Context) error {
	ctx := c.Request().Context()
	base, err := s.adminBase(c, "Compare versions")
	if err != nil {
		return err
	}
	newest, err := s.store.ListVersions(ctx, datasets.VersionQuery{Limit: 2})
	if err != nil {
		return err
	}
	page := &DiffPage{AdminBase: base}
	// A missing or unreadable number is 0: the latest two versions, or
	// "There is no version 0".
	from, _ := strconv.Atoi(c.QueryParam("from"))
	to, _ := strconv.Atoi(c.QueryParam("to"))
	if len(newest) > 0 {
		page.Newest = newest[0].Number
		if from == 0 && to == 0 {
			to, from = newest[0].Number, newest[len(newest)-1].Number
		}
	}
	page.From, page.To = from, to
	release := s.pinned.hold(from, to)
	defer release()
	_, a, err := s.store.Version(ctx, from)
	if err != nil {
		return noVersion(from, err)
	}
	_, b, err := s.store.Version(ctx, to)
	if err != nil {
		return noVersion(to, err)
	}
	changes := stats.Diff(a, b)
	page.Counts = countChanges(changes)
	page.Changes, page.Hidden = s.listChanges(changes)
	return s.renderAdmin(c, http.StatusOK, pageDiff, page)
}

func (s *Server) handleAudit(c echo.Context) error {
	ctx := c.Request().Context()
	base, err := s.adminBase(c, "Audit log")
	if err != nil {
		return err
	}
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	page := &AuditPage{AdminBase: base, Action: c.QueryParam("action"), Newest: before <= 0}
	if page.Actions, err = s.store.AuditActions(ctx); err != nil {
		return err
	}
	// One more than a page tells whether there is an older page.
	es, err := s.store.AuditLog(ctx, datasets.AuditQuery{Action: page.Action, Before: max(before, 0), Limit: auditPageSize + 1})
	if err != nil {
		return err
	}
	if len(es) > auditPageSize {
		es = es[:auditPageSize]
		page.Older = es[len(es)-1].ID
	}
	page.Entries = es
	return s.renderAdmin(c, http.StatusOK, pageAudit, page)
}
