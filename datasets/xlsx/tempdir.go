package xlsx

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// tempPrefix names the per-import temporary directories.
const tempPrefix = "bilateral-xlsx-"

// SweepTemp removes import directories older than maxAge from the system
// temporary directory. Decode removes its own directory, but a process
// killed mid-import cannot; the server calls this at start-up.
func SweepTemp(maxAge time.Duration) (removed int) {
	dir := os.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	cutoff := time.Now().Add(-maxAge)
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue
		}
		if os.RemoveAll(filepath.Join(dir, e.Name())) == nil {
			removed++
		}
	}
	return removed
}
