package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// schemaOf returns the CREATE statements of a store's tables and indexes
// by name, without schema_migrations.
func schemaOf(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE name != 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, stmt string
		if err := rows.Scan(&name, &stmt); err != nil {
			t.Fatal(err)
		}
		out[name] = stmt
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// appliedRows returns schema_migrations as "version name applied_at" lines.
func appliedRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v, name, at string
		if err := rows.Scan(&v, &name, &at); err != nil {
			t.Fatal(err)
		}
		out = append(out, v+" "+name+" "+at)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// rawDB opens the database file in dir without migrating it.
func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustSteps(t *testing.T, extra ...migration) []migration {
	t.Helper()
	steps, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	return append(steps, extra...)
}

// TestInitialMigrationIsWave1Schema: a new store gets exactly the tables
// that wave 1 created, statement for statement, so a wave-1 store and a
// migrated new one are the same thing. (The later steps change both
// alike; the new store here stops after step 1.)
func TestInitialMigrationIsWave1Schema(t *testing.T) {
	dir := t.TempDir()
	s, err := openWith(dir, mustSteps(t)[:1])
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	got := schemaOf(t, rawDB(t, dir))
	want := schemaOf(t, rawDB(t, copyWave1(t)))
	for name, stmt := range want {
		if norm(got[name]) != norm(stmt) {
			t.Errorf("table %s:\n new store: %s\n    wave 1: %s", name, got[name], stmt)
		}
	}
	if len(got) != len(want) {
		t.Errorf("new store has %d schema objects, wave 1 had %d", len(got), len(want))
	}
	if rows := appliedRows(t, rawDB(t, dir)); len(rows) != 1 || !strings.HasPrefix(rows[0], "1 initial ") {
		t.Errorf("schema_migrations = %q", rows)
	}
}

// TestMigratedWave1IsNewSchema: a wave-1 store after every migration has
// the schema of a store created new.
func TestMigratedWave1IsNewSchema(t *testing.T) {
	dir, old := t.TempDir(), copyWave1(t)
	for _, d := range []string{dir, old} {
		s, err := Open(d)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	got, want := schemaOf(t, rawDB(t, old)), schemaOf(t, rawDB(t, dir))
	for name, stmt := range want {
		if name == "schema_migrations" {
			continue
		}
		if norm(got[name]) != norm(stmt) {
			t.Errorf("%s:\n migrated wave 1: %s\n       new store: %s", name, got[name], stmt)
		}
	}
	if len(got) != len(want) {
		t.Errorf("migrated wave 1 has %d schema objects, a new store %d", len(got), len(want))
	}
}

// norm drops the differences SQLite keeps from the statement text that do
// not change the table: whitespace, and IF NOT EXISTS, which wave 1 used
// and the migration does not need.
func norm(stmt string) string {
	return strings.Join(strings.Fields(strings.Replace(stmt, "IF NOT EXISTS ", "", 1)), " ")
}

// TestReopenIsANoop: opening an up-to-date store again applies and
// records nothing.
func TestReopenIsANoop(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	rows := appliedRows(t, rawDB(t, dir))
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if again := appliedRows(t, rawDB(t, dir)); !reflect.DeepEqual(again, rows) {
		t.Errorf("a third open changed schema_migrations:\n%q\n%q", rows, again)
	}
}

// TestLaterMigrationsApplyInOrder: steps the store has not recorded run in
// order, each recorded, and a failing step leaves the store exactly as it
// was, earlier new steps included.
func TestLaterMigrationsApplyInOrder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(ctx, "ana", "h"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	next := len(mustSteps(t)) + 1
	add := migration{version: next, name: "user_email", sql: `ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';`}
	fill := migration{version: next + 1, name: "fill_email", sql: `UPDATE users SET email = name || '@example.org';`}
	bad := migration{version: next + 1, name: "broken", sql: `UPDATE nonexistent SET x = 1;`}

	if _, err := openWith(dir, mustSteps(t, add, bad)); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("opening with a failing migration = %v, want its error", err)
	}
	if cols := schemaOf(t, rawDB(t, dir))["users"]; strings.Contains(cols, "email") {
		t.Errorf("a failed migration run left step %d applied: %s", next, cols)
	}
	s, err = openWith(dir, mustSteps(t, add, fill))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	var email string
	if err := rawDB(t, dir).QueryRow(`SELECT email FROM users WHERE name = 'ana'`).Scan(&email); err != nil || email != "ana@example.org" {
		t.Errorf("after migrating, email = %q, %v", email, err)
	}
	rows := appliedRows(t, rawDB(t, dir))
	if len(rows) != next+1 || !strings.HasPrefix(rows[next-1], strconv.Itoa(next)+" user_email ") || !strings.HasPrefix(rows[next], strconv.Itoa(next+1)+" fill_email ") {
		t.Errorf("schema_migrations = %q", rows)
	}
	// The binary that knows fewer steps now refuses the store.
	_, err = Open(dir)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("an older binary opening a newer store: %v, want ErrSchemaTooNew", err)
	}
}

// TestNewerStoreIsRefused: the message names both schema versions.
func TestNewerStoreIsRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	known := len(mustSteps(t))
	db := rawDB(t, dir)
	for v := known + 1; v <= 7; v++ {
		if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', '2030-01-01T00:00:00Z')`, v); err != nil {
			t.Fatal(err)
		}
	}
	_, err = Open(dir)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
	}
	want := "this store was written by a newer bilateral (schema 7); this binary knows up to " + strconv.Itoa(known) + " — upgrade the binary"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q\nwant it to say %q", err, want)
	}
}

