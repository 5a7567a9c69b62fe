// Package sqlite is the embedded version store: one SQLite file (pure Go,
// no cgo) under the data directory, in WAL mode with full synchronous
// commits so that a publish survives a crash or is not there at all.
package sqlite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/stats"
)

// FileName is the database file inside the data directory.
const FileName = "bilateral.db"

// Store implements datasets.Store, and so each of its smaller interfaces,
// on SQLite.
type Store struct {
	db  *sql.DB
	dir string
}

var (
	_ datasets.Store        = (*Store)(nil)
	_ datasets.VersionStore = (*Store)(nil)
	_ datasets.UploadStore  = (*Store)(nil)
	_ datasets.AccountStore = (*Store)(nil)
	_ datasets.AuditStore   = (*Store)(nil)
)

// Open opens the store in dir, creating the directory and the database
// when needed, and migrates its schema to the one this binary knows (see
// migrate). A store written by a newer binary is refused with
// ErrSchemaTooNew; a data directory that cannot be written gets an error
// that says so.
func Open(dir string) (*Store, error) {
	return openWith(dir, nil)
}

// openWith is Open with the migrations given, or the embedded ones when
// steps is nil.
func openWith(dir string, steps []migration) (*Store, error) {
	return openDSN(dir, steps, "")
}

// OpenWithQuota is Open with a cap on the database file's size: a write
// that would grow it beyond maxBytes fails as it would on a full disk
// (SQLite's max_page_count). It lets a store share a disk with other
// data, and lets tests fill "the disk" without filling one.
func OpenWithQuota(dir string, maxBytes int64) (*Store, error) {
	return openDSN(dir, nil, fmt.Sprintf("&_pragma=max_page_count(%d)", max(1, maxBytes/4096)))
}

func openDSN(dir string, steps []migration, extra string) (*Store, error) {
	if steps == nil {
		var err error
		if steps, err = embeddedMigrations(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	// IMMEDIATE transactions take the write lock at BEGIN, so concurrent
	// publishes queue instead of failing half-way; busy_timeout makes them
	// wait rather than error. busy_timeout comes first: the pragmas run in
	// order on every new connection, and switching a new file to WAL takes
	// a lock that processes opening the store at once would otherwise fail
	// to get (SQLITE_BUSY) instead of waiting for.
	dsn := "file:" + path + "?_txlock=immediate" +
		"&_pragma=busy_timeout(15000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)" + extra
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrateWhenFree(db, steps); err != nil {
		db.Close() // the migration's error is the one worth reporting
		return nil, fmt.Errorf("sqlite: %s: %w", path, explain(dir, err))
	}
	compact(context.Background(), db)
	return &Store{db: db, dir: dir}, nil
}

// migrateWhenFree migrates, retrying for a while when the file is busy.
// Processes that open a new store at the same moment race to switch it to
// WAL, and a read during that switch fails with SQLITE_BUSY without
// waiting on busy_timeout; the loser tries again once the winner is done.
func migrateWhenFree(db *sql.DB, steps []migration) error {
	deadline := time.Now().Add(30 * time.Second)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		err := migrate(context.Background(), db, steps)
		var coded interface{ Code() int }
		if err == nil || !errors.As(err, &coded) || coded.Code()&0xff != sqliteBusy || time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
	}
}

// compact gives back the space of a store that is mostly free pages, as
// one left by migration 0003 (which moved every version's bytes into
// blobs) or by retention removing most versions: VACUUM cannot run in a
// migration's transaction, so it runs here, once, when more than half of
// the file and more than 8 MiB are free. It is best effort: a store busy
// with another replica is compacted at a later start.
func compact(ctx context.Context, db *sql.DB) {
	var free, pages, size int64
	if db.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free) != nil ||
		db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages) != nil ||
		db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size) != nil {
		return
	}
	if free*2 > pages && free*size > 8<<20 {
		db.ExecContext(ctx, `VACUUM`)
	}
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// CurrentNumber implements datasets.Store.
func (s *Store) CurrentNumber(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT version FROM current WHERE id = 1`).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, datasets.ErrEmpty
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: current version: %w", err)
	}
	return n, nil
}

// Current implements datasets.Store.
func (s *Store) Current(ctx context.Context) (datasets.VersionInfo, *stats.Dataset, error) {
	n, err := s.CurrentNumber(ctx)
	if err != nil {
		return datasets.VersionInfo{}, nil, err
	}
	return s.Version(ctx, n)
}

// versionCols and versionFrom read a version's description; the size is
// that of its workbook blob.
const (
	versionCols = `v.number, v.created_at, v.author, v.comment, v.sha256, w.size, v.restored_from, COALESCE(v.formulas, -1)`
	versionFrom = ` FROM versions v JOIN blobs w ON w.hash = v.sha256`
)

func scanVersion(sc interface{ Scan(...any) error }, current int, extra ...any) (datasets.VersionInfo, error) {
	var v datasets.VersionInfo
	var created string
	var restored sql.NullInt64
	if err := sc.Scan(append([]any{&v.Number, &created, &v.Author, &v.Comment, &v.SHA256, &v.Size, &restored, &v.Formulas}, extra...)...); err != nil {
		return v, err
	}
	v.CreatedAt = parseTime(created)
	v.RestoredFrom = int(restored.Int64)
	v.Current = v.Number == current
	return v, nil
}

// Versions implements datasets.Store.
func (s *Store) Versions(ctx context.Context) ([]datasets.VersionInfo, error) {
	return s.ListVersions(ctx, datasets.VersionQuery{})
}

// ListVersions implements datasets.Store.
func (s *Store) ListVersions(ctx context.Context, q datasets.VersionQuery) ([]datasets.VersionInfo, error) {
	cur, err := s.CurrentNumber(ctx)
	if err != nil && !errors.Is(err, datasets.ErrEmpty) {
		return nil, err
	}
	before := q.Before
	if before <= 0 {
		before = math.MaxInt64
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	// The page is chosen on versions alone (the offset skips rows without
	// joining them), then joined for the workbook sizes.
	rows, err := s.db.QueryContext(ctx, `SELECT `+versionCols+` FROM (SELECT * FROM versions WHERE number < ? ORDER BY number DESC LIMIT ? OFFSET ?) v
		JOIN blobs w ON w.hash = v.sha256 ORDER BY v.number DESC`,
		before, limit, max(q.Offset, 0))
	if err != nil {
		return nil, fmt.Errorf("sqlite: versions: %w", err)
	}
	defer rows.Close()
	var out []datasets.VersionInfo
	for rows.Next() {
		v, err := scanVersion(rows, cur)
		if err != nil {
			return nil, fmt.Errorf("sqlite: versions: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// CountVersions implements datasets.Store.
func (s *Store) CountVersions(ctx context.Context, above int) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM versions WHERE number > ?`, above).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count versions: %w", err)
	}
	return n, nil
}

