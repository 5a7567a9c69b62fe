// Package layout holds tests of the repository's shape: the one-way import
// rule between its packages and the README's "What is where" table.
package layout

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/bilateral/bilateral"

// packages returns each package of the module (tests excluded) with the
// module's packages it imports.
func packages(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		name := strings.TrimPrefix(strings.TrimPrefix(f[0], module), "/")
		pkgs[name] = f[1:]
	}
	return pkgs
}

// TestImportRule: cmd → web → datasets → stats, with chartimage beside web
// and accounts beside datasets; nothing imports upwards.
func TestImportRule(t *testing.T) {
	forbidden := map[string][]string{
		"stats":      {module + "/"},
		"accounts":   {module + "/"},
		"datasets":   {module + "/web", module + "/cmd", module + "/chartimage", "github.com/xuri/excelize"},
		"chartimage": {module + "/web", module + "/cmd", module + "/datasets"},
		"web":        {module + "/cmd"},
	}
	for pkg, imps := range packages(t) {
		for root, bad := range forbidden {
			if pkg != root && !strings.HasPrefix(pkg, root+"/") {
				continue
			}
			if root == "datasets" && strings.HasPrefix(pkg, "datasets/") {
				bad = bad[:3] // subpackages may use excelize (xlsx) but never go up
			}
			for _, imp := range imps {
				for _, b := range bad {
					if strings.HasPrefix(imp, b) && !(root == "stats" && imp == module+"/stats") {
						t.Errorf("%s imports %s: the import rule is cmd → web → datasets → stats (chartimage beside web)", pkg, imp)
					}
				}
			}
		}
	}
}

// TestReadmeLayout: every package directory is in the README's table.
func TestReadmeLayout(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	table := string(readme)
	for pkg := range packages(t) {
		if pkg == "" || strings.HasPrefix(pkg, "internal/") || strings.HasPrefix(pkg, "web/static") || strings.HasPrefix(pkg, "datasets/xlsx/") {
			continue // internal/ is one row; web/static holds the build; xlsxtest is test support
		}
		top := strings.SplitN(pkg, "/", 2)[0]
		if !strings.Contains(table, "| `"+pkg+"`") && !strings.Contains(table, "| `"+pkg+"/`") &&
			!(top == pkg && strings.Contains(table, "`"+top+"/`")) {
			t.Errorf("README's \"What is where\" table has no row for %s", pkg)
		}
	}
}
