package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/bilateral/bilateral/stats"
)

// SQLite's primary result codes that mean the file system refused.
const (
	sqliteReadOnly = 8  // SQLITE_READONLY: attempt to write a readonly database
	sqliteIOErr    = 10 // SQLITE_IOERR: disk I/O error
	sqliteFull     = 13 // SQLITE_FULL: database or disk is full
	sqliteBusy     = 5  // SQLITE_BUSY: another connection holds the lock
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
	if werr == nil {
		werr = f.Sync() // a full disk may only say so when the data must land
	}
	if errors.Is(werr, syscall.ENOSPC) {
		werr = errors.New("the disk is full")
	}
	cerr := f.Close()
	rerr := os.Remove(name)
	return errors.Join(werr, cerr, rerr)
}

// Explain turns a failure of the store's file system into an error of kind
// Unavailable whose message says what is wrong (a full disk, a data
// directory that cannot be written) instead of a generic fault; the web
// side sends it as 503 with Retry-After. Other errors are returned as they
// are. Paths stay out of the message, which readers see; they are in the
// cause, which goes to the log.
func (s *Store) Explain(err error) error {
	var coded interface{ Code() int }
	if err == nil || !errors.As(err, &coded) {
		return err
	}
	var se *stats.Error
	if errors.As(err, &se) {
		return err // explained already
	}
	switch coded.Code() & 0xff {
	case sqliteFull:
		return &stats.Error{Kind: stats.Unavailable, RetryAfter: 5 * time.Minute, Err: explain(s.dir, err),
			Message: "The server's disk is full, so nothing could be saved: nothing was changed. Tell whoever runs the server that its data directory needs free space, then try again."}
	case sqliteReadOnly, sqliteCantOpen, sqliteIOErr:
		if werr := checkWritable(s.dir); werr != nil {
			var pe *os.PathError
			if errors.As(werr, &pe) {
				werr = pe.Err
			}
			return &stats.Error{Kind: stats.Unavailable, RetryAfter: 5 * time.Minute, Err: explain(s.dir, err),
				Message: "The server cannot write to its data directory (" + werr.Error() + "), so nothing could be saved: nothing was changed. Tell whoever runs the server."}
		}
	}
	return err
}

// CheckWrite reports whether the store can take a write now: the data
// directory accepts a file, the disk has room for it, and the database is
// not at its quota (OpenWithQuota). It writes nothing to the database.
func (s *Store) CheckWrite(ctx context.Context) error {
	if err := checkWritable(s.dir); err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the reason, without the path
		}
		return fmt.Errorf("the data directory cannot be written: %w", err)
	}
	var pages, maxPages, free, pageSize int64
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT page_count FROM pragma_page_count), (SELECT max_page_count FROM pragma_max_page_count), (SELECT freelist_count FROM pragma_freelist_count), (SELECT page_size FROM pragma_page_size)`).Scan(&pages, &maxPages, &free, &pageSize); err != nil {
		return fmt.Errorf("reading the store's size: %w", err)
	}
	// A publish needs room for a workbook and its dataset, some hundreds
	// of KiB: less than 1 MiB left under the quota counts as full.
	if room := (maxPages - pages + free) * pageSize; room < 1<<20 {
		return errors.New("the store is at its size limit, as on a full disk")
	}
	return nil
}
