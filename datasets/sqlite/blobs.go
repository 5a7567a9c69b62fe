package sqlite

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/stats"
)

// Blobs: every workbook and dataset is stored once, in the blobs table,
// under the SHA-256 of its content (migration 0003). Datasets, JSON in the
// storage format, are gzip-compressed; workbooks, zip archives already,
// are stored as they are.

const (
	encIdentity = "identity"
	encGzip     = "gzip"
)

// execer is what both *sql.DB and *sql.Tx offer for writing.
type execer interface {
	querier
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// putBlob stores content under its SHA-256 unless the store holds it
// already, and returns the hash. Content that is there already is not
// encoded again.
func putBlob(ctx context.Context, q execer, content []byte, compress bool) (string, error) {
	h := sum(content)
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM blobs WHERE hash = ?`, h).Scan(&one)
	if err == nil {
		return h, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	enc, data := encIdentity, content
	if compress {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(content)
		if err := zw.Close(); err != nil {
			return "", err
		}
		enc, data = encGzip, buf.Bytes()
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO blobs (hash, encoding, size, data) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
		h, enc, len(content), data); err != nil {
		return "", err
	}
	return h, nil
}

// decodeBlob returns a blob's content and checks it against its hash.
func decodeBlob(hash, enc string, data []byte) ([]byte, error) {
	out := data
	switch enc {
	case encIdentity:
	case encGzip:
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("blob %s: %w", hash, err)
		}
		if out, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("blob %s: %w", hash, err)
		}
	default:
		return nil, fmt.Errorf("blob %s: unknown encoding %q", hash, enc)
	}
	if sum(out) != hash {
		return nil, fmt.Errorf("blob %s: its content does not match its SHA-256: the store is damaged", hash)
	}
	return out, nil
}

// decodeDataset reads a dataset blob.
func decodeDataset(hash, enc string, data []byte) (*stats.Dataset, error) {
	b, err := decodeBlob(hash, enc, data)
	if err != nil {
		return nil, err
	}
	return datasets.UnmarshalStorage(b)
}

// deleteUnreferencedBlobs removes the blobs among hashes that no version
// refers to any more, and returns how many it removed.
func deleteUnreferencedBlobs(ctx context.Context, tx *sql.Tx, hashes map[string]bool) (int, error) {
	if len(hashes) == 0 {
		return 0, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT sha256, dataset_sha256 FROM versions`)
	if err != nil {
		return 0, err
	}
	used := map[string]bool{}
	for rows.Next() {
		var w, d string
		if err := rows.Scan(&w, &d); err != nil {
			rows.Close()
			return 0, err
		}
		used[w], used[d] = true, true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for h := range hashes {
		if used[h] {
			continue
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM blobs WHERE hash = ?`, h)
		if err != nil {
			return n, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// datasetsToBlobs is migration 0003's Go step: it stores each version's
// dataset JSON (the column about to be dropped) as a compressed blob and
// points the version at it. The JSON is stored as it is, byte for byte;
// identical datasets share one blob.
func datasetsToBlobs(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT number FROM versions ORDER BY number`)
	if err != nil {
		return err
	}
	var numbers []int
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		numbers = append(numbers, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range numbers {
		var ds []byte
		if err := tx.QueryRowContext(ctx, `SELECT CAST(dataset AS BLOB) FROM versions WHERE number = ?`, n).Scan(&ds); err != nil {
			return fmt.Errorf("version %d: %w", n, err)
		}
		h, err := putBlob(ctx, tx, ds, true)
		if err != nil {
			return fmt.Errorf("version %d: %w", n, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET dataset_sha256 = ? WHERE number = ?`, h, n); err != nil {
			return fmt.Errorf("version %d: %w", n, err)
		}
	}
	return nil
}

// definitionsIntoDatasets is migration 0004's Go step: every dataset blob
// without chart definitions (stored before they were part of a dataset) is
// replaced by the same dataset with the definitions it was shown with, and
// the versions that referred to it refer to the new blob.
func definitionsIntoDatasets(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT b.hash, b.encoding, b.data FROM versions v JOIN blobs b ON b.hash = v.dataset_sha256`)
	if err != nil {
		return err
	}
	type blob struct {
		hash, enc string
		data      []byte
	}
	var blobs []blob
	for rows.Next() {
		var b blob
		if err := rows.Scan(&b.hash, &b.enc, &b.data); err != nil {
			rows.Close()
			return err
		}
		blobs = append(blobs, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	old := map[string]bool{}
	for _, b := range blobs {
		raw, err := decodeBlob(b.hash, b.enc, b.data)
		if err != nil {
			return err
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(raw, &keys); err != nil {
			return fmt.Errorf("dataset %s: %w", b.hash, err)
		}
		if _, ok := keys["Charts"]; ok {
			continue
		}
		d, err := datasets.UnmarshalStorage(raw) // fills in the definitions of that time
		if err != nil {
			return fmt.Errorf("dataset %s: %w", b.hash, err)
		}
		nb, err := datasets.MarshalStorage(d)
		if err != nil {
			return fmt.Errorf("dataset %s: %w", b.hash, err)
		}
		h, err := putBlob(ctx, tx, nb, true)
		if err != nil {
			return fmt.Errorf("dataset %s: %w", b.hash, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET dataset_sha256 = ? WHERE dataset_sha256 = ?`, h, b.hash); err != nil {
			return fmt.Errorf("dataset %s: %w", b.hash, err)
		}
		old[b.hash] = true
	}
	_, err = deleteUnreferencedBlobs(ctx, tx, old)
	return err
}

// Size returns the bytes the store's pages take (the database file once
// its write-ahead log is checkpointed), for benchmarks and operators.
func (s *Store) Size(ctx context.Context) (int64, error) {
	var pages, size int64
	if err := s.db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, fmt.Errorf("sqlite: size: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		return 0, fmt.Errorf("sqlite: size: %w", err)
	}
	return pages * size, nil
}
