package main

import (
	"os/exec"
	"strings"
	"testing"
)

// Packages every golxc process would pay for at start (their package
// init and pages) without needing them: each was taken out once and
// came back unnoticed through a new import. An import that needs one
// should find another way (math/rand/v2 instead of crypto/rand, a
// switch instead of a regexp built at init, ...).
var startCostly = []string{"crypto/", "math/big", "runtime/metrics", "compress/", "debug/elf", "debug/dwarf"}

func TestBinaryKeepsCostlyPackagesOut(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, c := range startCostly {
			if p == strings.TrimSuffix(c, "/") || strings.HasPrefix(p, c) {
				t.Errorf("golxc links %s: find who imports it (go list -f '{{.ImportPath}}: {{.Imports}}' -deps .) and remove it", p)
			}
		}
	}
}