// Version implements datasets.Store. The description and the dataset are
// read in one statement, so a version removed meanwhile is not found
// rather than found without its dataset.
func (s *Store) Version(ctx context.Context, n int) (datasets.VersionInfo, *stats.Dataset, error) {
	cur, err := s.CurrentNumber(ctx)
	if err != nil && !errors.Is(err, datasets.ErrEmpty) {
		return datasets.VersionInfo{}, nil, err
	}
	var dh, enc string
	var data []byte
	v, err := scanVersion(s.db.QueryRowContext(ctx, `SELECT `+versionCols+`, d.hash, d.encoding, d.data`+versionFrom+
		` JOIN blobs d ON d.hash = v.dataset_sha256 WHERE v.number = ?`, n), cur, &dh, &enc, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return datasets.VersionInfo{}, nil, fmt.Errorf("version %d: %w", n, datasets.ErrNotFound)
	}
	if err != nil {
		return v, nil, fmt.Errorf("sqlite: version %d: %w", n, err)
	}
	d, err := decodeDataset(dh, enc, data)
	if err != nil {
		return v, nil, fmt.Errorf("sqlite: version %d: %w", n, err)
	}
	return v, d, nil
}

// Workbook implements datasets.Store.
func (s *Store) Workbook(ctx context.Context, n int) ([]byte, error) {
	var h, enc string
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT w.hash, w.encoding, w.data`+versionFrom+` WHERE v.number = ?`, n).Scan(&h, &enc, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("version %d: %w", n, datasets.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: workbook %d: %w", n, err)
	}
	b, err := decodeBlob(h, enc, data)
	if err != nil {
		return nil, fmt.Errorf("sqlite: workbook %d: %w", n, err)
	}
	return b, nil
}

// SetFormulas implements datasets.Store.
func (s *Store) SetFormulas(ctx context.Context, n, formulas int) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE versions SET formulas = ? WHERE number = ? AND formulas IS NULL`, formulas, n); err != nil {
		return fmt.Errorf("sqlite: formulas of version %d: %w", n, err)
	}
	return nil
}

