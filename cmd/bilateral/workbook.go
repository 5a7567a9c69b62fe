package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
	"github.com/bilateral/bilateral/web/charts"
)

// currentDataset reads the current version from the store in dir without
// creating one: an export must not write to the data directory.
func currentDataset(ctx context.Context, dir string) (*stats.Dataset, error) {
	d, _, err := currentVersion(ctx, dir)
	return d, err
}

// currentVersion is currentDataset with the version number, 0 for the
// embedded default.
func currentVersion(ctx context.Context, dir string) (*stats.Dataset, int, error) {
	if _, err := os.Stat(filepath.Join(dir, sqlite.FileName)); err != nil {
		d, err := datasets.Default()
		return d, 0, err
	}
	store, err := sqlite.Open(dir)
	if err != nil {
		return nil, 0, err
	}
	defer store.Close()
	v, d, err := store.Current(ctx)
	if errors.Is(err, datasets.ErrEmpty) {
		d, err := datasets.Default()
		return d, 0, err
	}
	return d, v.Number, err
}

// cmdValidate checks a workbook without publishing it, with the checks an
// upload gets. It prints one line per problem, as Sheet!Cell: message,
// then one per warning, as Sheet!Cell: warning: message, and returns exit
// status 0 when there is no problem (warnings alone do not fail it) and 1
// when there is one. With --json it prints the same as one object:
// {"valid", "errors":[{"sheet","cell","value","message"}],
// "warnings":[{"sheet","cell","code","message"}]}.
func cmdValidate(args []string, stdout io.Writer) error {
	fs := newFlagSet("validate", stdout)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) != 1 {
		return errUsage
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	res, err := xlsx.Decode(data, xlsx.DefaultLimits())
	var verr *xlsx.Error
	if err != nil && !errors.As(err, &verr) {
		return fmt.Errorf("validate %s: %w", pos[0], err)
	}
	var issues []xlsx.Issue
	if verr != nil {
		issues = verr.Issues
	}
	warnings := []schema.Warning{}
	if res != nil && res.Warnings != nil {
		warnings = res.Warnings
	}
	if verr == nil && res != nil {
		warnings = append(warnings, charts.Check(res.Dataset)...)
	}
	if *asJSON {
		type issue struct {
			Sheet   string `json:"sheet"`
			Cell    string `json:"cell"`
			Value   string `json:"value,omitempty"`
			Message string `json:"message"`
		}
		out := struct {
			Valid    bool             `json:"valid"`
			Errors   []issue          `json:"errors"`
			Warnings []schema.Warning `json:"warnings"`
		}{Valid: verr == nil, Errors: []issue{}, Warnings: warnings}
		for _, i := range issues {
			out.Errors = append(out.Errors, issue{i.Sheet, i.Cell, i.Value, i.Message})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("validate: writing the result: %w", err)
		}
	} else {
		var b strings.Builder
		for _, i := range issues {
			b.WriteString(i.String() + "\n")
		}
		for _, w := range warnings {
			b.WriteString(w.String() + "\n")
		}
		if verr == nil {
			d := res.Dataset
			fmt.Fprintf(&b, "%s: valid (%d sources, %d series, %d observations, %d projects, %d facts)\n",
				pos[0], len(d.Sources), len(d.Series), len(d.Observations), len(d.Projects), len(d.Facts))
		}
		if _, err := io.WriteString(stdout, b.String()); err != nil {
			return fmt.Errorf("validate: writing the result: %w", err)
		}
	}
	if verr != nil {
		return exitError{code: 1}
	}
	return nil
}

// cmdExport writes the current dataset as the editing workbook: the
// store's current version, or the embedded default when the data
// directory holds no store yet.
func cmdExport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("export", stdout)
	out := fs.String("o", "", "output file (default: standard output)")
	dataDir := fs.String("data", envDefault("BILATERAL_DATA", "./data"), "data directory")
	if _, err := parseInterleaved(fs, args); err != nil {
		return errUsage
	}
	d, n, err := currentVersion(ctx, *dataDir)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := xlsx.EncodeWith(&buf, d, xlsx.EncodeOptions{ExportedFrom: n}); err != nil {
		return err
	}
	if *out == "" || *out == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}
