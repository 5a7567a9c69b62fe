package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The store's schema is the sequence of numbered migrations in
// migrations/ (NNNN_name.sql), applied in order at Open and recorded in
// schema_migrations. A change to what is stored is a new file, never an
// edit of an applied one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew: the store was migrated by a newer bilateral than this
// binary, which must not write to it.
var ErrSchemaTooNew = errors.New("the store's schema is newer than this binary")

// schemaTooNewError says which schemas the store and the binary have; it
// is ErrSchemaTooNew for errors.Is.
type schemaTooNewError struct{ store, binary int }

func (e *schemaTooNewError) Error() string {
	return fmt.Sprintf("this store was written by a newer bilateral (schema %d); this binary knows up to %d — upgrade the binary", e.store, e.binary)
}

func (e *schemaTooNewError) Unwrap() error { return ErrSchemaTooNew }

// migration is one numbered step of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// goSteps are the parts of migrations that SQL cannot do (hashing,
// compressing), by name. A migration calls one with a line of its own,
// "-- @go NAME": the SQL before the line runs, then the function, then
// the SQL after it, all in the migration's transaction.
var goSteps = map[string]func(context.Context, *sql.Tx) error{
	"datasets_to_blobs":         datasetsToBlobs,
	"definitions_into_datasets": definitionsIntoDatasets,
}

var goStepLine = regexp.MustCompile(`(?m)^-- @go ([a-z0-9_]+)[ \t]*$`)

// run applies the migration's SQL and Go steps in tx.
func (m migration) run(ctx context.Context, tx *sql.Tx) error {
	rest := m.sql
	for {
		loc := goStepLine.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		if _, err := tx.ExecContext(ctx, rest[:loc[0]]); err != nil {
			return err
		}
		name := rest[loc[2]:loc[3]]
		f := goSteps[name]
		if f == nil {
			return fmt.Errorf("no Go step named %q", name)
		}
		if err := f(ctx, tx); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rest = rest[loc[1]:]
	}
	if strings.TrimSpace(rest) == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, rest)
	return err
}

// applied is one row of schema_migrations.
type applied struct {
	version int
	name    string
}

// wave1Tables are the tables that wave 1 created with CREATE TABLE IF NOT
// EXISTS before migrations were recorded; migration 1 creates exactly
// these.
var wave1Tables = []string{"versions", "current", "uploads", "users", "tokens", "sessions", "audit"}

var migrationName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// embeddedMigrations returns the migrations built into the binary.
func embeddedMigrations() ([]migration, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	return parseMigrations(sub)
}

// parseMigrations reads NNNN_name.sql files from fsys and returns them in
// order. Their numbers must run 1, 2, 3... without gaps or repeats.
func parseMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("sqlite: migrations: %q is not named NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("sqlite: migrations: %w", err)
		}
		v, _ := strconv.Atoi(m[1]) // four digits, so it parses
		out = append(out, migration{version: v, name: m[2], sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlite: migrations must be numbered from 0001 without gaps or repeats: expected %04d, found %04d_%s.sql", i+1, m.version, m.name)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("sqlite: migrations: none found")
	}
	return out, nil
}

// querier is what both *sql.DB and *sql.Tx offer for reading.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// migrate brings the store's schema up to date: it applies every step of
// steps that schema_migrations does not record, in order, in one
// transaction with their records, so a failure leaves the schema as it
// was. A store that is already up to date is only read. A store of wave 1
// (its tables, no schema_migrations) gets step 1 recorded without running
// it. A store that records steps this binary does not know is refused.
func migrate(ctx context.Context, db *sql.DB, steps []migration) error {
	todo, err := pending(ctx, db, steps)
	if err != nil || len(todo) == 0 {
		return err
	}
	// The transaction takes the write lock at BEGIN (_txlock=immediate), so
	// replicas starting together migrate one after the other; the state is
	// read again inside it.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrating the schema: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`); err != nil {
		return fmt.Errorf("migrating the schema: %w", err)
	}
	if err := adoptWave1(ctx, tx, steps[0]); err != nil {
		return err
	}
	if todo, err = pending(ctx, tx, steps); err != nil {
		return err
	}
	for _, m := range todo {
		if err := m.run(ctx, tx); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
		}
		if err := record(ctx, tx, m); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrating the schema: %w", err)
	}
	return nil
}

// pending returns the steps that the store has not applied yet, after
// checking that every step it did apply is one of steps, by number and
// name.
func pending(ctx context.Context, q querier, steps []migration) ([]migration, error) {
	done, err := appliedSteps(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(done) > 0 && done[len(done)-1].version > len(steps) {
		return nil, &schemaTooNewError{store: done[len(done)-1].version, binary: len(steps)}
	}
	for i, a := range done {
		if a.version != i+1 || a.name != steps[i].name {
			return nil, fmt.Errorf("the store records migration %04d_%s where this binary has %04d_%s: it was migrated by a different build of bilateral",
				a.version, a.name, i+1, steps[i].name)
		}
	}
	return steps[len(done):], nil
}

// appliedSteps reads schema_migrations in order; a store without that
// table has applied none.
func appliedSteps(ctx context.Context, q querier) ([]applied, error) {
	ok, err := tableExists(ctx, q, "schema_migrations")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("reading the schema version: %w", err)
	}
	defer rows.Close()
	var out []applied
	for rows.Next() {
		var a applied
		if err := rows.Scan(&a.version, &a.name); err != nil {
			return nil, fmt.Errorf("reading the schema version: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the schema version: %w", err)
	}
	return out, nil
}

// adoptWave1 records the initial step as applied when the store is a wave
// 1 store: all of its tables exist and no step is recorded. A store with
// only some of them is damaged and refused.
func adoptWave1(ctx context.Context, tx *sql.Tx, initial migration) error {
	var recorded int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&recorded); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if recorded > 0 {
		return nil
	}
	var missing []string
	for _, t := range wave1Tables {
		ok, err := tableExists(ctx, tx, t)
		if err != nil {
			return err
		}
		if !ok {
			missing = append(missing, t)
		}
	}
	switch len(missing) {
	case len(wave1Tables):
		return nil // a new store: every step will run
	case 0:
		return record(ctx, tx, initial)
	default:
		return fmt.Errorf("the store has some of the tables of bilateral's first schema but not %v: it is damaged or not a bilateral store", missing)
	}
}

// record writes one applied step to schema_migrations.
func record(ctx context.Context, tx *sql.Tx, m migration) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, now()); err != nil {
		return fmt.Errorf("recording migration %04d_%s: %w", m.version, m.name, err)
	}
	return nil
}

// tableExists reports whether the store has a table of that name.
func tableExists(ctx context.Context, q querier, name string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
		return false, fmt.Errorf("reading the schema: %w", err)
	}
	return n > 0, nil
}
