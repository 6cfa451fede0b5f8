package main

import (
	"os/exec"
	"strings"
	"testing"
)

// make build links golxc and golxc-query with the collector before Go 1.26's
// green tea (GOEXPERIMENT=nogreenteagc, see the Makefile): every span a
// process starts costs one page fault less, about a fifth of lxc-execute's
// and lxc-attach's faults. The experiment goes away in a later Go; the
// Makefile then builds without it, and so does this test's expectation.
func TestMakeBuildUsesTheCheaperCollector(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	probe := exec.Command("go", "env", "GOEXPERIMENT")
	probe.Env = append(probe.Environ(), "GOEXPERIMENT=nogreenteagc")
	known := probe.Run() == nil
	out, err := exec.Command("make", "-C", "../..", "-n", "build").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build: %v\n%s", err, out)
	}
	for _, target := range []string{"./cmd/golxc", "./cmd/golxc-query"} {
		line := ""
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasSuffix(strings.TrimSpace(l), " "+target) {
				line = l
			}
		}
		if line == "" {
			t.Fatalf("make -n build has no build of %s:\n%s", target, out)
		}
		if got := strings.Contains(line, "GOEXPERIMENT=nogreenteagc "); got != known {
			t.Errorf("the toolchain knows nogreenteagc: %v; the build of %s sets it: %v\n%s", known, target, got, line)
		}
	}
}
