package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bilateral/bilateral/datasets/xlsx/xlsxtest"
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