// TestDifferentMigrationIsRefused: a store migrated by another build whose
// step has the same number but another name is not silently accepted.
func TestDifferentMigrationIsRefused(t *testing.T) {
	dir := t.TempDir()
	next := len(mustSteps(t)) + 1
	s, err := openWith(dir, mustSteps(t, migration{version: next, name: "one_way", sql: `CREATE TABLE a (x);`}))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = openWith(dir, mustSteps(t, migration{version: next, name: "other_way", sql: `CREATE TABLE b (x);`}))
	if err == nil || !strings.Contains(err.Error(), "one_way") || !strings.Contains(err.Error(), "other_way") {
		t.Errorf("Open = %v, want an error naming both migrations", err)
	}
}

// TestPartialWave1StoreIsRefused: some wave-1 tables without the others
// is not a store to build on.
func TestPartialWave1StoreIsRefused(t *testing.T) {
	dir := t.TempDir()
	if _, err := rawDB(t, dir).Exec(`CREATE TABLE versions (number INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("Open = %v, want a damaged-store error", err)
	}
}

func TestParseMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	got, err := parseMigrations(fstest.MapFS{"0002_b.sql": file("B"), "0001_a.sql": file("A")})
	if err != nil || len(got) != 2 || got[0].name != "a" || got[1].sql != "B" || got[1].version != 2 {
		t.Errorf("parseMigrations = %+v, %v", got, err)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":       {"0001_a.sql": file(""), "0003_c.sql": file("")},
		"repeat":    {"0001_a.sql": file(""), "0001_b.sql": file("")},
		"bad name":  {"0001_a.sql": file(""), "2_b.sql": file("")},
		"not first": {"0002_b.sql": file("")},
		"empty":     {},
	} {
		if _, err := parseMigrations(fsys); err == nil {
			t.Errorf("%s: parseMigrations accepted %v", name, fsys)
		}
	}
}

// TestUnwritableDataDirectory: a data directory the process cannot write
// gets an error that names it, not SQLite's "unable to open database
// file". Root writes anywhere, so the test needs an ordinary user.
func TestUnwritableDataDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write a read-only directory")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), "cannot be written") || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open(read-only dir) = %v, want an error naming the directory", err)
	}
	t.Log(err)
}

// fakeSQLiteError has the Code method of modernc.org/sqlite's errors.
type fakeSQLiteError int

func (e fakeSQLiteError) Error() string { return "sqlite error" }
func (e fakeSQLiteError) Code() int     { return int(e) }

func TestExplain(t *testing.T) {
	dir := t.TempDir()
	if err := explain(dir, fakeSQLiteError(sqliteFull)); !strings.Contains(err.Error(), "is full") || !strings.Contains(err.Error(), dir) {
		t.Errorf("explain(SQLITE_FULL) = %v", err)
	}
	// A writable directory: the error is SQLite's own.
	if err := explain(dir, fakeSQLiteError(sqliteCantOpen)); err.Error() != "sqlite error" {
		t.Errorf("explain(SQLITE_CANTOPEN) in a writable directory = %v", err)
	}
	if err := explain(filepath.Join(dir, "missing"), fakeSQLiteError(sqliteCantOpen|1<<8)); !strings.Contains(err.Error(), "cannot be written") {
		t.Errorf("explain(extended SQLITE_CANTOPEN) in a missing directory = %v", err)
	}
	plain := errors.New("other")
	if err := explain(dir, plain); err != plain {
		t.Errorf("explain(other) = %v", err)
	}
}

// TestConcurrentOpensMigrateOnce: replicas starting together on a new
// store apply each step once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	dir := t.TempDir()
	const n = 6
	errc := make(chan error, n)
	for range n {
		go func() {
			s, err := Open(dir)
			if err == nil {
				err = s.Close()
			}
			errc <- err
		}()
	}
	for range n {
		if err := <-errc; err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
	if rows := appliedRows(t, rawDB(t, dir)); len(rows) != len(mustSteps(t)) {
		t.Errorf("schema_migrations = %q", rows)
	}
}

// TestGoSteps: a "-- @go NAME" line runs the named Go step between the
// SQL before and after it, in the migration's transaction; an unknown
// name fails the migration and changes nothing.
func TestGoSteps(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	next := len(mustSteps(t)) + 1
	var order []string
	goSteps["test_step"] = func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('users') WHERE name = 'nick'`).Scan(&n); err != nil {
			return err
		}
		order = append(order, fmt.Sprintf("go step sees nick: %d", n))
		_, err := tx.ExecContext(ctx, `INSERT INTO users (name, password_hash, created_at, nick) VALUES ('go', 'h', 'now', 'g')`)
		return err
	}
	defer delete(goSteps, "test_step")
	bad := migration{version: next, name: "bad_step", sql: "ALTER TABLE users ADD COLUMN nick TEXT;\n-- @go no_such_step\n"}
	if _, err := openWith(dir, mustSteps(t, bad)); err == nil || !strings.Contains(err.Error(), "no_such_step") {
		t.Fatalf("an unknown Go step = %v", err)
	}
	if cols := schemaOf(t, rawDB(t, dir))["users"]; strings.Contains(cols, "nick") {
		t.Errorf("a failed Go step left its SQL applied: %s", cols)
	}
	good := migration{version: next, name: "good_step", sql: "ALTER TABLE users ADD COLUMN nick TEXT;\n-- @go test_step\nUPDATE users SET nick = upper(nick);\n"}
	s, err = openWith(dir, mustSteps(t, good))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	var nick string
	if err := rawDB(t, dir).QueryRow(`SELECT nick FROM users WHERE name = 'go'`).Scan(&nick); err != nil || nick != "G" || fmt.Sprint(order) != "[go step sees nick: 1]" {
		t.Errorf("nick = %q, %v; order %v", nick, err, order)
	}
}
