package accounts

import (
	"context"
	"strings"
	"testing"
)

func TestHashPasswordLimits(t *testing.T) {
	if _, err := HashPassword("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
	if _, err := HashPassword(strings.Repeat("a", 73)); err == nil {
		t.Error("a 73-byte password was accepted (bcrypt would ignore its end)")
	}
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Error("the right password was refused")
	}
	long := strings.Repeat("x", 72)
	hl, err := HashPassword(long)
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(hl, long) || CheckPassword(hl, long+"anything") {
		t.Error("a 72-byte password and a suffix after it were treated alike (bcrypt truncation)")
	}
	if CheckPassword(h, "correct horse battery!") || CheckPassword("", "correct horse battery") {
		t.Error("a wrong password, or an unknown user, was accepted")
	}
}

type tokens map[string]string

func (m tokens) AddToken(_ context.Context, name, hash string) error { m[name] = hash; return nil }

func TestNewAPITokenStoresOnlyTheHash(t *testing.T) {
	store := tokens{}
	tok, err := NewAPIToken(context.Background(), store, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "blt_") || len(tok) < 40 {
		t.Errorf("token %q: want blt_ and 32 random bytes", tok)
	}
	if store["ci"] != HashToken(tok) || strings.Contains(store["ci"], tok) {
		t.Errorf("stored %q; want the token's hash only", store["ci"])
	}
	if a, b := RandomToken(32), RandomToken(32); a == b {
		t.Error("two random tokens are equal")
	}
}
