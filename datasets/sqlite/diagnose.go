package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// SQLite's primary result codes that mean the file system refused.
const (
	sqliteReadOnly = 8  // SQLITE_READONLY: attempt to write a readonly database
	sqliteIOErr    = 10 // SQLITE_IOERR: disk I/O error
	sqliteFull     = 13 // SQLITE_FULL: database or disk is full
	sqliteCantOpen = 14 // SQLITE_CANTOPEN: unable to open database file
)

// explain turns SQLite's terse file-system errors ("unable to open
// database file (14)") into one that names the data directory and what to
// do. Other errors are returned as they are. It runs only after a
// failure, so the checks it makes cost nothing on a healthy start.
func explain(dir string, err error) error {
	var coded interface{ Code() int }
	if !errors.As(err, &coded) {
		return err
	}
	switch coded.Code() & 0xff {
	case sqliteFull:
		return fmt.Errorf("the disk holding the data directory %s is full; free some space and start again: %w", dir, err)
	case sqliteReadOnly, sqliteCantOpen, sqliteIOErr:
		if werr := checkWritable(dir); werr != nil {
			return fmt.Errorf("the data directory %s cannot be written (%v); bilateral keeps its store there as %s with -wal and -shm files beside it: make it writable or pass another --data directory: %w",
				dir, werr, FileName, err)
		}
	}
	return err
}

// checkWritable creates and removes a file in dir, returning why that
// failed (read-only directory or file system, full disk).
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".bilateral-write-check-*")
	if err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			return errors.New("the disk is full")
		}
		return err
	}
	name := f.Name()
	_, werr := f.Write([]byte("x"))
	cerr := f.Close()
	rerr := os.Remove(name)
	return errors.Join(werr, cerr, rerr)
}