// Publish implements datasets.Store. The blobs, the history row and the
// move of the current pointer commit together or not at all.
func (s *Store) Publish(ctx context.Context, nv datasets.NewVersion) (datasets.VersionInfo, error) {
	return s.PublishRepeated(ctx, nv, 1)
}

// PublishRepeated publishes nv n times in one transaction, as n versions,
// and returns the last. It is Publish for tests and benchmarks that need
// a long history quickly (one commit instead of n).
func (s *Store) PublishRepeated(ctx context.Context, nv datasets.NewVersion, n int) (datasets.VersionInfo, error) {
	ds, err := datasets.MarshalStorage(nv.Dataset)
	if err != nil {
		return datasets.VersionInfo{}, fmt.Errorf("sqlite: publish: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return datasets.VersionInfo{}, fmt.Errorf("sqlite: publish: %w", err)
	}
	defer tx.Rollback()
	if nv.BaseVersion != 0 {
		var cur int
		if err := tx.QueryRowContext(ctx, `SELECT version FROM current WHERE id = 1`).Scan(&cur); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return datasets.VersionInfo{}, fmt.Errorf("sqlite: publish: %w", err)
		}
		if cur != nv.BaseVersion {
			return datasets.VersionInfo{}, fmt.Errorf("checked against version %d, current is %d: %w", nv.BaseVersion, cur, datasets.ErrStale)
		}
	}
	h, err := putBlob(ctx, tx, nv.Workbook, false)
	if err != nil {
		return datasets.VersionInfo{}, fmt.Errorf("sqlite: publish: %w", err)
	}
	dh, err := putBlob(ctx, tx, ds, true)
	if err != nil {
		return datasets.VersionInfo{}, fmt.Errorf("sqlite: publish: %w", err)
	}
	var restored any
	if nv.RestoredFrom != 0 {
		restored = nv.RestoredFrom
	}
	nv.Author = datasets.Clip(nv.Author, datasets.MaxAuditActor)
	nv.Comment = datasets.Clip(nv.Comment, datasets.MaxComment)
	var formulas any = nv.Formulas // -1: not known (a copy of an older version)
	if nv.Formulas < 0 {
		formulas = nil
	}
	var next int
	var created string
	for range max(n, 1) {
		// Numbers are never reused, even those of removed versions: the
		// highest number given so far is the current version's, which is
		// never removed.
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM versions`).Scan(&next); err != nil {
			return datasets.VersionInfo{}, fmt.Errorf("sqlite: publish: %w", err)
		}
		created = now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO versions (number, created_at, author, comment, sha256, dataset_sha256, restored_from, formulas) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			next, created, nv.Author, nv.Comment, h, dh, restored, formulas); err != nil {
			return datasets.VersionInfo{}, fmt.Errorf("sqlite: publish: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO current (id, version) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET version = excluded.version`, next); err != nil {
		return datasets.VersionInfo{}, fmt.Errorf("sqlite: publish: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return datasets.VersionInfo{}, fmt.Errorf("sqlite: publish: %w", err)
	}
	return datasets.VersionInfo{Number: next, CreatedAt: parseTime(created), Author: nv.Author, Comment: nv.Comment, SHA256: h,
		Size: len(nv.Workbook), RestoredFrom: nv.RestoredFrom, Current: true, Formulas: max(nv.Formulas, -1)}, nil
}

// RemoveVersions implements datasets.Store.
func (s *Store) RemoveVersions(ctx context.Context, numbers []int) ([]datasets.VersionInfo, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: remove versions: %w", err)
	}
	defer tx.Rollback()
	var cur, first int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM current WHERE id = 1`).Scan(&cur); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: remove versions: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(number), 0) FROM versions`).Scan(&first); err != nil {
		return nil, fmt.Errorf("sqlite: remove versions: %w", err)
	}
	var removed []datasets.VersionInfo
	hashes := map[string]bool{}
	for _, n := range numbers {
		if n == cur || n == first || n == 1 {
			continue
		}
		var dh string
		v, err := scanVersion(tx.QueryRowContext(ctx, `SELECT `+versionCols+`, v.dataset_sha256`+versionFrom+` WHERE v.number = ?`, n), cur, &dh)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sqlite: remove version %d: %w", n, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM versions WHERE number = ?`, n); err != nil {
			return nil, fmt.Errorf("sqlite: remove version %d: %w", n, err)
		}
		hashes[v.SHA256], hashes[dh] = true, true
		removed = append(removed, v)
	}
	if _, err := deleteUnreferencedBlobs(ctx, tx, hashes); err != nil {
		return nil, fmt.Errorf("sqlite: remove versions: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: remove versions: %w", err)
	}
	return removed, nil
}

