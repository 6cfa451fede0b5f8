package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// bashCompleter runs golxc's generated completion script (golxc
// completion) in a real bash, with the tools' golxc first in PATH.
type bashCompleter struct {
	t      *testing.T
	script string
}

func newBashCompleter(t *testing.T) *bashCompleter {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	r := mustRun(t, "golxc", "completion")
	script := filepath.Join(t.TempDir(), "golxc.bash")
	if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return &bashCompleter{t: t, script: script}
}

// complete returns the sorted candidates for words, the last one the
// word being completed.
func (c *bashCompleter) complete(words ...string) []string {
	c.t.Helper()
	prog := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); __golxc_complete; ` +
		`[[ ${#COMPREPLY[@]} -gt 0 ]] && printf '%s\n' "${COMPREPLY[@]}"; exit 0`
	r := runPath(c.t, []string{"PATH=" + binDir + ":" + os.Getenv("PATH")}, "/bin/bash",
		append([]string{"-c", prog, "bash", c.script}, words...)...)
	if r.code != 0 || r.stderr != "" {
		c.t.Fatalf("bash completing %q: %s", words, r)
	}
	got := strings.Fields(r.stdout)
	sort.Strings(got)
	return got
}

func (c *bashCompleter) expect(want []string, words ...string) {
	c.t.Helper()
	got := c.complete(words...)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		c.t.Errorf("completing %q: got %q, want %q", words, got, want)
	}
}

// Completion filters real containers by state, from the -P given:
// lxc-attach offers the running one only, lxc-start the stopped one;
// lxc-cgroup offers the running container's cgroup files, then nothing
// for the value.
func TestBashCompletionByState(t *testing.T) {
	needRoot(t)
	c := newBashCompleter(t)
	lp := lxcpath(t)
	running, stopped := "deb-cpl-run", "deb-cpl-stop"
	busybox(t, lp, running)
	busybox(t, lp, stopped)
	startRunning(t, lp, running)

	c.expect([]string{running}, "lxc-attach", "-P", lp, "-n", "deb-cpl")
	c.expect([]string{running}, "lxc-attach", "-P", lp, "deb-cpl")
	c.expect([]string{running}, "lxc-attach", "--lxcpath", "=", lp, "-n", "")
	c.expect([]string{running}, "lxc-stop", "-P", lp, "-n", "")
	c.expect([]string{stopped}, "lxc-start", "-P", lp, "-n", "")
	c.expect([]string{running, stopped}, "lxc-info", "-P", lp, "-n", "deb-cpl")
	// Without -P: the default lxcpath, which holds neither.
	c.expect(nil, "lxc-attach", "-n", "deb-cpl")
	c.expect(nil, "lxc-info", "-n", "deb-cpl")

	// lxc-cgroup: running names first, then the state objects of that
	// container's own cgroups (pids.max exists in a child cgroup only,
	// on cgroup v1 as on v2), then nothing: the value is free.
	c.expect([]string{running}, "lxc-cgroup", "-P", lp, "deb-cpl")
	payload := payloadDirs(t, running)
	keys := c.complete("lxc-cgroup", "-P", lp, "-n", running, "")
	if !containsString(keys, "pids.max") {
		t.Errorf("lxc-cgroup -n %s: pids.max not offered: %q", running, keys)
	}
	for _, k := range keys {
		if !fileInAny(payload, k) {
			t.Errorf("lxc-cgroup -n %s offers %s, which is in none of its cgroups %q", running, k, payload)
		}
	}
	if len(keys) != len(uniq(keys)) {
		t.Errorf("lxc-cgroup: state objects offered twice: %q", keys)
	}
	c.expect([]string{"pids.max"}, "lxc-cgroup", "-P", lp, running, "pids.ma")
	c.expect([]string{"pids.max"}, "lxc-cgroup", "-P", lp, "--name", "=", running, "pids.ma")
	c.expect(nil, "lxc-cgroup", "-P", lp, "-n", running, "pids.max", "")
	c.expect(nil, "lxc-cgroup", "-P", lp, running, "pids.max", "")
	// The name given by -n is not taken for a key.
	c.expect(nil, "lxc-cgroup", "-P", lp, "-n", running, "deb-cpl")
}

// payloadDirs are the container's lxc.payload cgroups, one per hierarchy.
func payloadDirs(t *testing.T, name string) []string {
	t.Helper()
	var out []string
	for _, d := range cgroupDirs(name) {
		if strings.HasPrefix(filepath.Base(d), "lxc.payload.") {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no lxc.payload cgroup found", name)
	}
	return out
}

// fileInAny reports whether some directory of dirs (or a cgroup below
// it: lxc.cgroup.dir.container.inner) has the file.
func fileInAny(dirs []string, file string) bool {
	for _, d := range dirs {
		found := false
		filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && e.Name() == file {
				found = true
				return filepath.SkipAll
			}
			return nil
		})
		if found {
			return true
		}
	}
	return false
}

func uniq(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range list {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
