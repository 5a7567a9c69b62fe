package xlsxtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bilateral/bilateral/internal/testtool"
)

// Python is Debian's interpreter, where python3-openpyxl installs.
const Python = "/usr/bin/python3"

// needTool skips the test when a program is missing, or fails it when
// BILATERAL_REQUIRE_TOOLS=1 (as in CI, where a skip would hide a gap).
func needTool(tb testing.TB, what, pkg string, ok bool) {
	tb.Helper()
	if !ok {
		testtool.MissingPackage(tb, what, pkg)
	}
}

func runTool(tb testing.TB, name string, args ...string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testtool.Timeout(3*time.Minute))
	defer cancel()
	if out, err := exec.CommandContext(ctx, name, args...).CombinedOutput(); err != nil {
		tb.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// SavedByOpenpyxl opens a workbook with openpyxl and saves it again, so
// that every part is rewritten by openpyxl's own writer.
func SavedByOpenpyxl(tb testing.TB, data []byte) []byte {
	tb.Helper()
	needTool(tb, "python3-openpyxl", "python3-openpyxl", exec.Command(Python, "-c", "import openpyxl").Run() == nil)
	dir := tb.TempDir()
	in, out := filepath.Join(dir, "in.xlsx"), filepath.Join(dir, "out.xlsx")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	runTool(tb, Python, "-c", "import sys, openpyxl; openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])", in, out)
	b, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// SavedByLibreOffice converts a workbook with LibreOffice Calc (headless)
// to OpenDocument and back to .xlsx, as an analyst using LibreOffice would
// save it.
func SavedByLibreOffice(tb testing.TB, data []byte) []byte {
	tb.Helper()
	bin, err := exec.LookPath("soffice")
	needTool(tb, "LibreOffice (soffice)", "libreoffice-calc", err == nil)
	dir := tb.TempDir()
	profile := "-env:UserInstallation=file://" + filepath.Join(dir, "profile")
	in := filepath.Join(dir, "dataset.xlsx")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	runTool(tb, bin, profile, "--headless", "--norestore", "--convert-to", "ods", "--outdir", filepath.Join(dir, "ods"), in)
	runTool(tb, bin, profile, "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", filepath.Join(dir, "back"), filepath.Join(dir, "ods", "dataset.ods"))
	b, err := os.ReadFile(filepath.Join(dir, "back", "dataset.xlsx"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// EditedByOpenpyxl opens a workbook with openpyxl, runs a Python snippet
// on it as an analyst's script would (the workbook is wb; helpers
// row(sheet, {header: value}) appends a row by header names, find(sheet,
// header, value) returns the first data row whose column holds value,
// and col(sheet, header) a column's letter), and returns the saved file.
func EditedByOpenpyxl(tb testing.TB, data []byte, script string) []byte {
	tb.Helper()
	needTool(tb, "python3-openpyxl", "python3-openpyxl", exec.Command(Python, "-c", "import openpyxl").Run() == nil)
	dir := tb.TempDir()
	in, out, py := filepath.Join(dir, "in.xlsx"), filepath.Join(dir, "out.xlsx"), filepath.Join(dir, "edit.py")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	prog := `import sys, openpyxl
from openpyxl.utils import get_column_letter
wb = openpyxl.load_workbook(sys.argv[1])
def headers(sheet):
    return [c.value for c in wb[sheet][1]]
def col(sheet, header):
    return get_column_letter(headers(sheet).index(header) + 1)
def row(sheet, values):
    h = headers(sheet)
    wb[sheet].append([values.get(x) for x in h])
def find(sheet, header, value):
    c = headers(sheet).index(header)
    for r in range(2, wb[sheet].max_row + 1):
        if wb[sheet].cell(row=r, column=c + 1).value == value:
            return r
    raise Exception("no %s with %s = %r" % (sheet, header, value))
` + script + `
wb.save(sys.argv[2])
`
	if err := os.WriteFile(py, []byte(prog), 0o600); err != nil {
		tb.Fatal(err)
	}
	runTool(tb, Python, py, in, out)
	b, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
