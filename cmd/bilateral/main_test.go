package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/datasets/xlsx"
)

func runCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String() + errb.String(), err
}

func exitCode(err error) int {
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}

func TestExportThenValidate(t *testing.T) {
	dir := t.TempDir()
	wb := filepath.Join(dir, "x.xlsx")
	if out, err := runCmd(t, "", "export", "-o", wb, "--data", filepath.Join(dir, "empty")); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	out, err := runCmd(t, "", "validate", wb)
	if exitCode(err) != 0 || !strings.Contains(out, "valid") {
		t.Fatalf("validate of an exported workbook: exit %d\n%s", exitCode(err), out)
	}
	out, err = runCmd(t, "", "validate", wb, "--json")
	var res struct {
		Valid  bool  `json:"valid"`
		Errors []any `json:"errors"`
	}
	if exitCode(err) != 0 || json.Unmarshal([]byte(out), &res) != nil || !res.Valid || len(res.Errors) != 0 {
		t.Errorf("validate --json: exit %d, %s", exitCode(err), out)
	}
	if _, err := os.Stat(filepath.Join(dir, "empty")); !os.IsNotExist(err) {
		t.Errorf("export created the data directory")
	}
}

func TestValidateReportsProblems(t *testing.T) {
	d := datasets.MustDefault()
	d.Observations[0].Source = "nope"
	d.Observations[1].Year = 3000
	var b bytes.Buffer
	if err := xlsx.Encode(&b, d); err != nil {
		t.Fatal(err)
	}
	wb := filepath.Join(t.TempDir(), "bad.xlsx")
	os.WriteFile(wb, b.Bytes(), 0o644)
	out, err := runCmd(t, "", "validate", wb)
	if exitCode(err) != 1 {
		t.Fatalf("validate of a bad workbook: exit %d, want 1\n%s", exitCode(err), out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "Observations!D2: ") || !strings.HasPrefix(lines[1], "Observations!B3: ") {
		t.Errorf("validate output = %q, want one Sheet!Cell line per problem", lines)
	}
	out, err = runCmd(t, "", "validate", "--json", wb)
	var res struct {
		Valid  bool `json:"valid"`
		Errors []struct{ Sheet, Cell, Message string }
	}
	if exitCode(err) != 1 || json.Unmarshal([]byte(out), &res) != nil || res.Valid || len(res.Errors) != 2 || res.Errors[0].Sheet != "Observations" {
		t.Errorf("validate --json: exit %d, %s", exitCode(err), out)
	}
	notWB := filepath.Join(t.TempDir(), "notes.xlsx")
	os.WriteFile(notWB, []byte("year,value\n2019,1\n"), 0o644)
	if _, err := runCmd(t, "", "validate", notWB); exitCode(err) != 1 {
		t.Errorf("validate of a CSV renamed .xlsx: exit %d, want 1", exitCode(err))
	}
	if _, err := runCmd(t, "", "validate"); exitCode(err) != 2 {
		t.Errorf("validate without a file: exit %d, want 2", exitCode(err))
	}
}

func TestUserAndToken(t *testing.T) {
	dir := t.TempDir()
	if out, err := runCmd(t, "short\n", "user", "add", "ana", "--data", dir); err == nil {
		t.Errorf("a short password was accepted: %s", out)
	}
	if out, err := runCmd(t, "a-long-enough-password\n", "user", "add", "ana", "--data", dir); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	out, err := runCmd(t, "", "token", "create", "ci", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	tok := lines[len(lines)-1]
	if !strings.HasPrefix(tok, "blt_") || strings.Contains(tok, " ") {
		t.Fatalf("last line of token create = %q, want the token alone", tok)
	}
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if h, err := s.PasswordHash(context.Background(), "ana"); err != nil || !strings.HasPrefix(h, "$2") {
		t.Errorf("stored password = %q, %v; want a bcrypt hash", h, err)
	}
	log, _ := s.AuditLog(context.Background(), datasets.AuditQuery{Limit: 10})
	if len(log) != 2 {
		t.Errorf("audit log has %d entries, want user_added and token_created", len(log))
	}
}

func TestUsage(t *testing.T) {
	if _, err := runCmd(t, ""); exitCode(err) != 2 {
		t.Errorf("no command: exit %d, want 2", exitCode(err))
	}
	if _, err := runCmd(t, "", "frobnicate"); exitCode(err) != 2 {
		t.Errorf("unknown command: exit %d, want 2", exitCode(err))
	}
}

func TestRender(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"png", "svg", "pdf"} {
		out := filepath.Join(dir, "chart."+f)
		if msg, err := runCmd(t, "", "render", "rok-oda", "--format", f, "--width", "800", "--height", "450", "-o", out, "--data", filepath.Join(dir, "none")); err != nil {
			t.Fatalf("render %s: %v %s", f, err, msg)
		}
		b, _ := os.ReadFile(out)
		magic := map[string]string{"png": "\x89PNG", "svg": "<?xml", "pdf": "%PDF"}[f]
		if !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("render %s wrote %q…", f, b[:min(8, len(b))])
		}
	}
	if _, err := runCmd(t, "", "render", "rok-oda", "--width", "5", "-o", filepath.Join(dir, "x.png")); err == nil || !strings.Contains(err.Error(), "width") {
		t.Errorf("render with width 5: %v, want an error naming width", err)
	}
	if _, err := runCmd(t, "", "render", "no-such-chart", "-o", filepath.Join(dir, "x.png")); err == nil || !strings.Contains(err.Error(), "us-goods-trade") {
		t.Errorf("render of an unknown chart: %v, want the list of charts", err)
	}
}
