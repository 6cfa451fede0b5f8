package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// delegate enables, on a pure v2 host, every available controller in the
// cgroup.subtree_control of base and of each directory between base and
// the leaf rel, so that the leaf gets the controllers' files (LXC's
// __cgfsng_delegate_controllers).
func delegate(base, rel string) error {
	dirs := []string{base}
	parts := strings.Split(rel, "/")
	cur := base
	for _, p := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, p)
		dirs = append(dirs, cur)
	}
	for _, d := range dirs {
		ctrls, err := ReadControllers(d)
		if err != nil {
			return fmt.Errorf("enable controllers in %s: %w", d, err)
		}
		if len(ctrls) == 0 {
			continue
		}
		if enabled(d, ctrls) {
			continue
		}
		v := "+" + strings.Join(ctrls, " +")
		if err := writeFile(filepath.Join(d, "cgroup.subtree_control"), v); err != nil {
			if errors.Is(err, syscall.EBUSY) {
				return fmt.Errorf("enable controllers (%s) in %s: %w: the cgroup has processes of its own (cgroup2 \"no internal processes\" rule); start from a cgroup without processes or set lxc.cgroup.dir", v, d, err)
			}
			return fmt.Errorf("enable controllers (%s) in %s: %w", v, d, err)
		}
	}
	return nil
}

// enabled reports whether all ctrls already appear in subtree_control.
func enabled(dir string, ctrls []string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	if err != nil {
		return false
	}
	have := strings.Fields(string(b))
	return hasAll(have, ctrls)
}
