package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/datasets/xlsx/xlsxtest"
	"github.com/bilateral/bilateral/stats"
)

// TestValidateWarnings checks the common warning format on the command
// line: Sheet!Cell: warning: message, after the problems; exit 0 when
// there are only warnings and 1 when there is also a problem; and the JSON
// shape {"sheet","cell","code","message"}.
func TestValidateWarnings(t *testing.T) {
	dir := t.TempDir()
	warned := filepath.Join(dir, "warned.xlsx")
	if err := os.WriteFile(warned, xlsxtest.WithWarnings(t, xlsxtest.Valid(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	wantWarnings := []string{
		`Observations!G1: warning: the column "Checked by" is not part of the Observations sheet and was ignored`,
		"Scratch: warning: this sheet is not part of the format and was ignored",
	}

	out, err := runCmd(t, "", "validate", warned)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if exitCode(err) != 0 {
		t.Fatalf("validate with warnings only: exit %d, want 0\n%s", exitCode(err), out)
	}
	if len(lines) != 3 || !reflect.DeepEqual(sorted(lines[:2]), wantWarnings) || !strings.Contains(lines[2], ": valid (") {
		t.Errorf("validate output =\n%s\nwant the warnings %q, then the valid line", out, wantWarnings)
	}

	out, err = runCmd(t, "", "validate", "--json", warned)
	var res struct {
		Valid    bool             `json:"valid"`
		Errors   []map[string]any `json:"errors"`
		Warnings []map[string]any `json:"warnings"`
	}
	if exitCode(err) != 0 || json.Unmarshal([]byte(out), &res) != nil || !res.Valid || len(res.Errors) != 0 || len(res.Warnings) != 2 {
		t.Fatalf("validate --json with warnings only: exit %d\n%s", exitCode(err), out)
	}
	for _, w := range res.Warnings {
		var keys []string
		for k := range w {
			keys = append(keys, k)
		}
		if want := []string{"cell", "code", "message", "sheet"}; !reflect.DeepEqual(sorted(keys), want) {
			t.Errorf("warning %v has keys %v, want %v", w, sorted(keys), want)
		}
	}
	codes := []string{res.Warnings[0]["code"].(string), res.Warnings[1]["code"].(string)}
	if want := []string{"unknown_column", "unknown_sheet"}; !reflect.DeepEqual(sorted(codes), want) {
		t.Errorf("warning codes = %v, want %v", codes, want)
	}

	// A renamed sheet: a problem (the sheet is missing) and a warning (the
	// renamed one is ignored); both are printed, and the exit status is 1.
	renamed := filepath.Join(dir, "renamed.xlsx")
	var bad []byte
	for _, c := range xlsxtest.Hostile(t) {
		if c.Name == "sheet renamed with a look-alike letter" {
			bad = c.Data
		}
	}
	if bad == nil {
		t.Fatal("xlsxtest has no case of a renamed sheet")
	}
	if err := os.WriteFile(renamed, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, "", "validate", renamed)
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if exitCode(err) != 1 || len(lines) != 2 || !strings.HasPrefix(lines[0], "Observations: the workbook has no sheet named Observations") ||
		lines[1] != "\u041ebservations: warning: this sheet is not part of the format and was ignored" {
		t.Errorf("validate of a renamed sheet: exit %d, want 1, a problem and then a warning; got\n%s", exitCode(err), out)
	}
	out, err = runCmd(t, "", "validate", "--json", renamed)
	res.Warnings, res.Errors = nil, nil
	if exitCode(err) != 1 || json.Unmarshal([]byte(out), &res) != nil || res.Valid || len(res.Errors) != 1 || len(res.Warnings) != 1 || res.Warnings[0]["code"] != "unknown_sheet" {
		t.Errorf("validate --json of a renamed sheet: exit %d\n%s", exitCode(err), out)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestValidateDefaultExportIsClean: the default dataset, exported as the
// editing workbook, passes `bilateral validate` without a single warning,
// data-quality warnings included (issue 11).
func TestValidateDefaultExportIsClean(t *testing.T) {
	dir := t.TempDir()
	wb := filepath.Join(dir, "default.xlsx")
	if out, err := runCmd(t, "", "export", "-o", wb, "--data", filepath.Join(dir, "empty")); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	out, err := runCmd(t, "", "validate", wb)
	if err != nil || strings.Contains(out, "warning") || !strings.Contains(out, ": valid (") {
		t.Errorf("validate on the default export: exit %d\n%s\nwant only the valid line", exitCode(err), out)
	}
}

// TestValidateDataQuality: the data-quality checks reach `bilateral
// validate` as warnings at their cells, and a commercial figure in an
// official series is an error.
func TestValidateDataQuality(t *testing.T) {
	d := datasets.MustDefault()
	d.Sources[0].Title = ""
	d.Sources[1].Published = ""
	for i, o := range d.Observations {
		if o.Series == "us_goods_imports" && o.Year == 2011 {
			d.Observations[i].Status = stats.StatusPreliminary
		}
	}
	dir := t.TempDir()
	wb := filepath.Join(dir, "doubts.xlsx")
	var buf bytes.Buffer
	if err := xlsx.Encode(&buf, d); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wb, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, "", "validate", wb)
	if exitCode(err) != 0 {
		t.Fatalf("validate with doubts: exit %d, want 0\n%s", exitCode(err), out)
	}
	for _, want := range []string{
		"Sources!C2: warning: source state-sed-2020 has no title",
		"Sources!D3: warning: source ustr-korea-2012 has no date",
		"Observations: warning: the chart \"Two-way goods trade as each side records it\" adds us_goods_exports 2011 (official) and us_goods_imports 2011 (preliminary)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate output lacks %q:\n%s", want, out)
		}
	}

	for i, o := range d.Observations {
		if o.Series == "us_goods_exports" && o.Year == 2011 {
			d.Observations[i].Status = stats.StatusCommercial
		}
	}
	buf.Reset()
	if err := xlsx.Encode(&buf, d); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wb, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, "", "validate", wb)
	if exitCode(err) != 1 || !strings.Contains(out, "has an official basis, so it cannot hold a commercial figure") {
		t.Errorf("validate with a commercial figure in an official series: exit %d\n%s\nwant exit 1 and the reason", exitCode(err), out)
	}
}
