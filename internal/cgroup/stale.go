package cgroup

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// AllDirs lists every directory this container created (payload limit
// cgroups and monitor cgroups, one per hierarchy), for a record that lets
// RemoveStale clean up after a monitor that was killed.
func (c *Container) AllDirs() []string {
	var out []string
	for _, m := range []map[string]string{c.LimitPaths(), c.MonitorPaths()} {
		for _, d := range m {
			out = append(out, d)
		}
	}
	return out
}

// RemoveStale removes cgroups a dead monitor left behind: whatever still
// runs in them (an init whose parent-death signal was cleared by a setuid
// exec, its children) is thawed and killed, then the trees are pruned.
// Only directories below mount points of cgroup hierarchies are touched.
func RemoveStale(l *Layout, dirs []string) error {
	var errs []error
	var ok []string
	for _, d := range dirs {
		if !underHierarchy(l, d) {
			errs = append(errs, fmt.Errorf("stale cgroup %q is not below a cgroup hierarchy; left alone", d))
			continue
		}
		ok = append(ok, d)
	}
	// Thaw everywhere first: a frozen task cannot die, whichever
	// hierarchy its pid is read from.
	for _, d := range ok {
		thawTree(d)
	}
	for _, d := range ok {
		if err := killTree(d); err != nil {
			errs = append(errs, err)
		}
	}
	for _, d := range ok {
		if err := pruneTree(d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// thawTree thaws dir on v1 (freezer.state) and v2 (cgroup.freeze); the
// file that does not apply is simply absent.
func thawTree(dir string) {
	_ = writeFile(filepath.Join(dir, "freezer.state"), "THAWED")
	_ = writeFile(filepath.Join(dir, "cgroup.freeze"), "0")
}

func underHierarchy(l *Layout, d string) bool {
	d = filepath.Clean(d)
	if strings.Contains(d, "..") {
		return false
	}
	for _, h := range l.Hierarchies {
		if strings.HasPrefix(d, h.Mount+"/") {
			return true
		}
	}
	return false
}

// killTree SIGKILLs every process below dir until none is left.
func killTree(dir string) error {
	deadline := time.Now().Add(killWait)
	for {
		seen := map[int]bool{}
		if err := collectPids(dir, seen); err != nil {
			return err
		}
		if len(seen) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("stale cgroup %s: processes still running after SIGKILL", dir)
		}
		for p := range seen {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
