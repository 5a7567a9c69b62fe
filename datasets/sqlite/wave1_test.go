package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/stats"
)

// The committed store testdata/wave1/bilateral.db was written by wave 1
// (main at 2cd495c, before numbered migrations) with
// testdata/makewave1; the JSON files beside it record what it held. These
// tests open a copy, migrate it and check that everything reads back
// unchanged. Every migration that changes what is stored adds its own
// store and test of the same kind (see the README, "Storage and
// migrations").

// wave1Fixture is testdata/wave1/manifest.json. Its keys are spelled out
// here rather than taken from the datasets types, so a renamed field
// there cannot make the fixture and the store agree by both losing it.
type wave1Fixture struct {
	Commit   string `json:"commit"` // of main that wrote the store
	Versions []struct {
		Number       int       `json:"version"`
		CreatedAt    time.Time `json:"created_at"`
		Author       string    `json:"author"`
		Comment      string    `json:"comment"`
		SHA256       string    `json:"sha256"`
		Size         int       `json:"size"`
		RestoredFrom int       `json:"restored_from"`
		Current      bool      `json:"current"`
	} `json:"versions"`
	Upload struct {
		ID          string `json:"ID"`
		Author      string `json:"Author"`
		Filename    string `json:"Filename"`
		SHA256      string `json:"SHA256"`
		BaseVersion int    `json:"BaseVersion"`
		// WorkbookSHA256 was computed by makewave1; SHA256 is what the
		// store recorded. They are equal.
		WorkbookSHA256 string `json:"WorkbookSHA256"`
	} `json:"upload"`
	User         string `json:"user"`
	PasswordHash string `json:"password_hash"`
	Token        string `json:"token"`
	TokenName    string `json:"token_name"`
	SessionHash  string `json:"session_hash"`
	Session      struct {
		User      string    `json:"User"`
		CSRF      string    `json:"CSRF"`
		ExpiresAt time.Time `json:"ExpiresAt"`
	} `json:"session"`
	Audit []struct {
		At     time.Time `json:"At"`
		Actor  string    `json:"Actor"`
		Action string    `json:"Action"`
		Detail string    `json:"Detail"`
		Remote string    `json:"Remote"`
	} `json:"audit"`
}