// SaveUpload implements datasets.Store.
func (s *Store) SaveUpload(ctx context.Context, u datasets.Upload) (string, error) {
	ds, err := datasets.MarshalStorage(u.Dataset)
	if err != nil {
		return "", fmt.Errorf("sqlite: upload: %w", err)
	}
	var id [16]byte
	rand.Read(id[:])
	u.ID = hex.EncodeToString(id[:])
	// Pending uploads older than a day are abandoned; clearing them here
	// keeps the table small without a background job.
	cutoff := time.Now().UTC().Add(-24 * time.Hour).Format(time.RFC3339Nano)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM uploads WHERE created_at < ?`, cutoff); err != nil {
		return "", fmt.Errorf("sqlite: upload: %w", err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO uploads (id, created_at, author, filename, sha256, workbook, dataset, base_version, exported_from, formulas) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, now(), u.Author, datasets.Clip(u.Filename, datasets.MaxFilename), sum(u.Workbook), u.Workbook, string(ds), u.BaseVersion, u.ExportedFrom, u.Formulas)
	if err != nil {
		return "", fmt.Errorf("sqlite: upload: %w", err)
	}
	return u.ID, nil
}

// Upload implements datasets.Store.
func (s *Store) Upload(ctx context.Context, id string) (datasets.Upload, error) {
	var u datasets.Upload
	var created, ds string
	err := s.db.QueryRowContext(ctx, `SELECT id, created_at, author, filename, sha256, workbook, dataset, base_version, exported_from, formulas FROM uploads WHERE id = ?`, id).
		Scan(&u.ID, &created, &u.Author, &u.Filename, &u.SHA256, &u.Workbook, &ds, &u.BaseVersion, &u.ExportedFrom, &u.Formulas)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("upload %s: %w", id, datasets.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("sqlite: upload: %w", err)
	}
	u.CreatedAt = parseTime(created)
	if u.Dataset, err = datasets.UnmarshalStorage([]byte(ds)); err != nil {
		return u, fmt.Errorf("sqlite: upload %s: %w", id, err)
	}
	return u, nil
}

// DeleteUpload implements datasets.Store.
func (s *Store) DeleteUpload(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM uploads WHERE id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: delete upload %s: %w", id, err)
	}
	return nil
}

// AddUser implements datasets.Store.
func (s *Store) AddUser(ctx context.Context, name, hash string) error {
	res, err := s.db.ExecContext(ctx, `INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING`, name, hash, now())
	if err != nil {
		return fmt.Errorf("sqlite: add user: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: add user: %w", err)
	} else if n == 0 {
		return fmt.Errorf("user %q: %w", name, datasets.ErrExists)
	}
	return nil
}

// SetPassword implements datasets.Store: the new hash and the end of the
// user's sessions commit together.
func (s *Store) SetPassword(ctx context.Context, name, hash string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: set password: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE name = ?`, hash, name)
	if err != nil {
		return fmt.Errorf("sqlite: set password: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: set password: %w", err)
	} else if n == 0 {
		return fmt.Errorf("user %q: %w", name, datasets.ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user = ?`, name); err != nil {
		return fmt.Errorf("sqlite: set password: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: set password: %w", err)
	}
	return nil
}

// Users implements datasets.Store.
func (s *Store) Users(ctx context.Context) ([]datasets.UserInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, created_at FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	defer rows.Close()
	var out []datasets.UserInfo
	for rows.Next() {
		var u datasets.UserInfo
		var created string
		if err := rows.Scan(&u.Name, &created); err != nil {
			return nil, fmt.Errorf("sqlite: users: %w", err)
		}
		u.CreatedAt = parseTime(created)
		out = append(out, u)
	}
	return out, rows.Err()
}

// RemoveUser implements datasets.Store: the account and its sessions go
// together.
func (s *Store) RemoveUser(ctx context.Context, name string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: remove user: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("sqlite: remove user: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: remove user: %w", err)
	} else if n == 0 {
		return fmt.Errorf("user %q: %w", name, datasets.ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user = ?`, name); err != nil {
		return fmt.Errorf("sqlite: remove user: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: remove user: %w", err)
	}
	return nil
}

