package main

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
)

// TestTokenListRevokeExpiryScope (issue 10, finding 15): there was no way
// to list, revoke or expire API tokens, nor read-only tokens. Now `token
// create` takes --scope and --expires, `token list` shows them, and
// `token revoke` by id or name makes a token stop working.
func TestTokenListRevokeExpiryScope(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	out, err := runCmd(t, "", "token", "create", "reader", "--scope", "read", "--expires", "30d", "--data", dir)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	readTok := lines[len(lines)-1]
	if !strings.HasPrefix(readTok, "blt_") || !strings.Contains(out, "scope read") {
		t.Fatalf("token create output:\n%s", out)
	}
	out, err = runCmd(t, "", "token", "create", "ci", "--data", dir)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	lines = strings.Split(strings.TrimSpace(out), "\n")
	ciTok := lines[len(lines)-1]
	if out, err := runCmd(t, "", "token", "create", "x", "--scope", "admin", "--data", dir); err == nil {
		t.Errorf("an unknown scope was accepted:\n%s", out)
	}
	if out, err := runCmd(t, "", "token", "create", "x", "--expires", "2001-01-01", "--data", dir); err == nil {
		t.Errorf("an expiry in the past was accepted:\n%s", out)
	}

	out, err = runCmd(t, "", "token", "list", "--json", "--data", dir)
	var list struct {
		Tokens []datasets.TokenInfo `json:"tokens"`
	}
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list.Tokens) != 2 {
		t.Fatalf("token list --json: %v\n%s", err, out)
	}
	r, c := list.Tokens[0], list.Tokens[1]
	if r.Name != "reader" || r.Scope != datasets.ScopeRead || time.Until(r.ExpiresAt) < 29*24*time.Hour || c.Scope != datasets.ScopePublish || !c.ExpiresAt.IsZero() {
		t.Errorf("tokens = %+v", list.Tokens)
	}
	out, _ = runCmd(t, "", "token", "list", "--data", dir)
	if !strings.Contains(out, "reader") || !strings.Contains(out, "read") || !strings.Contains(out, "never expires") || strings.Contains(out, readTok) {
		t.Errorf("token list:\n%s", out)
	}

	store, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Token(ctx, accounts.HashToken(readTok)); err != nil {
		t.Errorf("the read token does not work: %v", err)
	}
	if out, err := runCmd(t, "", "token", "revoke", strconv.FormatInt(r.ID, 10), "--data", dir); err != nil {
		t.Fatalf("token revoke: %v\n%s", err, out)
	}
	if _, err := store.Token(ctx, accounts.HashToken(readTok)); !errors.Is(err, datasets.ErrNotFound) {
		t.Errorf("revoked token: %v, want not found", err)
	}
	if out, err := runCmd(t, "", "token", "revoke", "ci", "--data", dir); err != nil || !strings.Contains(out, "1 token of ci revoked") {
		t.Fatalf("token revoke by name: %v\n%s", err, out)
	}
	if _, err := store.Token(ctx, accounts.HashToken(ciTok)); !errors.Is(err, datasets.ErrNotFound) {
		t.Errorf("token revoked by name: %v, want not found", err)
	}
	if _, err := runCmd(t, "", "token", "revoke", "99", "--data", dir); err == nil {
		t.Errorf("revoking a token that does not exist succeeded")
	}
}

// TestUserRemoveAndPasswordChangeEndSessions (issue 10, finding 15): a
// password reset left existing sessions signed in and an editor could not
// be removed. Now `user add` of an existing editor ends their sessions,
// and `user remove` deletes the account and its sessions.
func TestUserRemoveAndPasswordChangeEndSessions(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if out, err := runCmd(t, "first password\n", "user", "add", "ana", "--data", dir); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	session := func() string {
		store, err := sqlite.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		id := accounts.RandomToken(16)
		if err := store.CreateSession(ctx, accounts.HashToken(id), datasets.Session{User: "ana", CSRF: "c", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	alive := func(id string) bool {
		store, err := sqlite.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		_, err = store.Session(ctx, accounts.HashToken(id))
		return err == nil
	}
	id := session()
	if !alive(id) {
		t.Fatal("session not stored")
	}
	out, err := runCmd(t, "second password\n", "user", "add", "ana", "--data", dir)
	if err != nil || !strings.Contains(out, "sessions are ended") {
		t.Fatalf("password change: %v\n%s", err, out)
	}
	if alive(id) {
		t.Errorf("a session survived the password change")
	}
	id = session()
	if out, err := runCmd(t, "", "user", "list", "--data", dir); err != nil || !strings.Contains(out, "ana") {
		t.Errorf("user list: %v\n%s", err, out)
	}
	if out, err := runCmd(t, "", "user", "remove", "ana", "--data", dir); err != nil {
		t.Fatalf("user remove: %v\n%s", err, out)
	}
	if alive(id) {
		t.Errorf("a session survived the removal of its editor")
	}
	store, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.PasswordHash(ctx, "ana"); !errors.Is(err, datasets.ErrNotFound) {
		t.Errorf("removed editor still has a password: %v", err)
	}
	if _, err := runCmd(t, "", "user", "remove", "ana", "--data", dir); err == nil {
		t.Errorf("removing a missing editor succeeded")
	}
	log, _ := store.AuditLog(ctx, datasets.AuditQuery{Limit: 10})
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "user_removed,password_changed,user_added" {
		t.Errorf("audit actions = %v", actions)
	}
}
