package cgroup

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testPrefix marks every cgroup the tests make, so TestMain can prove none
// is left behind without touching other users' (or LXC's) cgroups.
var testPrefix = fmt.Sprintf("gocgt%d", os.Getpid())

func TestMain(m *testing.M) {
	origSelf, _ := os.ReadFile("/proc/self/cgroup")
	pivots := existingPivots()
	code := m.Run()
	if os.Geteuid() == 0 {
		if err := restoreSelf(string(origSelf)); err != nil {
			fmt.Fprintln(os.Stderr, "cgroup tests: move back to the original cgroups:", err)
			code = 1
		}
		removeNewPivots(pivots)
		if left := leftovers(); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "cgroup tests left cgroups behind:\n  %s\n", strings.Join(left, "\n  "))
			for i := len(left) - 1; i >= 0; i-- {
				_ = pruneTree(left[i])
			}
			code = 1
		}
	}
	os.Exit(code)
}

// restoreSelf moves the test process back where it started (CreateMonitor
// moved it into lxc.monitor.*, Destroy into lxc.pivot).
func restoreSelf(orig string) error {
	l, err := Detect()
	if err != nil {
		return err
	}
	lines, err := parseProcCgroup(orig)
	if err != nil {
		return err
	}
	byID := map[int]string{}
	for _, ln := range lines {
		byID[ln.ID] = ln.Path
	}
	for _, h := range l.Hierarchies {
		p, ok := byID[h.ID]
		if !ok {
			continue
		}
		if err := writeFile(filepath.Join(h.Dir(p), "cgroup.procs"), fmt.Sprint(os.Getpid())); err != nil {
			return err
		}
	}
	return nil
}

func existingPivots() map[string]bool {
	m := map[string]bool{}
	l, err := Detect()
	if err != nil {
		return m
	}
	for _, h := range l.Hierarchies {
		if _, err := os.Stat(filepath.Join(h.Mount, pivotName)); err == nil {
			m[filepath.Join(h.Mount, pivotName)] = true
		}
	}
	return m
}

// removeNewPivots removes the lxc.pivot cgroups the tests created; LXC
// keeps them, but these were ours. Busy ones (someone else's monitor
// moved in meanwhile) stay.
func removeNewPivots(before map[string]bool) {
	l, err := Detect()
	if err != nil {
		return
	}
	for _, h := range l.Hierarchies {
		p := filepath.Join(h.Mount, pivotName)
		if !before[p] {
			_ = os.Remove(p)
		}
	}
}

// leftovers lists directories in any hierarchy whose name contains
// testPrefix, parents first.
func leftovers() []string {
	l, err := Detect()
	if err != nil {
		return nil
	}
	var out []string
	for _, h := range l.Hierarchies {
		_ = filepath.WalkDir(h.Mount, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && strings.Contains(d.Name(), testPrefix) {
				out = append(out, p)
				return fs.SkipDir
			}
			return nil
		})
	}
	return out
}
