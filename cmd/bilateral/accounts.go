package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
)

// cmdUser manages editor accounts:
//
//	user add NAME      password from stdin; an existing account gets the
//	                   new password and its sessions are ended
//	user remove NAME   deletes the account and ends its sessions
//	user list
func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	sub := args[0]
	fs := newFlagSet("user "+sub, stdout)
	dataDir := fs.String("data", envDefault("BILATERAL_DATA", "./data"), "data directory")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return errUsage
	}
	switch sub {
	case "add", "remove":
		if len(pos) != 1 {
			return errUsage
		}
	case "list":
		if len(pos) != 0 {
			return errUsage
		}
	default:
		return errUsage
	}
	var name, hash string
	if sub != "list" {
		name = strings.TrimSpace(pos[0])
		if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\r\n") {
			return fmt.Errorf("user names are 1 to 64 characters without spaces")
		}
	}
	if sub == "add" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading the password from standard input: %w", err)
		}
		if hash, err = accounts.HashPassword(strings.TrimRight(line, "\r\n")); err != nil {
			return err
		}
	}
	store, err := sqlite.Open(*dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "list":
		us, err := store.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tCREATED")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\n", u.Name, u.CreatedAt.UTC().Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	case "remove":
		if err := store.RemoveUser(ctx, name); errors.Is(err, datasets.ErrNotFound) {
			return fmt.Errorf("there is no editor %s", name)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "editor %s removed; their sessions are ended\n", name)
		return store.Audit(ctx, datasets.AuditEntry{Actor: "command line", Action: "user_removed", Detail: name})
	}
	action := "user_added"
	if err := store.AddUser(ctx, name, hash); errors.Is(err, datasets.ErrExists) {
		if err := store.SetPassword(ctx, name, hash); err != nil {
			return err
		}
		action = "password_changed"
		fmt.Fprintf(stdout, "password of %s changed; their sessions are ended\n", name)
	} else if err != nil {
		return err
	} else {
		fmt.Fprintf(stdout, "editor %s added\n", name)
	}
	return store.Audit(ctx, datasets.AuditEntry{Actor: "command line", Action: action, Detail: name})
}

// cmdToken manages API tokens:
//
//	token create NAME [--scope read|publish] [--expires 90d|12h|2027-01-31|never]
//	token list [--json]
//	token revoke ID|NAME
//
// A new token is printed alone on the last line of standard output, once;
// only its hash is stored.
func cmdToken(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	sub := args[0]
	fs := newFlagSet("token "+sub, stdout)
	dataDir := fs.String("data", envDefault("BILATERAL_DATA", "./data"), "data directory")
	var scope, expires *string
	var asJSON *bool
	switch sub {
	case "create":
		scope = fs.String("scope", datasets.ScopePublish, "read (list and download) or publish (also upload and restore)")
		expires = fs.String("expires", "", "expiry: a number of days (90d) or hours (12h), a date (2027-01-31), or never")
	case "list":
		asJSON = fs.Bool("json", false, "print the tokens as JSON")
	case "revoke":
	default:
		return errUsage
	}
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return errUsage
	}
	if (sub == "list") != (len(pos) == 0) || len(pos) > 1 || len(pos) == 1 && strings.TrimSpace(pos[0]) == "" {
		return errUsage
	}
	var exp time.Time
	if sub == "create" {
		if !datasets.ValidScope(*scope) {
			return fmt.Errorf("--scope is %s or %s", datasets.ScopeRead, datasets.ScopePublish)
		}
		if exp, err = accounts.ParseExpiry(*expires, time.Now()); err != nil {
			return err
		}
	}
	store, err := sqlite.Open(*dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "create":
		name := pos[0]
		tok, hash := accounts.NewTokenSecret()
		ti, err := store.AddScopedToken(ctx, datasets.NewToken{Name: name, Hash: hash, Scope: *scope, ExpiresAt: exp})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "API token %d for %s, scope %s, %s (shown once; store it now):\n%s\n", ti.ID, name, ti.Scope, expiryText(ti), tok)
		if err := store.Audit(ctx, datasets.AuditEntry{Actor: "command line", Action: "token_created", Detail: tokenDetail(ti)}); err != nil {
			return fmt.Errorf("the token works, but the audit log could not record it: %w", err)
		}
		return nil
	case "list":
		ts, err := store.Tokens(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			if ts == nil {
				ts = []datasets.TokenInfo{}
			}
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"tokens": ts})
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tCREATED\tEXPIRES")
		for _, t := range ts {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Scope, t.CreatedAt.UTC().Format("2006-01-02 15:04"), expiryText(t))
		}
		return tw.Flush()
	}
	// revoke: by id, or every token of a name.
	if id, err := strconv.ParseInt(pos[0], 10, 64); err == nil {
		if err := store.RevokeToken(ctx, id); errors.Is(err, datasets.ErrNotFound) {
			return fmt.Errorf("there is no token %d (see bilateral token list)", id)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %d revoked\n", id)
		return store.Audit(ctx, datasets.AuditEntry{Actor: "command line", Action: "token_revoked", Detail: "token " + pos[0]})
	}
	n, err := store.RevokeTokens(ctx, pos[0])
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("there is no token named %s (see bilateral token list)", pos[0])
	}
	fmt.Fprintf(stdout, "%d token%s of %s revoked\n", n, map[bool]string{true: "", false: "s"}[n == 1], pos[0])
	return store.Audit(ctx, datasets.AuditEntry{Actor: "command line", Action: "token_revoked", Detail: fmt.Sprintf("%d tokens of %s", n, pos[0])})
}

// expiryText says when a token expires.
func expiryText(t datasets.TokenInfo) string {
	switch {
	case t.ExpiresAt.IsZero():
		return "never expires"
	case t.Expired(time.Now()):
		return "expired " + t.ExpiresAt.UTC().Format("2006-01-02 15:04") + " UTC"
	}
	return "expires " + t.ExpiresAt.UTC().Format("2006-01-02 15:04") + " UTC"
}

// tokenDetail describes a token for the audit log.
func tokenDetail(t datasets.TokenInfo) string {
	return fmt.Sprintf("token %d for %s, scope %s, %s", t.ID, t.Name, t.Scope, expiryText(t))
}
