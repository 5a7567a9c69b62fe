package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bilateral/bilateral/accounts"
	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
)

// cmdUser manages editor accounts: `user add NAME`, password from stdin.
// An existing account gets the new password.
func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errUsage
	}
	fs := newFlagSet("user add", stdout)
	dataDir := fs.String("data", envDefault("BILATERAL_DATA", "./data"), "data directory")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil || len(pos) != 1 {
		return errUsage
	}
	name := strings.TrimSpace(pos[0])
	if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\r\n") {
		return fmt.Errorf("user names are 1 to 64 characters without spaces")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	hash, err := accounts.HashPassword(pw)
	if err != nil {
		return err
	}
	store, err := sqlite.Open(*dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	action := "user_added"
	if err := store.AddUser(ctx, name, hash); errors.Is(err, datasets.ErrExists) {
		if err := store.SetPassword(ctx, name, hash); err != nil {
			return err
		}
		action = "password_changed"
		fmt.Fprintf(stdout, "password of %s changed\n", name)
	} else if err != nil {
		return err
	} else {
		fmt.Fprintf(stdout, "editor %s added\n", name)
	}
	return store.Audit(ctx, datasets.AuditEntry{Actor: "command line", Action: action, Detail: name})
}

// cmdToken creates an API token. The token is printed alone on the last
// line of standard output, once; only its hash is stored.
func cmdToken(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errUsage
	}
	fs := newFlagSet("token create", stdout)
	dataDir := fs.String("data", envDefault("BILATERAL_DATA", "./data"), "data directory")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil || len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return errUsage
	}
	store, err := sqlite.Open(*dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	tok, err := accounts.NewAPIToken(ctx, store, pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "API token for %s (shown once; store it now):\n%s\n", pos[0], tok)
	if err := store.Audit(ctx, datasets.AuditEntry{Actor: "command line", Action: "token_created", Detail: pos[0]}); err != nil {
		return fmt.Errorf("the token works, but the audit log could not record it: %w", err)
	}
	return nil
}