// copyWave1 copies the committed wave-1 store into a new data directory,
// so that tests never write to testdata.
func copyWave1(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	in, err := os.Open(filepath.Join("testdata", "wave1", FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readWave1Fixture(t *testing.T) wave1Fixture {
	t.Helper()
	b, err := os.ReadFile("testdata/wave1/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var f wave1Fixture
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return f
}

func TestWave1StoreMigratesUnchanged(t *testing.T) {
	dir := copyWave1(t)
	want := readWave1Fixture(t)
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("opening the wave-1 store: %v", err)
	}
	checkWave1(t, s, want)
	s.Close()
	rows := appliedRows(t, rawDB(t, dir))
	if len(rows) != len(mustSteps(t)) || !strings.HasPrefix(rows[0], "1 initial ") {
		t.Fatalf("schema_migrations after migrating the wave-1 store = %q", rows)
	}

	// A second open is a no-op and the store still reads the same.
	s, err = Open(dir)
	if err != nil {
		t.Fatalf("reopening the migrated wave-1 store: %v", err)
	}
	defer s.Close()
	if again := appliedRows(t, rawDB(t, dir)); !reflect.DeepEqual(again, rows) {
		t.Errorf("a second open changed schema_migrations:\n%q\n%q", rows, again)
	}
	checkWave1(t, s, want)
	checkWave1Blobs(t, dir, want)

	// And it takes new versions after the old ones.
	_, d, err := s.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Publish(context.Background(), datasets.NewVersion{Workbook: []byte("wb"), Dataset: d, Author: "t", BaseVersion: len(want.Versions)})
	if err != nil || v.Number != len(want.Versions)+1 {
		t.Errorf("publishing on the migrated store = %+v, %v", v, err)
	}
}

// checkWave1 compares everything the store returns with the fixtures.
func checkWave1(t *testing.T, s *Store, want wave1Fixture) {
	t.Helper()
	ctx := context.Background()
	checkWave1Versions(t, s, want)

	u, err := s.Upload(ctx, want.Upload.ID)
	if err != nil {
		t.Fatalf("the staged upload: %v", err)
	}
	if u.Author != want.Upload.Author || u.Filename != want.Upload.Filename || u.SHA256 != want.Upload.SHA256 || u.BaseVersion != want.Upload.BaseVersion || hash(u.Workbook) != want.Upload.WorkbookSHA256 {
		t.Errorf("the staged upload = %+v, want %+v", u, want.Upload)
	}
	checkWave1Dataset(t, "upload.json", u.Dataset)

	if h, err := s.PasswordHash(ctx, want.User); err != nil || h != want.PasswordHash {
		t.Errorf("PasswordHash(%s) = %q, %v; want %q", want.User, h, err, want.PasswordHash)
	}
	if n, err := s.TokenName(ctx, hash([]byte(want.Token))); err != nil || n != want.TokenName {
		t.Errorf("TokenName = %q, %v; want %q", n, err, want.TokenName)
	}
	// Migration 0002: a wave-1 token publishes and never expires.
	if ti, err := s.Token(ctx, hash([]byte(want.Token))); err != nil || ti.Scope != datasets.ScopePublish || !ti.ExpiresAt.IsZero() {
		t.Errorf("Token = %+v, %v; want a publish token without expiry", ti, err)
	}
	se, err := s.Session(ctx, want.SessionHash)
	if err != nil || se.User != want.Session.User || se.CSRF != want.Session.CSRF || !se.ExpiresAt.Equal(want.Session.ExpiresAt) {
		t.Errorf("Session = %+v, %v; want %+v", se, err, want.Session)
	}

	log, err := s.AuditLog(ctx, datasets.AuditQuery{Limit: 100})
	if err != nil || len(log) != len(want.Audit) {
		t.Fatalf("AuditLog = %d entries, %v; want %d", len(log), err, len(want.Audit))
	}
	for i, e := range log {
		w := want.Audit[i]
		if !e.At.Equal(w.At) || e.Actor != w.Actor || e.Action != w.Action || e.Detail != w.Detail || e.Remote != w.Remote || e.Count != 1 {
			t.Errorf("audit entry %d = %+v, want %+v", i, e, w)
		}
	}
}

// checkWave1Versions compares every version's description, workbook and
// dataset with the fixtures.
func checkWave1Versions(t *testing.T, s *Store, want wave1Fixture) {
	t.Helper()
	ctx := context.Background()
	vs, err := s.Versions(ctx)
	if err != nil || len(vs) != len(want.Versions) {
		t.Fatalf("Versions = %d, %v; want %d", len(vs), err, len(want.Versions))
	}
	for i, v := range vs {
		w := want.Versions[i]
		if v.Number != w.Number || !v.CreatedAt.Equal(w.CreatedAt) || v.Author != w.Author || v.Comment != w.Comment ||
			v.SHA256 != w.SHA256 || v.Size != w.Size || v.RestoredFrom != w.RestoredFrom || v.Current != w.Current {
			t.Errorf("version %d = %+v, want %+v", w.Number, v, w)
		}
		if v.Formulas != -1 { // migration 0002: not counted before it
			t.Errorf("version %d: formulas %d after migration, want -1 (not known)", v.Number, v.Formulas)
		}
		wb, err := s.Workbook(ctx, v.Number)
		if err != nil || hash(wb) != w.SHA256 || len(wb) != w.Size {
			t.Errorf("version %d: workbook does not match its checksum (%v)", v.Number, err)
		}
		info, d, err := s.Version(ctx, v.Number)
		if err != nil || info != v {
			t.Fatalf("Version(%d) = %+v, %v; want %+v", v.Number, info, err, v)
		}
		checkWave1Dataset(t, fmt.Sprintf("version-%d.json", v.Number), d)
	}
	if cur, err := s.CurrentNumber(ctx); err != nil || cur != want.Versions[0].Number {
		t.Errorf("CurrentNumber = %d, %v", cur, err)
	}
}

// checkWave1Dataset compares a dataset from the store with the fixture
// file that wave 1 served for it. Two checks: the dataset equals the
// fixture read in the storage format, and written back in the storage
// format it is byte for byte the fixture, so nothing the fixture holds was
// dropped on the way in or out. (A migration that changes the storage format keeps
// the first check and adapts the second to the new bytes.)
func checkWave1Dataset(t *testing.T, file string, got *stats.Dataset) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "wave1", file))
	if err != nil {
		t.Fatal(err)
	}
	want, err := datasets.UnmarshalStorage(raw)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the store returned a different dataset", file)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		t.Fatal(err)
	}
	again, err := datasets.MarshalStorage(got)
	if err != nil {
		t.Fatal(err)
	}
	// Since the definition sheets, a wave-1 dataset reads with the built-in
	// chart and text definitions and writes back with them: every key
	// wave 1 stored is byte for byte the same, and the three new keys hold
	// the built-in definitions.
	if len(got.Charts) != 13 || len(got.Text) == 0 {
		t.Errorf("%s: read with %d charts and %d text blocks, want the 13 built-in charts and the narrative", file, len(got.Charts), len(got.Text))
	}
	var old, now map[string]json.RawMessage
	if err := json.Unmarshal(compact.Bytes(), &old); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(again, &now); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Charts", "ChartSeries", "Text"} {
		if _, ok := old[k]; ok {
			t.Errorf("%s: a wave-1 fixture holds the key %s", file, k)
		}
		if _, ok := now[k]; !ok {
			t.Errorf("%s: written back without the key %s", file, k)
		}
		delete(now, k)
	}
	if len(now) != len(old) {
		t.Errorf("%s: written back with keys %d, wave 1 stored %d", file, len(now), len(old))
	}
	for k, v := range old {
		if !bytes.Equal(now[k], v) {
			t.Errorf("%s: the storage format does not write back what wave 1 stored under %s", file, k)
		}
	}
}

