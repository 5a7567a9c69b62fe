package main

import (
	"context"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
)

func TestPrune(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishRepeated(ctx, datasets.NewVersion{Workbook: []byte("wb"), Dataset: datasets.MustDefault(), Author: "t"}, 10); err != nil {
		t.Fatal(err)
	}
	s.Close()

	if _, err := runCmd(t, "", "prune", "--data", dir); exitCode(err) != 2 {
		t.Errorf("prune without rules: exit %d, want 2", exitCode(err))
	}
	if _, err := runCmd(t, "", "prune", "--data", dir, "--keep-age", "soon"); exitCode(err) != 1 {
		t.Errorf("prune --keep-age soon: exit %d, want 1", exitCode(err))
	}
	out, err := runCmd(t, "", "prune", "--data", dir, "--keep-versions", "3", "--dry-run")
	if err != nil || !strings.Contains(out, "would remove 6 of 10 versions (keep-versions 3): 2-7") {
		t.Errorf("dry run: %v %q", err, out)
	}
	out, err = runCmd(t, "", "prune", "--data", dir, "--keep-versions", "3")
	if err != nil || !strings.Contains(out, "removed 6 versions (keep-versions 3): 2-7") {
		t.Errorf("prune: %v %q", err, out)
	}
	s, err = sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.CountVersions(ctx, 0); n != 4 {
		t.Errorf("%d versions kept, want 4 (1, 8, 9, 10)", n)
	}
	if log, _ := s.AuditLog(ctx, datasets.AuditQuery{Limit: 1}); len(log) != 1 || log[0].Action != "versions_removed" {
		t.Errorf("audit log = %+v", log)
	}
	// --keep-age counts days too; a day keeps everything published now.
	if out, err := runCmd(t, "", "prune", "--data", dir, "--keep-age", "1d"); err != nil || !strings.Contains(out, "removed 0 versions") {
		t.Errorf("prune --keep-age 1d: %v %q", err, out)
	}
}
