// Package accounts holds what editors' accounts are made of, apart from
// where they are stored: password hashes, API tokens and session ids. The
// server (web) and the command line (cmd/bilateral) both use it; neither
// knows how a secret is generated or hashed.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Password length limits. bcrypt reads only the first 72 bytes, so longer
// passwords are refused rather than silently truncated.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 72
)

// HashPassword returns a bcrypt hash of a password.
func HashPassword(pw string) (string, error) {
	if len(pw) < MinPasswordLen {
		return "", errors.New("passwords need at least 10 characters")
	}
	if len(pw) > MaxPasswordLen {
		return "", errors.New("passwords can have at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(h), err
}

// dummyHash is compared against when a user does not exist, so that a
// failed sign-in takes the same time whether or not the name is known.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such user, no such password"), bcrypt.DefaultCost)

// CheckPassword reports whether pw matches hash. An empty hash (no such
// user) is compared against a dummy so that the answer takes as long. A
// password longer than MaxPasswordLen never matches: bcrypt would compare
// only its first 72 bytes, so any suffix would be accepted.
func CheckPassword(hash, pw string) bool {
	if hash == "" || len(pw) > MaxPasswordLen {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// RandomToken returns n random bytes, URL-safe base64 encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never returns an error (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the stored form of a session id or API token. These
// are high-entropy random strings, so a plain SHA-256 suffices.
func HashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// NewPassword returns a random password for a generated account.
func NewPassword() string { return RandomToken(15) }

// TokenStore is where API tokens' hashes are kept.
type TokenStore interface {
	AddToken(ctx context.Context, name, hash string) error
}

// NewAPIToken creates an API token for name and stores only its hash. The
// token itself is returned once and cannot be recovered later.
func NewAPIToken(ctx context.Context, store TokenStore, name string) (string, error) {
	tok, hash := NewTokenSecret()
	if err := store.AddToken(ctx, name, hash); err != nil {
		return "", err
	}
	return tok, nil
}

// NewTokenSecret returns a new API token, to show once, and the hash to
// store in its place (with its name, scope and expiry, by the caller).
func NewTokenSecret() (token, hash string) {
	token = "blt_" + RandomToken(32)
	return token, HashToken(token)
}

// ParseExpiry reads a token's expiry: empty or "never" for none, a
// duration in days or hours ("90d", "12h") from now, or a date
// ("2027-01-31", the end of that day in UTC is not included: the token
// stops working at its start).
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || s == "never":
		return time.Time{}, nil
	case strings.HasSuffix(s, "d"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		if err != nil || n < 1 || n > 3650 {
			return time.Time{}, fmt.Errorf("the expiry %q: write a number of days from 1 to 3650, such as 90d", s)
		}
		return now.Add(time.Duration(n) * 24 * time.Hour), nil
	case strings.HasSuffix(s, "h"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "h"))
		if err != nil || n < 1 || n > 3650*24 {
			return time.Time{}, fmt.Errorf("the expiry %q: write a number of hours, such as 12h", s)
		}
		return now.Add(time.Duration(n) * time.Hour), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("the expiry %q: write a date (2027-01-31), a number of days (90d) or hours (12h), or never", s)
	}
	if !t.After(now) {
		return time.Time{}, fmt.Errorf("the expiry %s is in the past", s)
	}
	return t, nil
}