// checkWave1Blobs checks what migration 0003 made of the wave-1 rows:
// the workbook and dataset columns are gone, every version refers to its
// workbook and its dataset in blobs by SHA-256, and identical contents
// (version 3 restores version 1) are stored once.
func checkWave1Blobs(t *testing.T, dir string, want wave1Fixture) {
	t.Helper()
	db := rawDB(t, dir)
	var cols []string
	rows, err := db.Query(`SELECT name FROM pragma_table_info('versions')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		cols = append(cols, c)
	}
	rows.Close()
	for _, c := range cols {
		if c == "workbook" || c == "dataset" {
			t.Errorf("versions still has the column %s after migration 0003: %v", c, cols)
		}
	}
	distinct := map[string]bool{}
	for _, w := range want.Versions {
		raw, err := os.ReadFile(filepath.Join("testdata", "wave1", fmt.Sprintf("version-%d.json", w.Number)))
		if err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		json.Compact(&compact, raw)
		// Migration 0004 stores the dataset with the chart and text
		// definitions it was shown with: the wave-1 JSON read (which
		// supplies them) and written again.
		d, err := datasets.UnmarshalStorage(compact.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		withDefs, err := datasets.MarshalStorage(d)
		if err != nil {
			t.Fatal(err)
		}
		var wb, ds, enc string
		var data []byte
		if err := db.QueryRow(`SELECT v.sha256, v.dataset_sha256, b.encoding, b.data FROM versions v JOIN blobs b ON b.hash = v.dataset_sha256 WHERE v.number = ?`, w.Number).Scan(&wb, &ds, &enc, &data); err != nil {
			t.Fatal(err)
		}
		if wb != w.SHA256 || ds != hash(withDefs) {
			t.Errorf("version %d refers to workbook %s and dataset %s; want %s and %s", w.Number, wb, ds, w.SHA256, hash(withDefs))
		}
		stored, err := decodeBlob(ds, enc, data)
		if err != nil {
			t.Fatal(err)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(stored, &keys); err != nil || len(keys["Charts"]) < 100 || len(keys["Text"]) < 100 {
			t.Errorf("version %d's stored dataset does not hold its chart and text definitions (%v)", w.Number, err)
		}
		distinct[wb], distinct[ds] = true, true
	}
	var blobs int
	if err := db.QueryRow(`SELECT COUNT(*) FROM blobs`).Scan(&blobs); err != nil {
		t.Fatal(err)
	}
	if blobs != len(distinct) || blobs != 4 {
		t.Errorf("blobs holds %d contents; want %d (two workbooks, two datasets: version 3 shares version 1's)", blobs, len(distinct))
	}
}

func hash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
