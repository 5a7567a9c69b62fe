package xlsx

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bilateral/bilateral/datasets/schema"
	"github.com/bilateral/bilateral/internal/testtool"
)

// These tests exchange workbooks with real other programs, since analysts
// will: openpyxl writes files the way many scripts do, and LibreOffice
// rewrites every part of a workbook its own way.

// needTool skips the test when a program is missing, or fails it when
// BILATERAL_REQUIRE_TOOLS=1 (as in CI, where a skip would hide a gap).
func needTool(t *testing.T, what, pkg string, ok bool) {
	t.Helper()
	if !ok {
		testtool.MissingPackage(t, what, pkg)
	}
}

// run runs a program with a deadline and fails the test with its output.
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testtool.Timeout(3*time.Minute))
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// python is Debian's interpreter, which is where python3-openpyxl installs.
const python = "/usr/bin/python3"

func havePythonOpenpyxl() bool {
	return exec.Command(python, "-c", "import openpyxl").Run() == nil
}

// openpyxlScript writes the mini workbook in our format, with real date
// cells; with the argument "formula" Observations!C2 holds a formula, which
// openpyxl saves without a result.
const openpyxlScript = `
import datetime, sys
from openpyxl import Workbook

wb = Workbook()
readme = wb.active
readme.title = "README"
readme.append(["Sheet", "Column", "What it means"])

def sheet(name, rows):
    ws = wb.create_sheet(name)
    for r in rows:
        ws.append(r)
    return ws

sheet("Metadata", [
    ["Field", "Value"],
    ["Title", "Mini"],
    ["Description", None],
    ["Reporter code", "US"],
    ["Reporter name", "United States"],
    ["Partner code", "KR"],
    ["Partner name", "대한민국"],
    ["As of", datetime.date(2025, 3, 31)],
])
sheet("Sources", [
    ["ID", "Organisation", "Title", "Published", "URL", "Note"],
    ["bea", "BEA", "Trade", "n.d.", "https://www.bea.gov/", None],
    ["kita", "KITA", "Stats", datetime.datetime(2024, 6, 20), "https://stat.kita.net/", "in USD"],
])
sheet("Series", [
    ["ID", "Name", "Unit", "Basis", "Reported by", "Description"],
    ["exports", "Exports", "USD billion", "BOP", "US", None],
    ["imports", "Imports", "USD billion", "BOP", "US", "BEA and KITA figures on one basis."],
])
obs = sheet("Observations", [
    ["Series", "Year", "Value", "Source", "Note"],
    ["exports", 2020, 51.2, "bea", None],
    ["exports", 2021, 65.3, "bea", None],
    ["imports", 2020, 76, "bea", None],
    ["imports", 2021, 95.1, "kita", "prelim"],
])
sheet("Projects", [
    ["Company", "Amount (USD million)", "City", "State", "Year announced", "Sector", "Jobs", "In state totals", "Source", "Note"],
    ["Hyundai", 5540, "Ellabell", "Georgia", 2022, "EV", "8,100", True, "kita", None],
])
sheet("Facts", [
    ["Key", "Label", "Value", "Qualifier", "Unit", "Year", "Source", "Note"],
    ["us-companies", "American companies in Korea", 800, "more than", "companies", 2024, "kita", None],
])
sheet("Charts", [
    ["ID", "Section", "Order", "Kind", "Title", "Subtitle", "From year", "To year", "Summary", "Notes", "Alt text",
     "Axis 1 name", "Axis 1 unit", "Axis 1 min", "Axis 1 max", "Axis 1 inverted", "Axis 1 whole numbers",
     "Axis 2 name", "Axis 2 unit", "Axis 2 min", "Axis 2 max", "Axis 2 inverted", "Axis 2 whole numbers", "Geometry"],
    ["trade", "trade", 10, "bar", "Trade", "USD billion"],
])
sheet("Chart series", [
    ["Chart", "Series", "Computed", "Role", "Axis", "Colour", "Label"],
    ["trade", "exports", None, None, None, "blue", "Exports"],
])
sheet("Text", [
    ["Section", "Order", "Heading", "Menu label", "Body", "Chart"],
    ["trade", 1, "Trade", "Trade", "Exports were {{latest exports}}.", "trade"],
])
if len(sys.argv) > 2 and sys.argv[2] == "formula":
    obs["C2"] = "=50+1.2"
wb.save(sys.argv[1])
`

