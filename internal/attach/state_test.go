package attach

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"
)

// TestNoPackageState: the attach path is steered by its Options only; a
// package variable (a switch one caller sets for everyone) is not
// allowed. Sentinel errors (Err*) are the one exception.
func TestNoPackageState(t *testing.T) {
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range pkgs {
		for file, f := range pkg.Files {
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.VAR {
					continue
				}
				for _, s := range g.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						if !strings.HasPrefix(n.Name, "Err") && n.Name != "_" {
							t.Errorf("%s: package-level var %s: make it an Options field", file, n.Name)
						}
					}
				}
			}
		}
	}
}
