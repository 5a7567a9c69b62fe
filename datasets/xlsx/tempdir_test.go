package xlsx

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSweepTemp(t *testing.T) {
	old, err := os.MkdirTemp("", tempPrefix)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(old, "spill"), []byte("x"), 0o600)
	past := time.Now().Add(-3 * time.Hour)
	os.Chtimes(old, past, past)
	fresh, _ := os.MkdirTemp("", tempPrefix)
	defer os.RemoveAll(fresh)
	if n := SweepTemp(time.Hour); n < 1 {
		t.Errorf("SweepTemp removed %d directories, want the stale one", n)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("stale directory %s still exists", old)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh import directory was removed: %v", err)
	}
}