func TestDecodeOpenpyxl(t *testing.T) {
	needTool(t, "python3-openpyxl (for "+python+")", "python3-openpyxl", havePythonOpenpyxl())
	dir := t.TempDir()
	script := filepath.Join(dir, "write.py")
	if err := os.WriteFile(script, []byte(openpyxlScript), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		variant string
		want    []want
	}{
		{name: "values", variant: "values"},
		{name: "formula without result", variant: "formula", want: []want{{"Observations", "C2", "formula but no saved result"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.variant+".xlsx")
			run(t, python, script, out, tc.variant)
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Decode(data, DefaultLimits())
			if tc.want != nil {
				got := issuesOf(t, err)
				if len(got) != len(tc.want) || !tc.want[0].matches(got[0]) {
					t.Errorf("Decode(openpyxl %s) issues:\n%swant %v", tc.name, issueList(got), tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode(openpyxl %s) = %v, want no error\n%s", tc.name, err, issueList(issuesOf(t, err)))
			}
			w := miniDataset()
			w.Meta.Partner.Name = "대한민국"
			if !reflect.DeepEqual(res.Dataset, w) {
				t.Errorf("Decode(openpyxl %s) differs:\n%s", tc.name, diffDataset(res.Dataset, w))
			}
		})
	}
}

// soffice returns the path of LibreOffice's command, or "".
func soffice() string {
	if p, err := exec.LookPath("soffice"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/soffice"); err == nil {
		return "/usr/bin/soffice"
	}
	return ""
}

// convert converts in with LibreOffice to the given target ("ods", or
// "xlsx:Calc MS Excel 2007 XML") into outDir, using a private profile so
// that parallel runs do not fight over one.
func convert(t *testing.T, bin, profile, in, target, outDir string) {
	t.Helper()
	run(t, bin, "-env:UserInstallation=file://"+profile, "--headless", "--norestore",
		"--convert-to", target, "--outdir", outDir, in)
}

func TestLibreOfficeRoundTrip(t *testing.T) {
	bin := soffice()
	needTool(t, "LibreOffice (soffice)", "libreoffice-calc", bin != "")
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")

	t.Run("xlsx to ods and back", func(t *testing.T) {
		d := sampleDataset()
		in := filepath.Join(dir, "dataset.xlsx")
		if err := os.WriteFile(in, encode(t, d), 0o600); err != nil {
			t.Fatal(err)
		}
		convert(t, bin, profile, in, "ods", filepath.Join(dir, "ods"))
		convert(t, bin, profile, filepath.Join(dir, "ods", "dataset.ods"), "xlsx:Calc MS Excel 2007 XML", filepath.Join(dir, "back"))
		data, err := os.ReadFile(filepath.Join(dir, "back", "dataset.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		res := mustDecode(t, data, DefaultLimits())
		if !reflect.DeepEqual(res.Dataset, d) {
			t.Errorf("Decode(LibreOffice(Encode(d))) differs from d:\n%s", diffDataset(res.Dataset, d))
		}
	})

	// The advice given for a formula without a saved result must work:
	// LibreOffice calculates it and saves the result.
	t.Run("saving again fixes a formula without result", func(t *testing.T) {
		b := miniBook()
		b.set(t, "Observations", "C2", formula{expr: "50+1.2"})
		in := filepath.Join(dir, "formula.xlsx")
		if err := os.WriteFile(in, b.build(t, nil), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(b.build(t, nil), DefaultLimits()); err == nil {
			t.Fatalf("Decode(formula without result) = nil error, want an issue")
		}
		convert(t, bin, profile, in, "xlsx:Calc MS Excel 2007 XML", filepath.Join(dir, "resaved"))
		data, err := os.ReadFile(filepath.Join(dir, "resaved", "formula.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		res := mustDecode(t, data, DefaultLimits())
		if want := miniDataset(); !reflect.DeepEqual(res.Dataset, want) {
			t.Errorf("Decode(resaved) differs:\n%s", diffDataset(res.Dataset, want))
		}
	})
}

// TestOpenpyxlReadOnlySeesEveryRow: openpyxl in read-only mode trusts each
// sheet's declared dimension; Encode must declare the real one, or such a
// reader sees one row.
func TestOpenpyxlReadOnlySeesEveryRow(t *testing.T) {
	needTool(t, "python3-openpyxl", "python3-openpyxl", havePythonOpenpyxl())
	d := sampleDataset()
	in := filepath.Join(t.TempDir(), "d.xlsx")
	if err := os.WriteFile(in, encode(t, d), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", `import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(sum(1 for _ in wb["Observations"].iter_rows()), wb["Observations"].max_column)`, in).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	want := fmt.Sprintf("%d %d", len(d.Observations)+1, len(schema.Lookup("Observations").Columns))
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("openpyxl read-only sees %q rows and columns in Observations, want %q", got, want)
	}
}
