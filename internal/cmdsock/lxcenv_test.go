package cmdsock

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needLXC skips unless the LXC 5.0.2 oracle tools are installed and we are
// root (they create lock directories under /run/lxc).
func needLXC(t *testing.T, tools ...string) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root")
	}
	for _, tool := range tools {
		if _, err := os.Stat("/usr/bin/" + tool); err != nil {
			t.Skipf("/usr/bin/%s not installed", tool)
		}
	}
}

// cleanLXCLocks removes the /run/lxc/lock/LXCPATH directories LXC tools
// create for every lxcpath they touch, and the parents that end up empty.
func cleanLXCLocks(t *testing.T, lxcpath string) {
	const root = "/run/lxc/lock"
	existed := map[string]bool{}
	for d := filepath.Join(root, lxcpath); d != root && d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			existed[d] = true
		}
	}
	t.Cleanup(func() {
		dir := filepath.Join(root, lxcpath)
		if !existed[dir] {
			os.RemoveAll(dir)
		}
		for d := filepath.Dir(dir); d != root && d != "/"; d = filepath.Dir(d) {
			if existed[d] {
				break
			}
			os.Remove(d) // only succeeds when empty
		}
	})
}

// cleanLXCPivot removes the lxc.pivot cgroups a real LXC monitor leaves
// behind, if they did not exist before the test and are empty.
func cleanLXCPivot(t *testing.T) {
	before, _ := filepath.Glob("/sys/fs/cgroup/*/lxc.pivot")
	had := map[string]bool{}
	for _, d := range before {
		had[d] = true
	}
	t.Cleanup(func() {
		after, _ := filepath.Glob("/sys/fs/cgroup/*/lxc.pivot")
		for _, d := range after {
			if !had[d] {
				os.Remove(d)
			}
		}
	})
}

// lxcTool runs /usr/bin/TOOL and returns stdout, stderr and the exit code.
func lxcTool(t *testing.T, tool string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("/usr/bin/"+tool, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return out.String(), errb.String(), code
}