// PasswordHash implements datasets.Store.
func (s *Store) PasswordHash(ctx context.Context, name string) (string, error) {
	var h string
	err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE name = ?`, name).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("user %q: %w", name, datasets.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: password of %q: %w", name, err)
	}
	return h, nil
}

// CountUsers implements datasets.Store.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count users: %w", err)
	}
	return n, nil
}

// AddToken implements datasets.Store.
func (s *Store) AddToken(ctx context.Context, name, hash string) error {
	_, err := s.AddScopedToken(ctx, datasets.NewToken{Name: name, Hash: hash})
	return err
}

// AddScopedToken implements datasets.Store.
func (s *Store) AddScopedToken(ctx context.Context, t datasets.NewToken) (datasets.TokenInfo, error) {
	if t.Scope == "" {
		t.Scope = datasets.ScopePublish
	}
	if !datasets.ValidScope(t.Scope) {
		return datasets.TokenInfo{}, fmt.Errorf("sqlite: add token: unknown scope %q", t.Scope)
	}
	var exp any
	if !t.ExpiresAt.IsZero() {
		exp = t.ExpiresAt.UTC().Format(time.RFC3339Nano)
	}
	created := now()
	res, err := s.db.ExecContext(ctx, `INSERT INTO tokens (name, hash, created_at, scope, expires_at) VALUES (?, ?, ?, ?, ?)`, t.Name, t.Hash, created, t.Scope, exp)
	if err != nil {
		return datasets.TokenInfo{}, fmt.Errorf("sqlite: add token: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return datasets.TokenInfo{}, fmt.Errorf("sqlite: add token: %w", err)
	}
	return datasets.TokenInfo{ID: id, Name: t.Name, Scope: t.Scope, CreatedAt: parseTime(created), ExpiresAt: parseTime(fmt.Sprint(exp))}, nil
}

const tokenCols = `id, name, scope, created_at, COALESCE(expires_at, '')`

func scanToken(sc interface{ Scan(...any) error }) (datasets.TokenInfo, error) {
	var t datasets.TokenInfo
	var created, exp string
	if err := sc.Scan(&t.ID, &t.Name, &t.Scope, &created, &exp); err != nil {
		return t, err
	}
	t.CreatedAt = parseTime(created)
	t.ExpiresAt = parseTime(exp)
	return t, nil
}

// Token implements datasets.Store.
func (s *Store) Token(ctx context.Context, hash string) (datasets.TokenInfo, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, datasets.ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("sqlite: token: %w", err)
	}
	if t.Expired(time.Now()) {
		return t, datasets.ErrExpired
	}
	return t, nil
}

// TokenName implements datasets.Store.
func (s *Store) TokenName(ctx context.Context, hash string) (string, error) {
	t, err := s.Token(ctx, hash)
	if errors.Is(err, datasets.ErrExpired) {
		return "", datasets.ErrNotFound
	}
	return t.Name, err
}

// Tokens implements datasets.Store.
func (s *Store) Tokens(ctx context.Context) ([]datasets.TokenInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenCols+` FROM tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tokens: %w", err)
	}
	defer rows.Close()
	var out []datasets.TokenInfo
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken implements datasets.Store.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM tokens WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: revoke token: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: revoke token: %w", err)
	} else if n == 0 {
		return fmt.Errorf("token %d: %w", id, datasets.ErrNotFound)
	}
	return nil
}

// RevokeTokens implements datasets.Store.
func (s *Store) RevokeTokens(ctx context.Context, name string) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM tokens WHERE name = ?`, name)
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke tokens: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke tokens: %w", err)
	}
	return int(n), nil
}

// CreateSession implements datasets.Store.
func (s *Store) CreateSession(ctx context.Context, idHash string, se datasets.Session) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, now()); err != nil {
		return fmt.Errorf("sqlite: session: %w", err)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (id_hash, user, csrf, expires_at) VALUES (?, ?, ?, ?)`,
		idHash, se.User, se.CSRF, se.ExpiresAt.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("sqlite: session: %w", err)
	}
	return nil
}

