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

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/sqlite"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
)

// currentDataset reads the current version from the store in dir without
// creating one: an export must not write to the data directory.
func currentDataset(ctx context.Context, dir string) (*stats.Dataset, error) {
	if _, err := os.Stat(filepath.Join(dir, sqlite.FileName)); err != nil {
		return datasets.Default()
	}
	store, err := sqlite.Open(dir)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	_, d, err := store.Current(ctx)
	if errors.Is(err, datasets.ErrEmpty) {
		return datasets.Default()
	}
	return d, err
}

// cmdValidate checks a workbook without publishing it: exit 0 when valid,
// 1 when not, with one line per problem as Sheet!Cell: message.
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
		return err
	}
	if *asJSON {
		type issue struct {
			Sheet   string `json:"sheet"`
			Cell    string `json:"cell"`
			Value   string `json:"value,omitempty"`
			Message string `json:"message"`
		}
		out := struct {
			Valid    bool    `json:"valid"`
			Errors   []issue `json:"errors"`
			Warnings []issue `json:"warnings"`
		}{Valid: verr == nil, Errors: []issue{}, Warnings: []issue{}}
		if verr != nil {
			for _, i := range verr.Issues {
				out.Errors = append(out.Errors, issue{i.Sheet, i.Cell, i.Value, i.Message})
			}
		} else {
			for _, i := range res.Warnings {
				out.Warnings = append(out.Warnings, issue{i.Sheet, i.Cell, i.Value, i.Message})
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		if verr != nil {
			for _, i := range verr.Issues {
				fmt.Fprintln(stdout, i.String())
			}
		} else {
			for _, i := range res.Warnings {
				fmt.Fprintln(stdout, "warning: "+i.String())
			}
			d := res.Dataset
			fmt.Fprintf(stdout, "%s: valid (%d sources, %d series, %d observations, %d projects, %d facts)\n",
				pos[0], len(d.Sources), len(d.Series), len(d.Observations), len(d.Projects), len(d.Facts))
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
	d, err := currentDataset(ctx, *dataDir)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := xlsx.Encode(&buf, d); err != nil {
		return err
	}
	if *out == "" || *out == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}
