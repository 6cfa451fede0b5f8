package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// golxc-query exists to start cheaper than golxc: these packages (the
// container machinery, cgo and what golxc already keeps out) must not
// come back through a new import into internal/query, cli, cmdsock,
// config, cgroup (lxc-info's statistics) or log.
var notInQuery = []string{
	"runtime/cgo", "github.com/golxc/golxc/lxc", "github.com/golxc/golxc/internal/nsexec",
	"github.com/golxc/golxc/internal/spawn", "github.com/golxc/golxc/internal/monitor",
	"github.com/golxc/golxc/internal/tools", "github.com/golxc/golxc/internal/network",
	"github.com/golxc/golxc/internal/rootfs", "github.com/golxc/golxc/internal/attach",
	"regexp", "crypto/", "math/big", "runtime/metrics", "compress/", "debug/elf", "debug/dwarf",
}

func TestQueryBinaryStaysSmall(t *testing.T) {
	cmd := exec.Command("go", "list", "-tags", "netgo,osusergo", "-deps", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, c := range notInQuery {
			if p == strings.TrimSuffix(c, "/") || strings.HasPrefix(p, c) && strings.HasSuffix(c, "/") {
				t.Errorf("golxc-query links %s: find who imports it (go list -f '{{.ImportPath}}: {{.Imports}}' -deps .) and keep it out", p)
			}
		}
	}
}

// make install links these to golxc-query: each must be a tool it runs.
func TestListedToolsAreRun(t *testing.T) {
	for _, tool := range Tools {
		if code := run([]string{tool, "--version"}); code != 0 {
			t.Errorf("%s --version through golxc-query: exit %d", tool, code)
		}
	}
}
