package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/internal/testtool"
	"github.com/bilateral/bilateral/stats"
)

func newTestStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPublishAndRestoredCopy(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	if _, _, err := s.Current(ctx); !errors.Is(err, datasets.ErrEmpty) {
		t.Fatalf("Current() on a new store = %v, want ErrEmpty", err)
	}
	d1 := datasets.MustDefault()
	v1, err := s.Publish(ctx, datasets.NewVersion{Workbook: []byte("wb1"), Dataset: d1, Author: "system", Comment: "default"})
	if err != nil {
		t.Fatal(err)
	}
	if v1.Number != 1 || !v1.Current {
		t.Fatalf("first publish = %+v, want version 1 current", v1)
	}
	d2 := datasets.MustDefault()
	d2.Observations[0].Value = 99.5
	v2, err := s.Publish(ctx, datasets.NewVersion{Workbook: []byte("wb2"), Dataset: d2, Author: "ana", Comment: "fix", BaseVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	info, got, err := s.Current(ctx)
	if err != nil || info.Number != 2 || !sameDataset(t, got, d2) {
		t.Fatalf("Current() = %d, %v; want version 2 with its dataset", info.Number, err)
	}
	// A publish checked against version 1 is now stale and changes nothing.
	if _, err := s.Publish(ctx, datasets.NewVersion{Workbook: []byte("wb3"), Dataset: d1, Author: "bob", BaseVersion: 1}); !errors.Is(err, datasets.ErrStale) {
		t.Errorf("stale Publish = %v, want ErrStale", err)
	}
	if n, _ := s.CurrentNumber(ctx); n != 2 {
		t.Errorf("after a stale publish current = %d, want 2", n)
	}
	v3, err := restore(ctx, s, 1, "ana")
	if err != nil {
		t.Fatal(err)
	}
	if v3.Number != 3 || v3.RestoredFrom != 1 {
		t.Errorf("Restore = %+v, want version 3 restored from 1", v3)
	}
	_, cur, _ := s.Current(ctx)
	if !sameDataset(t, cur, d1) {
		t.Errorf("after restore the current dataset differs from version 1")
	}
	vs, err := s.Versions(ctx)
	if err != nil || len(vs) != 3 || vs[0].Number != 3 || !vs[0].Current || vs[2].Current {
		t.Fatalf("Versions() = %+v, %v", vs, err)
	}
	h := sha256.Sum256([]byte("wb2"))
	if vs[1].SHA256 != hex.EncodeToString(h[:]) || vs[1].Author != "ana" || vs[1].Comment != "fix" || vs[1].Size != 3 {
		t.Errorf("version 2 = %+v", vs[1])
	}
	if wb, err := s.Workbook(ctx, 2); err != nil || string(wb) != "wb2" {
		t.Errorf("Workbook(2) = %q, %v", wb, err)
	}
	if _, err := s.Workbook(ctx, 9); !errors.Is(err, datasets.ErrNotFound) {
		t.Errorf("Workbook(9) = %v, want ErrNotFound", err)
	}
	if _, err := restore(ctx, s, 9, "x"); !errors.Is(err, datasets.ErrNotFound) {
		t.Errorf("restore(9) = %v, want ErrNotFound", err)
	}
	_ = v2
}

// restore publishes a copy of version n as the server does: the same
// workbook and dataset, with RestoredFrom set.
func restore(ctx context.Context, s datasets.VersionStore, n int, author string) (datasets.VersionInfo, error) {
	_, d, err := s.Version(ctx, n)
	if err != nil {
		return datasets.VersionInfo{}, err
	}
	wb, err := s.Workbook(ctx, n)
	if err != nil {
		return datasets.VersionInfo{}, err
	}
	return s.Publish(ctx, datasets.NewVersion{Workbook: wb, Dataset: d, Author: author, Comment: fmt.Sprintf("Restored version %d", n), RestoredFrom: n})
}

func TestUploadsUsersTokensSessionsAudit(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	d := datasets.MustDefault()
	id, err := s.SaveUpload(ctx, datasets.Upload{Author: "ana", Filename: "x.xlsx", Workbook: []byte("abc"), Dataset: d, BaseVersion: 4})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Upload(ctx, id)
	if err != nil || u.Author != "ana" || u.BaseVersion != 4 || !bytes.Equal(u.Workbook, []byte("abc")) || !sameDataset(t, u.Dataset, d) {
		t.Fatalf("Upload() = %+v, %v", u.Author, err)
	}
	if err := s.DeleteUpload(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upload(ctx, id); !errors.Is(err, datasets.ErrNotFound) {
		t.Errorf("deleted upload: %v, want ErrNotFound", err)
	}

	if err := s.AddUser(ctx, "ana", "h1"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(ctx, "ana", "h2"); !errors.Is(err, datasets.ErrExists) {
		t.Errorf("duplicate AddUser = %v, want ErrExists", err)
	}
	if h, _ := s.PasswordHash(ctx, "ana"); h != "h1" {
		t.Errorf("PasswordHash = %q", h)
	}
	if err := s.SetPassword(ctx, "ana", "h3"); err != nil {
		t.Fatal(err)
	}
	if h, _ := s.PasswordHash(ctx, "ana"); h != "h3" {
		t.Errorf("after SetPassword hash = %q", h)
	}
	if n, _ := s.CountUsers(ctx); n != 1 {
		t.Errorf("CountUsers = %d", n)
	}

	if err := s.AddToken(ctx, "ci", "tokhash"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.TokenName(ctx, "tokhash"); err != nil || n != "ci" {
		t.Errorf("TokenName = %q, %v", n, err)
	}
	if _, err := s.TokenName(ctx, "other"); !errors.Is(err, datasets.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}

	if err := s.CreateSession(ctx, "sh", datasets.Session{User: "ana", CSRF: "c", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, "old", datasets.Session{User: "ana", CSRF: "c", ExpiresAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if se, err := s.Session(ctx, "sh"); err != nil || se.User != "ana" || se.CSRF != "c" {
		t.Errorf("Session = %+v, %v", se, err)
	}
	if _, err := s.Session(ctx, "old"); !errors.Is(err, datasets.ErrNotFound) {
		t.Errorf("expired session: %v, want ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, "sh"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "sh"); !errors.Is(err, datasets.ErrNotFound) {
		t.Errorf("deleted session: %v", err)
	}

	if err := s.Audit(ctx, datasets.AuditEntry{Actor: "ana", Action: "login", Remote: "10.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, datasets.AuditEntry{Actor: "ana", Action: "publish", Detail: "version 2"}); err != nil {
		t.Fatal(err)
	}
	log, err := s.AuditLog(ctx, datasets.AuditQuery{Limit: 10})
	if err != nil || len(log) != 2 || log[0].Action != "publish" || log[1].Remote != "10.0.0.1" {
		t.Errorf("AuditLog = %+v, %v", log, err)
	}
}

func TestConcurrentPublishesSerialise(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	d := datasets.MustDefault()
	const n = 12
	errc := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			_, err := s.Publish(ctx, datasets.NewVersion{Workbook: []byte(strconv.Itoa(i)), Dataset: d, Author: "w"})
			errc <- err
		}(i)
	}
	for i := 0; i < n; i++ {
		if err := <-errc; err != nil {
			t.Errorf("concurrent Publish: %v", err)
		}
	}
	vs, _ := s.Versions(ctx)
	if len(vs) != n || vs[0].Number != n {
		t.Errorf("after %d concurrent publishes: %d versions, newest %d", n, len(vs), vs[0].Number)
	}
}

// TestCrashDuringPublish kills a process that publishes in a loop at
// random moments with SIGKILL, then checks that the store opens, has a
// current version, and that every version is whole.
func TestCrashDuringPublish(t *testing.T) {
	if os.Getenv("BILATERAL_CRASH_CHILD") != "" {
		t.Skip("running as the crash child")
	}
	dir := t.TempDir()
	for round := 0; round < 6; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), "BILATERAL_CRASH_CHILD="+dir)
		out := &testtool.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				cmd.Process.Kill()
				t.Logf("round %d: the child's output:\n%s", round, out)
			}
		})
		// Kill after a number of publishes that grows with the round; the
		// child is by then inside the next one, at a point that varies with
		// the polling and the machine.
		testtool.WaitFor(t, 2*time.Minute, func() bool { return strings.Count(out.String(), "published\n") > round }, fmt.Sprintf("%d publishes by the child", round+1))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		s, err := Open(dir)
		if err != nil {
			t.Fatalf("round %d: reopening after kill -9: %v\n%s", round, err, out.String())
		}
		ctx := context.Background()
		info, d, err := s.Current(ctx)
		if err != nil && !errors.Is(err, datasets.ErrEmpty) {
			t.Fatalf("round %d: Current after kill -9: %v", round, err)
		}
		if err == nil && (d == nil || len(d.Observations) == 0) {
			t.Fatalf("round %d: current version %d has no data", round, info.Number)
		}
		vs, err := s.Versions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			wb, err := s.Workbook(ctx, v.Number)
			h := sha256.Sum256(wb)
			if err != nil || hex.EncodeToString(h[:]) != v.SHA256 {
				t.Errorf("round %d: version %d workbook does not match its checksum", round, v.Number)
			}
			if _, ds, err := s.Version(ctx, v.Number); err != nil || ds == nil {
				t.Errorf("round %d: version %d unreadable: %v", round, v.Number, err)
			}
		}
		t.Logf("round %d: %d versions, current %d", round, len(vs), info.Number)
		s.Close()
	}
}

// TestCrashChild is the process TestCrashDuringPublish kills.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("BILATERAL_CRASH_CHILD")
	if dir == "" {
		t.Skip("only runs as the child of TestCrashDuringPublish")
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := datasets.MustDefault()
	big := bytes.Repeat([]byte("x"), 256<<10) // a workbook-sized blob, so writes take time
	for i := 0; ; i++ {
		d.Observations[0].Value = float64(i)
		wb := append([]byte(fmt.Sprint(i)), big...)
		if _, err := s.Publish(context.Background(), datasets.NewVersion{Workbook: wb, Dataset: cloneDataset(d), Author: "crash"}); err != nil {
			t.Fatal(err)
		}
		fmt.Println("published")
	}
}

func cloneDataset(d *stats.Dataset) *stats.Dataset {
	c := *d
	c.Observations = append([]stats.Observation(nil), d.Observations...)
	return &c
}

// sameDataset compares two datasets by their stored form: a gap's value is
// NaN, which reflect.DeepEqual never finds equal to itself.
func sameDataset(t *testing.T, a, b *stats.Dataset) bool {
	t.Helper()
	ja, err := datasets.MarshalStorage(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := datasets.MarshalStorage(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ja, jb)
}
