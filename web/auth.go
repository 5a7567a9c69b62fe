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
		Secure: s.isTLS(c), Expires: se.ExpiresAt,
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
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.isTLS(c), MaxAge: -1})
	return nil
}

// isTLS reports whether the client reached us over HTTPS: the connection
// is TLS, or a trusted proxy says so in X-Forwarded-Proto. The header from
// anyone else is ignored (finding 12): it would turn on HSTS and Secure
// cookies for whoever sends it.
func (s *Server) isTLS(c echo.Context) bool { return s.isTLSRequest(c.Request()) }

func (s *Server) isTLSRequest(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return s.fromTrustedProxy(r) && strings.EqualFold(strings.TrimSpace(r.Header.Get(echo.HeaderXForwardedProto)), "https")
}

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

// requireCSRF checks the CSRF token of a state-changing request (finding
// 4: it used to wave through every multipart POST). The token comes from
// a header (the upload script sends it there) or from the form, URL-encoded
// or multipart, read under a 64 KiB limit.
func (s *Server) requireCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return s.csrfCheck(next, false)
}

// requireCSRFStreaming is requireCSRF for the upload: a multipart body
// without the header is checked by readUpload as it streams the parts,
// after the size limit is in place and before the file is read.
func (s *Server) requireCSRFStreaming(next echo.HandlerFunc) echo.HandlerFunc {
	return s.csrfCheck(next, true)
}

func (s *Server) csrfCheck(next echo.HandlerFunc, streaming bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		se, _ := c.Get(ctxSession).(datasets.Session)
		if !sameOrigin(c) {
			return errCrossSite
		}
		r := c.Request()
		tok := r.Header.Get(csrfHeader)
		if tok == "" {
			ct := r.Header.Get("Content-Type")
			switch {
			case streaming && strings.HasPrefix(ct, "multipart/form-data"):
				return next(c) // readUpload checks the token before the file
			case strings.HasPrefix(ct, "application/x-www-form-urlencoded"), strings.HasPrefix(ct, "multipart/form-data"):
				r.Body = http.MaxBytesReader(c.Response(), r.Body, 64<<10)
				tok = c.FormValue(csrfField)
			}
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
	o := r.Header.Get("Origin")
	if o == "null" && r.Header.Get("Sec-Fetch-Site") == "" {
		// An opaque origin (a sandboxed frame, a data: page, some
		// redirects) without fetch metadata to say where it came from.
		return false
	}
	if o != "" && o != "null" {
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
		// The scheme's name is case-insensitive (RFC 9110, 11.1).
		tok, ok := "", len(h) > 7 && strings.EqualFold(h[:7], "Bearer ")
		if ok {
			tok = h[7:]
		}
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
		// What a token reads (authors, comments, versions) is for it
		// alone: no cache keeps it, unless a handler says otherwise.
		c.Response().Header().Set("Cache-Control", "no-store")
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

// loginLimiter slows password guessing. It lives in this process's memory,
// so with several replicas each keeps its own count (README: limits are
// per replica).
type loginLimiter struct {
	mu      sync.Mutex
	entries map[string]*limitEntry
	// every, when set, replaces both refill intervals (tests: an hour, so
	// that slow bcrypt comparisons under -race never outlast a refill).
	every time.Duration
}

type limitEntry struct {
	lim    *rate.Limiter
	seen   time.Time
	locked bool // the last attempt was refused
}

// The sign-in limits: an address may try 6 times, then once every 20 s;
// one account from one address 4 times, then once every 20 s. Nothing is
// limited per account alone, so failures elsewhere never lock its owner
// out.
const (
	loginAddrBurst = 6
	loginAddrEvery = 20 * time.Second
	loginPairBurst = 4
	loginPairEvery = 20 * time.Second
)

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{entries: map[string]*limitEntry{}}
}

// allow reports whether another attempt for key may go ahead now, and
// whether this refusal is the one that locked the key.
func (l *loginLimiter) allow(key string, every time.Duration, burst int) (ok, locked bool) {
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
		if l.every > 0 {
			every = l.every
		}
		e = &limitEntry{lim: rate.NewLimiter(rate.Every(every), burst)}
		l.entries[key] = e
	}
	e.seen = now
	ok = e.lim.Allow()
	locked = !ok && !e.locked
	e.locked = !ok
	return ok, locked
}

// loginAllowed applies the sign-in limits to an attempt from ip for the
// account name, and logs each lock as it starts.
func (s *Server) loginAllowed(ip, name string) bool {
	client := clientKey(ip)
	ok, locked := s.logins.allow("ip:"+client, loginAddrEvery, loginAddrBurst)
	scope := "address"
	if ok {
		// The name as typed may be up to the form's 16 KiB: the key holds
		// its first 128 characters, so the table's memory stays small.
		ok, locked = s.logins.allow("pair:"+truncateRunes(strings.ToLower(name), 128)+"\x00"+client, loginPairEvery, loginPairBurst)
		scope = "account from address"
	}
	if locked {
		s.log.Warn("sign-in attempts locked", "scope", scope, "account", truncateRunes(name, 64), "address", client,
			"retry_after_seconds", int(loginPairEvery.Seconds()))
	}
	return ok
}

// truncateRunes cuts s to at most n runes, never inside a character.
func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
