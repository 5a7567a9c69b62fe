package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/stats"
)

// AccountsPage lets a signed-in editor manage editors and API tokens, as
// `bilateral user` and `bilateral token` do (issue 10, finding 15).
type AccountsPage struct {
	AdminBase
	Users  []datasets.UserInfo
	Tokens []TokenRow
	Flash  string
	Error  string
	// NewToken is a token just created, shown once.
	NewToken     string
	NewTokenInfo datasets.TokenInfo
}

// TokenRow is a token as the page lists it.
type TokenRow struct {
	datasets.TokenInfo
	Expired bool
}

func (s *Server) accountsPage(c echo.Context, code int, page *AccountsPage) error {
	ctx := c.Request().Context()
	base, err := s.adminBase(c, "Editors and tokens")
	if err != nil {
		return err
	}
	page.AdminBase = base
	if page.Users, err = s.store.Users(ctx); err != nil {
		return err
	}
	ts, err := s.store.Tokens(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, t := range ts {
		page.Tokens = append(page.Tokens, TokenRow{TokenInfo: t, Expired: t.Expired(now)})
	}
	return s.renderAdmin(c, code, pageAccounts, page)
}

func (s *Server) handleAccounts(c echo.Context) error {
	page := &AccountsPage{}
	switch {
	case hasNotice(c, "password"):
		page.Flash = "Your password is changed. Every other session of yours has ended."
	case hasNotice(c, "removed"):
		name, _ := notice(c, "removed")
		page.Flash = "Editor " + name + " is removed and signed out everywhere."
	case hasNotice(c, "revoked"):
		id, _ := notice(c, "revoked")
		page.Flash = "Token " + id + " is revoked."
	}
	return s.accountsPage(c, http.StatusOK, page)
}

// handleChangePassword sets the signed-in editor's password after checking
// the current one; every session of theirs ends, and this browser gets a
// new one.
func (s *Server) handleChangePassword(c echo.Context) error {
	ctx := c.Request().Context()
	user, _ := c.Get(ctxUser).(string)
	if !s.checkPassword(ctx, user, c.FormValue("current")) {
		return s.accountsPage(c, http.StatusUnauthorized, &AccountsPage{Error: "The current password is wrong; the password is unchanged."})
	}
	pw := c.FormValue("new")
	if pw != c.FormValue("repeat") {
		return s.accountsPage(c, http.StatusUnprocessableEntity, &AccountsPage{Error: "The two new passwords differ; the password is unchanged."})
	}
	h, err := accounts.HashPassword(pw)
	if err != nil {
		return s.accountsPage(c, http.StatusUnprocessableEntity, &AccountsPage{Error: "The new password is not accepted: " + err.Error() + "."})
	}
	if err := s.store.SetPassword(ctx, user, h); err != nil {
		return err
	}
	s.audit(c, "password_changed", user+" (every session ended)")
	if err := s.startSession(c, user); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/accounts?"+noticeQuery(c, "password", "changed"))
}

// handleRemoveUser removes another editor and ends their sessions.
func (s *Server) handleRemoveUser(c echo.Context) error {
	ctx := c.Request().Context()
	user, _ := c.Get(ctxUser).(string)
	name := c.Param("name")
	if name == user {
		return s.accountsPage(c, http.StatusUnprocessableEntity, &AccountsPage{Error: "You cannot remove yourself: ask another editor, or use bilateral user remove."})
	}
	if err := s.store.RemoveUser(ctx, name); errors.Is(err, datasets.ErrNotFound) {
		return stats.Wrap(stats.NotFound, "There is no editor "+name+".", err)
	} else if err != nil {
		return err
	}
	s.audit(c, "user_removed", name)
	return c.Redirect(http.StatusSeeOther, "/admin/accounts?"+noticeQuery(c, "removed", name))
}

// handleCreateToken creates an API token and shows it once.
func (s *Server) handleCreateToken(c echo.Context) error {
	ctx := c.Request().Context()
	name := strings.TrimSpace(c.FormValue("name"))
	if name == "" || len([]rune(name)) > 64 {
		return s.accountsPage(c, http.StatusUnprocessableEntity, &AccountsPage{Error: "Give the token a name of 1 to 64 characters, such as the script that will use it."})
	}
	exp, err := accounts.ParseExpiry(c.FormValue("expires"), time.Now())
	if err != nil {
		return s.accountsPage(c, http.StatusUnprocessableEntity, &AccountsPage{Error: err.Error() + "."})
	}
	scope := c.FormValue("scope")
	if !datasets.ValidScope(scope) {
		return s.accountsPage(c, http.StatusUnprocessableEntity, &AccountsPage{Error: "Choose the scope read or publish."})
	}
	tok, hash := accounts.NewTokenSecret()
	ti, err := s.store.AddScopedToken(ctx, datasets.NewToken{Name: name, Hash: hash, Scope: scope, ExpiresAt: exp})
	if err != nil {
		return s.accountsPage(c, http.StatusUnprocessableEntity, &AccountsPage{Error: err.Error() + "."})
	}
	s.audit(c, "token_created", fmt.Sprintf("token %d for %s, scope %s", ti.ID, ti.Name, ti.Scope))
	return s.accountsPage(c, http.StatusOK, &AccountsPage{NewToken: tok, NewTokenInfo: ti})
}

// handleRevokeToken revokes a token by id.
func (s *Server) handleRevokeToken(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return stats.NewError(stats.NotFound, "Tokens are numbered from 1.")
	}
	if err := s.store.RevokeToken(ctx, id); errors.Is(err, datasets.ErrNotFound) {
		return stats.Wrap(stats.NotFound, "There is no token "+c.Param("id")+".", err)
	} else if err != nil {
		return err
	}
	s.audit(c, "token_revoked", "token "+c.Param("id"))
	return c.Redirect(http.StatusSeeOther, "/admin/accounts?"+noticeQuery(c, "revoked", c.Param("id")))
}
