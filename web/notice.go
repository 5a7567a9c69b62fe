package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/bilateral/bilateral/datasets"
)

// Status notices ("Version 7 is published", "Editor ana is removed") travel
// to the page after a redirect in the query string. Anyone can write a
// query string, so a link could make an editor's page announce what never
// happened; each notice therefore carries a signature keyed by the
// editor's session, and a notice without a valid one is not shown.

// noticeQuery returns the query string carrying a notice for this
// session: key=value&sig=….
func noticeQuery(c echo.Context, key, value string) string {
	q := url.Values{key: {value}, "sig": {noticeSig(c, key, value)}}
	return q.Encode()
}

// notice returns the value of the notice key if the request carries it
// with a valid signature.
func notice(c echo.Context, key string) (string, bool) {
	v := c.QueryParam(key)
	if v == "" {
		return "", false
	}
	want := noticeSig(c, key, v)
	return v, want != "" && hmac.Equal([]byte(c.QueryParam("sig")), []byte(want))
}

// noticeSig signs key=value with the session's CSRF secret; "" without a
// session.
func noticeSig(c echo.Context, key, value string) string {
	se, ok := c.Get(ctxSession).(datasets.Session)
	if !ok || se.CSRF == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte("notice\x00"+se.CSRF))
	m.Write([]byte(key + "=" + value))
	return hex.EncodeToString(m.Sum(nil)[:12])
}

// hasNotice reports whether the request carries a valid notice for key.
func hasNotice(c echo.Context, key string) bool {
	_, ok := notice(c, key)
	return ok
}
