package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/stats"
)

func countBlobs(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM blobs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIdenticalWorkbooksShareStorage: publishing the same workbook again
// adds a history row and no blob, and every version's workbook still
// downloads byte for byte as published.
func TestIdenticalWorkbooksShareStorage(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	d := datasets.MustDefault()
	wbA := bytes.Repeat([]byte("workbook A "), 3000)
	wbB := bytes.Repeat([]byte("workbook B "), 3000)
	published := map[int][]byte{}
	pub := func(wb []byte, d *stats.Dataset) {
		t.Helper()
		v, err := s.Publish(ctx, datasets.NewVersion{Workbook: wb, Dataset: d, Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		published[v.Number] = wb
	}
	pub(wbA, d)
	if n := countBlobs(t, s); n != 2 {
		t.Fatalf("after one publish: %d blobs, want 2 (workbook, dataset)", n)
	}
	size, _ := s.Size(ctx)
	for range 20 {
		pub(wbA, d)
	}
	if n := countBlobs(t, s); n != 2 {
		t.Errorf("after 20 identical publishes: %d blobs, want 2", n)
	}
	if grown, _ := s.Size(ctx); grown-size > 8<<10 {
		t.Errorf("20 identical publishes grew the store by %d bytes", grown-size)
	}
	d2 := cloneDataset(d)
	d2.Observations[0].Value++
	pub(wbB, d2) // a change: one new workbook, one new dataset
	pub(wbA, d)  // back to A: nothing new
	if n := countBlobs(t, s); n != 4 {
		t.Errorf("after a change and a change back: %d blobs, want 4", n)
	}
	for n, want := range published {
		got, err := s.Workbook(ctx, n)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("version %d: workbook differs from what was published (%v)", n, err)
		}
		v, ds, err := s.Version(ctx, n)
		if err != nil || v.Size != len(want) || v.SHA256 != hash(want) {
			t.Errorf("Version(%d) = %+v, %v", n, v, err)
		}
		wantDS := d
		if bytes.Equal(want, wbB) {
			wantDS = d2
		}
		if !sameDataset(t, ds, wantDS) {
			t.Errorf("version %d: dataset differs from what was published", n)
		}
	}
}

// TestListVersionsPages: pages by cursor and by offset, newest first.
func TestListVersionsPages(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	if _, err := s.PublishRepeated(ctx, datasets.NewVersion{Workbook: []byte("wb"), Dataset: datasets.MustDefault(), Author: "t"}, 120); err != nil {
		t.Fatal(err)
	}
	numbers := func(vs []datasets.VersionInfo) []int {
		var out []int
		for _, v := range vs {
			out = append(out, v.Number)
		}
		return out
	}
	page, err := s.ListVersions(ctx, datasets.VersionQuery{Limit: 3})
	if err != nil || !reflect.DeepEqual(numbers(page), []int{120, 119, 118}) || !page[0].Current || page[1].Current {
		t.Errorf("first page = %v, %v", numbers(page), err)
	}
	page, _ = s.ListVersions(ctx, datasets.VersionQuery{Before: 118, Limit: 3})
	if !reflect.DeepEqual(numbers(page), []int{117, 116, 115}) {
		t.Errorf("page before 118 = %v", numbers(page))
	}
	page, _ = s.ListVersions(ctx, datasets.VersionQuery{Before: 3, Limit: 50})
	if !reflect.DeepEqual(numbers(page), []int{2, 1}) {
		t.Errorf("last page = %v", numbers(page))
	}
	page, _ = s.ListVersions(ctx, datasets.VersionQuery{Offset: 100, Limit: 50})
	if len(page) != 20 || page[0].Number != 20 || page[19].Number != 1 {
		t.Errorf("page at offset 100 = %v", numbers(page))
	}
	all, _ := s.Versions(ctx)
	if len(all) != 120 {
		t.Errorf("Versions = %d entries", len(all))
	}
	if n, _ := s.CountVersions(ctx, 0); n != 120 {
		t.Errorf("CountVersions(0) = %d", n)
	}
	if n, _ := s.CountVersions(ctx, 100); n != 20 {
		t.Errorf("CountVersions(100) = %d", n)
	}
}

// TestRemoveVersions: removed versions and the blobs only they used are
// gone; the current and the first version are never removed; numbers
// are not reused; what is kept still reads back.
func TestRemoveVersions(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	d := datasets.MustDefault()
	for i := 1; i <= 6; i++ {
		di := cloneDataset(d)
		di.Observations[0].Value = float64(i)
		if _, err := s.Publish(ctx, datasets.NewVersion{Workbook: []byte(fmt.Sprintf("wb%d", i)), Dataset: di, Author: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	// Version 7 repeats version 3's workbook and dataset.
	_, d3, _ := s.Version(ctx, 3)
	if _, err := s.Publish(ctx, datasets.NewVersion{Workbook: []byte("wb3"), Dataset: d3, Author: "t", RestoredFrom: 3}); err != nil {
		t.Fatal(err)
	}
	if n := countBlobs(t, s); n != 12 {
		t.Fatalf("%d blobs, want 12", n)
	}
	removed, err := s.RemoveVersions(ctx, []int{1, 2, 3, 4, 7, 99})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, v := range removed {
		got = append(got, v.Number)
	}
	if !reflect.DeepEqual(got, []int{2, 3, 4}) {
		t.Errorf("removed %v, want [2 3 4] (1 is the first, 7 current, 99 absent)", got)
	}
	// 2 and 4 took their blobs with them; 3's are still version 7's.
	if n := countBlobs(t, s); n != 8 {
		t.Errorf("%d blobs after removing, want 8", n)
	}
	for _, n := range []int{2, 3, 4} {
		if _, _, err := s.Version(ctx, n); err == nil {
			t.Errorf("version %d still there", n)
		}
	}
	for _, n := range []int{1, 5, 6, 7} {
		if wb, err := s.Workbook(ctx, n); err != nil || len(wb) == 0 {
			t.Errorf("version %d: %v", n, err)
		}
		if _, _, err := s.Version(ctx, n); err != nil {
			t.Errorf("version %d: %v", n, err)
		}
	}
	if wb, _ := s.Workbook(ctx, 7); string(wb) != "wb3" {
		t.Errorf("version 7's workbook = %q", wb)
	}
	v, err := s.Publish(ctx, datasets.NewVersion{Workbook: []byte("wb8"), Dataset: d, Author: "t"})
	if err != nil || v.Number != 8 {
		t.Errorf("the next publish = %d, %v; want 8", v.Number, err)
	}
}

func TestRetentionExpired(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var vs []datasets.VersionInfo // newest first, one a day
	for n := 10; n >= 1; n-- {
		vs = append(vs, datasets.VersionInfo{Number: n, CreatedAt: now.AddDate(0, 0, n-10), Current: n == 10})
	}
	cases := []struct {
		r     datasets.Retention
		inUse []int
		want  []int
	}{
		{datasets.Retention{}, nil, nil},
		{datasets.Retention{KeepVersions: 3}, nil, []int{2, 3, 4, 5, 6, 7}},
		{datasets.Retention{KeepVersions: 1}, []int{4, 5}, []int{2, 3, 6, 7, 8, 9}},
		{datasets.Retention{KeepAge: 72 * time.Hour}, nil, []int{2, 3, 4, 5, 6, 7}},
		{datasets.Retention{KeepVersions: 5, KeepAge: 24 * time.Hour}, nil, []int{2, 3, 4, 5}},
		{datasets.Retention{KeepVersions: 100}, nil, nil},
	}
	for _, c := range cases {
		got := c.r.Expired(vs, now, func(n int) bool {
			for _, u := range c.inUse {
				if u == n {
					return true
				}
			}
			return false
		})
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s (in use %v): %v, want %v", c.r, c.inUse, got, c.want)
		}
	}
	if got := datasets.Ranges([]int{2, 3, 4, 7, 9, 10}); got != "2-4, 7, 9-10" {
		t.Errorf("Ranges = %q", got)
	}
}

// TestMigration0003MovesEveryVersion: a store of the schema before 0003
// with many versions, some sharing bytes, migrates to blobs with every
// workbook, dataset and formula count intact, each content stored once,
// and the space the old columns took given back.
func TestMigration0003MovesEveryVersion(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	steps := mustSteps(t)
	old, err := openWith(dir, steps[:2])
	if err != nil {
		t.Fatal(err)
	}
	tx, err := old.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	wbs := map[int][]byte{}
	dss := map[int]*stats.Dataset{}
	for i := 1; i <= n; i++ {
		wb := bytes.Repeat([]byte{byte(i % 100)}, 40000) // 100 distinct workbooks
		wb = append(wb, byte(i%100), byte(i/100%256))
		wb = wb[:40001]
		d := datasets.MustDefault()
		d.Observations[0].Value = float64(i % 7) // 7 distinct datasets
		ds, err := datasets.MarshalStorage(d)
		if err != nil {
			t.Fatal(err)
		}
		var formulas any // 0002's count: unknown for a third, 0 or i otherwise
		if i%3 != 0 {
			formulas = i % 2 * i
		}
		if _, err := tx.Exec(`INSERT INTO versions (number, created_at, author, comment, sha256, workbook, dataset, formulas) VALUES (?, ?, 'a', '', ?, ?, ?, ?)`,
			i, now(), hash(wb), wb, string(ds), formulas); err != nil {
			t.Fatal(err)
		}
		wbs[i], dss[i] = wb, d
	}
	if _, err := tx.Exec(`INSERT INTO current (id, version) VALUES (1, ?)`, n); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	before, _ := old.Size(ctx)
	old.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 1; i <= n; i++ {
		wb, err := s.Workbook(ctx, i)
		if err != nil || !bytes.Equal(wb, wbs[i]) {
			t.Fatalf("version %d: workbook not as published (%v)", i, err)
		}
		v, d, err := s.Version(ctx, i)
		wantFormulas := i % 2 * i
		if i%3 == 0 {
			wantFormulas = -1
		}
		if err != nil || !sameDataset(t, d, dss[i]) || v.Size != len(wbs[i]) || v.SHA256 != hash(wbs[i]) || v.Current != (i == n) || v.Formulas != wantFormulas {
			t.Fatalf("version %d = %+v, %v; dataset equal %v", i, v, err, sameDataset(t, d, dss[i]))
		}
	}
	if c := countBlobs(t, s); c != 100+7 {
		t.Errorf("%d blobs, want 107 (100 workbooks, 7 datasets)", c)
	}
	after, _ := s.Size(ctx)
	if after > before/2 {
		t.Errorf("the store is %d bytes after migrating, %d before: the space was not given back", after, before)
	}
}
