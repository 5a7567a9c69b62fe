package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/stats"
)

const (
	sessionCookie   = "bilateral_session"
	sessionLifetime = 12 * time.Hour
	csrfField       = "csrf"
	csrfHeader      = "X-CSRF-Token"
	ctxUser         = "user"    // the signed-in editor's name
	ctxSession      = "session" // their datasets.Session
	ctxScope        = "scope"   // an API token's scope
)

// checkPassword reports whether pw is the user's password.
func (s *Server) checkPassword(ctx context.Context, user, pw string) bool {
	h, err := s.store.PasswordHash(ctx, user)
	if err != nil {
		h = "" // unknown user: compared against a dummy, in the same time
	}
	return accounts.CheckPassword(h, pw)
}

// audit records an action of the signed-in editor or API token in the
// audit log, with the client's address. The action has happened, so a
// failure to record it does not fail the request: it is logged.
func (s *Server) audit(c echo.Context, action, detail string) {
	user, _ := c.Get(ctxUser).(string)
	s.auditAs(c, user, action, detail)
}

// auditAs is audit for an actor who is not signed in (yet): the name
// typed into the sign-in form.
func (s *Server) auditAs(c echo.Context, actor, action, detail string) {
	// Recorded even when the client has gone away meanwhile.
	ctx := context.WithoutCancel(c.Request().Context())
	e := datasets.AuditEntry{Actor: actor, Action: action, Detail: detail, Remote: c.RealIP()}
	if err := s.store.Audit(ctx, e); err != nil {
		s.log.Error("writing the audit log", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"actor", actor, "action", action, "detail", detail, "err", err)
	}
}

// startSession signs a user in: a random id in an HttpOnly, SameSite=Strict
// cookie (Secure over TLS), its hash and a CSRF token in the store.
func (s *Server) startSession(c echo.Context, user string) error {
	id := accounts.RandomToken(32)
	se := datasets.Session{User: user, CSRF: accounts.RandomToken(24), ExpiresAt: time.Now().Add(sessionLifetime)}
	if err := s.store.CreateSession(c.Request().Context(), accounts.HashToken(id), se); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: isTLS(c), Expires: se.ExpiresAt,
	})
	return nil
}

// endSession signs out: the session is deleted from the store, then the
// cookie. When the store fails the cookie is kept, so that signing out
// can be tried again rather than leave a live session without its cookie.
func (s *Server) endSession(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.store.DeleteSession(c.Request().Context(), accounts.HashToken(ck.Value)); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: isTLS(c), MaxAge: -1})
	return nil
}

func isTLS(c echo.Context) bool { return c.Request().TLS != nil || c.Scheme() == "https" }

// currentSession returns the request's session, if signed in.
func (s *Server) currentSession(c echo.Context) (datasets.Session, bool) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return datasets.Session{}, false
	}
	se, err := s.store.Session(c.Request().Context(), accounts.HashToken(ck.Value))
	if err != nil {
		return datasets.Session{}, false
	}
	return se, true
}

// requireEditor lets signed-in editors through and sends everyone else to
// the login page.
func (s *Server) requireEditor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		se, ok := s.currentSession(c)
		if !ok {
			if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead {
				return c.Redirect(http.StatusSeeOther, "/admin/login")
			}
			return stats.NewError(stats.Unauthorized, "Your session has ended. Sign in again.")
		}
		c.Set(ctxUser, se.User)
		c.Set(ctxSession, se)
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// requireCSRF checks the CSRF token of a state-changing request. It reads
// the token from a header (the upload script sends it there) or from a
// URL-encoded form; multipart uploads are checked by the upload handler as
// it streams the parts, after the body limit is in place, so that this
// check never reads a large body.
func (s *Server) requireCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		se, _ := c.Get(ctxSession).(datasets.Session)
		if !sameOrigin(c) {
			return errCrossSite
		}
		tok := c.Request().Header.Get(csrfHeader)
		if tok == "" && strings.HasPrefix(c.Request().Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, 64<<10)
			tok = c.FormValue(csrfField)
		}
		if strings.HasPrefix(c.Request().Header.Get("Content-Type"), "multipart/") && tok == "" {
			return next(c) // checked while streaming the upload
		}
		if !validCSRF(se, tok) {
			return errExpiredForm
		}
		return next(c)
	}
}

// The refusals of forms that did not come from our own pages.
var (
	errCrossSite   = stats.NewError(stats.Forbidden, "This form was sent from another site and was refused.")
	errExpiredForm = stats.NewError(stats.Forbidden, "The form had expired. Reload the page and try again.")
)

func validCSRF(se datasets.Session, tok string) bool {
	return se.CSRF != "" && subtle.ConstantTimeCompare([]byte(se.CSRF), []byte(tok)) == 1
}

// sameOrigin rejects cross-site form posts using the Fetch metadata and
// Origin headers browsers send; a request without them (a script, curl)
// still needs the CSRF token.
func sameOrigin(c echo.Context) bool {
	r := c.Request()
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		host := o
		if i := strings.Index(o, "://"); i >= 0 {
			host = o[i+3:]
		}
		return strings.EqualFold(host, r.Host)
	}
	return true
}

// requireToken authenticates API calls with a bearer token before any of
// the request body is read.
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get("Authorization")
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(tok) == "" {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="bilateral"`)
			return stats.NewError(stats.Unauthorized, "This API needs an Authorization: Bearer TOKEN header (create a token with `bilateral token create NAME`).")
		}
		ti, err := s.store.Token(c.Request().Context(), accounts.HashToken(strings.TrimSpace(tok)))
		if errors.Is(err, datasets.ErrExpired) {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="bilateral", error="invalid_token", error_description="expired"`)
			return stats.Wrap(stats.Unauthorized, "The API token expired on "+ti.ExpiresAt.UTC().Format("2006-01-02 15:04")+" UTC: ask an editor for a new one.", err)
		}
		if errors.Is(err, datasets.ErrNotFound) {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="bilateral", error="invalid_token"`)
			return stats.Wrap(stats.Unauthorized, "The API token is not valid (or it was revoked).", err)
		}
		if err != nil {
			return err
		}
		c.Set(ctxUser, "token:"+ti.Name)
		c.Set(ctxScope, ti.Scope)
		return next(c)
	}
}

// requirePublish lets through only tokens whose scope allows uploads,
// publishes and restores; read-only tokens get 403.
func (s *Server) requirePublish(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if sc, _ := c.Get(ctxScope).(string); sc != datasets.ScopePublish {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="bilateral", error="insufficient_scope", scope="publish"`)
			return stats.NewError(stats.Forbidden, "This API token may only read: uploads, publishes and restores need a token with the publish scope.")
		}
		return next(c)
	}
}

// loginLimiter slows password guessing: a few attempts per client address
// and per account name, refilled over minutes.
type loginLimiter struct {
	mu      sync.Mutex
	entries map[string]*limitEntry
	every   time.Duration
	burst   int
}

type limitEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{entries: map[string]*limitEntry{}, every: 20 * time.Second, burst: 5}
}

// allow reports whether another attempt for key may go ahead now.
func (l *loginLimiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.entries) > 10000 { // forget idle keys so memory stays bounded
		for k, e := range l.entries {
			if now.Sub(e.seen) > 10*time.Minute {
				delete(l.entries, k)
			}
		}
	}
	e := l.entries[key]
	if e == nil {
		e = &limitEntry{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.entries[key] = e
	}
	e.seen = now
	return e.lim.Allow()
}
