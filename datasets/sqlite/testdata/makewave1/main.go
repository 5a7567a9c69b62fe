// Command makewave1 wrote testdata/wave1: a store made by bilateral's
// wave-1 code (commit 2cd495c on main, before numbered migrations), plus
// JSON fixtures of what it held. It is kept for the record and is not
// built by "go build ./..." (it lives under testdata); it compiles only
// against that commit's API. Run it there from the repository root:
//
//	go run ./datasets/sqlite/testdata/makewave1 datasets/sqlite/testdata/wave1
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
)

// Manifest is what the fixtures record besides the datasets.
type Manifest struct {
	Commit   string                 `json:"commit"`
	Versions []datasets.VersionInfo `json:"versions"`
	Upload   struct {
		ID, Author, Filename, SHA256 string
		BaseVersion                  int
		WorkbookSHA256               string
	} `json:"upload"`
	User         string                `json:"user"`
	PasswordHash string                `json:"password_hash"`
	Token        string                `json:"token"`
	TokenName    string                `json:"token_name"`
	SessionHash  string                `json:"session_hash"`
	Session      datasets.Session      `json:"session"`
	Audit        []datasets.AuditEntry `json:"audit"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: makewave1 DIR")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "makewave1:", err)
		os.Exit(1)
	}
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// edited returns the default dataset with the kinds of change an editor
// makes: a revised figure, a new year, a note, a non-ASCII text.
func edited() (*stats.Dataset, error) {
	d, err := datasets.Default()
	if err != nil {
		return nil, err
	}
	d.Observations[0].Value = 123.456789
	d.Observations[1].Note = "Revised — see the 2024 release (수정)"
	last := d.Observations[len(d.Observations)-1]
	last.Year++
	last.Value = 0.1 + 0.2
	d.Observations = append(d.Observations, last)
	d.Projects[0].Counted = !d.Projects[0].Counted
	d.Facts[0].Qualifier = "about"
	return d, nil
}

func encode(d *stats.Dataset) ([]byte, error) {
	var b bytes.Buffer
	err := xlsx.Encode(&b, d)
	return b.Bytes(), err
}

func run(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	s, err := sqlite.Open(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	var m Manifest
	m.Commit = "2cd495c"

	// Version 1: the default dataset, as the server imports it on first start.
	if _, _, err := datasets.Bootstrap(ctx, s); err != nil {
		return err
	}
	m.User, m.PasswordHash = "admin", "$2a$10$wave1wave1wave1wave1wuPq2eRk0s7wQ1bq0mYvI3x5Xc9Yb1Z1e"
	if err := s.AddUser(ctx, m.User, m.PasswordHash); err != nil {
		return err
	}
	s.Audit(ctx, datasets.AuditEntry{Actor: "bilateral", Action: "user_added", Detail: "admin (generated on first start)"})
	m.Token, m.TokenName = "blt_wave1token", "ci"
	if err := s.AddToken(ctx, m.TokenName, hash(m.Token)); err != nil {
		return err
	}
	s.Audit(ctx, datasets.AuditEntry{Actor: "command line", Action: "token_created", Detail: m.TokenName})
	m.SessionHash = hash("wave1-session")
	m.Session = datasets.Session{User: "admin", CSRF: "wave1-csrf", ExpiresAt: time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := s.CreateSession(ctx, m.SessionHash, m.Session); err != nil {
		return err
	}
	s.Audit(ctx, datasets.AuditEntry{Actor: "admin", Action: "login", Remote: "192.0.2.1"})

	// Version 2: an edited workbook, published against version 1.
	d2, err := edited()
	if err != nil {
		return err
	}
	wb2, err := encode(d2)
	if err != nil {
		return err
	}
	if _, err := s.Publish(ctx, datasets.NewVersion{Workbook: wb2, Dataset: d2, Author: "admin", Comment: "2024 figures", BaseVersion: 1}); err != nil {
		return err
	}
	s.Audit(ctx, datasets.AuditEntry{Actor: "admin", Action: "publish", Detail: "version 2 from dataset.xlsx", Remote: "192.0.2.1"})

	// Version 3: version 1 restored, as the server's restore does it.
	wb1, err := s.Workbook(ctx, 1)
	if err != nil {
		return err
	}
	_, d1, err := s.Version(ctx, 1)
	if err != nil {
		return err
	}
	if _, err := s.Publish(ctx, datasets.NewVersion{Workbook: wb1, Dataset: d1, Author: "ci", Comment: "Restored version 1", RestoredFrom: 1}); err != nil {
		return err
	}
	s.Audit(ctx, datasets.AuditEntry{Actor: "ci", Action: "restore", Detail: "version 1 published again as version 3", Remote: "198.51.100.7"})

	// A staged upload waiting for preview: version 2 again.
	m.Upload.Author, m.Upload.Filename, m.Upload.BaseVersion = "admin", "dataset (1).xlsx", 3
	m.Upload.ID, err = s.SaveUpload(ctx, datasets.Upload{Author: m.Upload.Author, Filename: m.Upload.Filename, Workbook: wb2, Dataset: d2, BaseVersion: 3})
	if err != nil {
		return err
	}
	m.Upload.WorkbookSHA256 = hash(string(wb2))
	s.Audit(ctx, datasets.AuditEntry{Actor: "admin", Action: "upload", Detail: "dataset (1).xlsx checked against version 3", Remote: "192.0.2.1"})

	if m.Versions, err = s.Versions(ctx); err != nil {
		return err
	}
	for _, v := range m.Versions {
		_, d, err := s.Version(ctx, v.Number)
		if err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(dir, fmt.Sprintf("version-%d.json", v.Number)), d); err != nil {
			return err
		}
	}
	u, err := s.Upload(ctx, m.Upload.ID)
	if err != nil {
		return err
	}
	m.Upload.SHA256 = u.SHA256
	if err := writeJSON(filepath.Join(dir, "upload.json"), u.Dataset); err != nil {
		return err
	}
	if m.Audit, err = s.AuditLog(ctx, 100); err != nil {
		return err
	}
	return writeJSON(filepath.Join(dir, "manifest.json"), m)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
