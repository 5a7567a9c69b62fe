package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/bilateral/bilateral/templates"
)

// TestTemplatesMatchPages checks the templates against the pages that use
// them: every file in templates/ is embedded and parsed by some page, every
// template it defines is reached from "layout" by some page that parses it,
// no page parses two definitions of one name, every file a page lists
// exists, and every page constant has an entry in pageFiles.
func TestTemplatesMatchPages(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "templates"))
	if err != nil {
		t.Fatal(err)
	}
	parsedBy := map[string][]string{} // file -> pages
	for page, files := range pageFiles {
		for _, f := range files {
			parsedBy[f] = append(parsedBy[f], page)
		}
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, ".go") {
			continue
		}
		if _, err := fs.Stat(templates.FS, name); err != nil {
			t.Errorf("templates/%s is not embedded (templates.FS): %v", name, err)
		}
		if len(parsedBy[name]) == 0 {
			t.Errorf("templates/%s is parsed by no page (pageFiles)", name)
		}
	}

	pages, err := parsePages(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	reachedSomewhere := map[string]bool{} // "file\x00template"
	for page, files := range pageFiles {
		reached := reachable(pages[page], "layout")
		definedBy := map[string]string{}
		for _, f := range files {
			defs, err := definitions(f)
			if err != nil {
				t.Errorf("page %q: %v", page, err)
				continue
			}
			for _, d := range defs {
				if other, ok := definedBy[d]; ok {
					t.Errorf("page %q: %q is defined in both %s and %s; one of them is never used", page, d, other, f)
				}
				definedBy[d] = f
				if reached[d] {
					reachedSomewhere[f+"\x00"+d] = true
				}
			}
		}
	}
	for f := range parsedBy {
		defs, err := definitions(f)
		if err != nil {
			continue // reported above
		}
		for _, d := range defs {
			if !reachedSomewhere[f+"\x00"+d] {
				t.Errorf("templates/%s defines %q, which no page that parses it uses", f, d)
			}
		}
	}

	// Page names come from constants; each must be a key of pageFiles, or
	// rendering it fails at run time.
	for name, value := range pageConstants(t) {
		if _, ok := pageFiles[value]; !ok {
			t.Errorf("page constant %s = %q has no entry in pageFiles", name, value)
		}
	}
}

// definitions returns the templates file defines with {{define}} or
// {{block}}, or an error when it does not parse or has content outside them
// (which no page would ever render).
func definitions(file string) ([]string, error) {
	t, err := template.New(file).Funcs(templateFuncs).ParseFS(templates.FS, file)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range t.Templates() {
		if d.Name() == file {
			if d.Tree != nil && !onlySpace(d.Tree.Root) {
				return nil, fmt.Errorf("templates/%s has content outside {{define}}, which no page renders", file)
			}
			continue
		}
		names = append(names, d.Name())
	}
	slices.Sort(names)
	return names, nil
}

// onlySpace reports whether a parsed file's top level is only white space
// (and the {{define}}s, which are not part of its tree).
func onlySpace(n *parse.ListNode) bool {
	for _, c := range n.Nodes {
		tn, ok := c.(*parse.TextNode)
		if !ok || strings.TrimSpace(string(tn.Text)) != "" {
			return false
		}
	}
	return true
}

// reachable returns the names of the templates that executing root in t
// can reach through {{template}} actions.
func reachable(t *template.Template, root string) map[string]bool {
	seen := map[string]bool{}
	var visit func(name string)
	var walk func(n parse.Node)
	visit = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		if d := t.Lookup(name); d != nil && d.Tree != nil {
			walk(d.Tree.Root)
		}
	}
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.TemplateNode:
			visit(n.Name)
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	visit(root)
	return seen
}

// pageConstants returns the package's string constants named page*, by
// name, read from its source.
func pageConstants(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !strings.HasPrefix(id.Name, "page") || len(id.Name) == len("page") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if v, err := strconv.Unquote(lit.Value); err == nil {
							out[id.Name] = v
						}
					}
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("found no page constants in the package's source")
	}
	return out
}
