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