// Session implements datasets.Store.
func (s *Store) Session(ctx context.Context, idHash string) (datasets.Session, error) {
	var se datasets.Session
	var exp string
	err := s.db.QueryRowContext(ctx, `SELECT user, csrf, expires_at FROM sessions WHERE id_hash = ?`, idHash).Scan(&se.User, &se.CSRF, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return se, datasets.ErrNotFound
	}
	if err != nil {
		return se, fmt.Errorf("sqlite: session: %w", err)
	}
	se.ExpiresAt = parseTime(exp)
	if time.Now().After(se.ExpiresAt) {
		return datasets.Session{}, datasets.ErrNotFound
	}
	return se, nil
}

// DeleteSession implements datasets.Store.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return nil
}

// Audit implements datasets.Store.
func (s *Store) Audit(ctx context.Context, e datasets.AuditEntry) error {
	at := e.At
	if at.IsZero() {
		at = time.Now()
	}
	at = at.UTC()
	actor := datasets.Clip(e.Actor, datasets.MaxAuditActor)
	detail := datasets.Clip(e.Detail, datasets.MaxAuditDetail)
	remote := datasets.Clip(e.Remote, datasets.MaxAuditRemote)
	var err error
	if datasets.SummarisedActions[e.Action] {
		// One line per action, address and minute; later events of the
		// minute only count.
		_, err = s.db.ExecContext(ctx, `INSERT INTO audit (at, actor, action, detail, remote, count, bucket) VALUES (?, ?, ?, ?, ?, 1, ?)
			ON CONFLICT (action, remote, bucket) WHERE bucket IS NOT NULL DO UPDATE SET count = count + 1`,
			at.Format(time.RFC3339Nano), actor, e.Action, detail, remote, at.Format("2006-01-02T15:04"))
	} else {
		_, err = s.db.ExecContext(ctx, `INSERT INTO audit (at, actor, action, detail, remote) VALUES (?, ?, ?, ?, ?)`,
			at.Format(time.RFC3339Nano), actor, e.Action, detail, remote)
	}
	if err != nil {
		return fmt.Errorf("sqlite: audit: %w", err)
	}
	if datasets.NoiseActions[e.Action] {
		return s.pruneNoise(ctx)
	}
	return nil
}

// pruneNoise drops the oldest noise lines beyond MaxNoiseRows. It runs
// when the newest noise line's id is a multiple of 64, so its cost is
// shared among many inserts and the table stays within a bound.
func (s *Store) pruneNoise(ctx context.Context) error {
	var last int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM audit`).Scan(&last); err != nil {
		return fmt.Errorf("sqlite: audit retention: %w", err)
	}
	if last%64 != 0 {
		return nil
	}
	return s.PruneAudit(ctx, datasets.MaxNoiseRows)
}

// PruneAudit keeps the newest keep lines of noise actions and drops the
// rest; every other line stays.
func (s *Store) PruneAudit(ctx context.Context, keep int) error {
	q := `DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE action IN (` + noiseList() + `) ORDER BY id DESC LIMIT -1 OFFSET ?)`
	if _, err := s.db.ExecContext(ctx, q, keep); err != nil {
		return fmt.Errorf("sqlite: audit retention: %w", err)
	}
	return nil
}

func noiseList() string {
	var b strings.Builder
	for _, a := range slices.Sorted(maps.Keys(datasets.NoiseActions)) {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", "''") + "'")
	}
	return b.String()
}

// AuditLog implements datasets.Store.
func (s *Store) AuditLog(ctx context.Context, q datasets.AuditQuery) ([]datasets.AuditEntry, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	query := `SELECT id, at, actor, action, detail, remote, count FROM audit WHERE 1 = 1`
	var args []any
	if q.Action != "" {
		query += ` AND action = ?`
		args = append(args, q.Action)
	}
	if q.Before > 0 {
		query += ` AND id < ?`
		args = append(args, q.Before)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, q.Limit)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	defer rows.Close()
	var out []datasets.AuditEntry
	for rows.Next() {
		var e datasets.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Detail, &e.Remote, &e.Count); err != nil {
			return nil, fmt.Errorf("sqlite: audit log: %w", err)
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditActions implements datasets.Store.
func (s *Store) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT action FROM audit ORDER BY action`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit actions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("sqlite: audit actions: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
