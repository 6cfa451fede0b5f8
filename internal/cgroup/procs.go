package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Pids lists every process in the payload, sub-cgroups included, in every
// hierarchy (a process may have moved to a sub-cgroup in one only), sorted.
func (c *Container) Pids() ([]int, error) {
	if len(c.lim) == 0 {
		return nil, fmt.Errorf("list payload processes: no payload cgroup")
	}
	seen := map[int]bool{}
	for _, h := range c.l.Hierarchies {
		d, ok := c.lim[h]
		if !ok {
			continue
		}
		if err := collectPids(d, seen); err != nil {
			return nil, err
		}
	}
	out := make([]int, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Ints(out)
	return out, nil
}

func collectPids(dir string, seen map[int]bool) error {
	b, err := readFile(filepath.Join(dir, "cgroup.procs"))
	if errors.Is(err, os.ErrNotExist) {
		return nil // removed under us
	}
	if err != nil {
		return fmt.Errorf("list payload processes: %w", err)
	}
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			seen[n] = true
		}
	}
	if !mayHaveSubdirs(dir) {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("list payload processes: %w", err)
	}
	for _, e := range ents {
		if e.IsDir() {
			if err := collectPids(filepath.Join(dir, e.Name()), seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// KillAll sends sig to every process of the payload. SIGKILL uses
// cgroup.kill where the kernel has it; the per-pid pass after it catches
// processes in v1-only sub-cgroups.
func (c *Container) KillAll(sig syscall.Signal) error {
	if len(c.lim) == 0 {
		return fmt.Errorf("kill payload: no payload cgroup")
	}
	if _, err := c.drv.killFast(c, sig); err != nil {
		return err
	}
	pids, err := c.Pids()
	if err != nil {
		return err
	}
	for _, p := range pids {
		if err := syscall.Kill(p, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("kill payload process %d with %v: %w", p, sig, err)
		}
	}
	return nil
}

// mayHaveSubdirs is false for a directory whose link count says it has no
// subdirectory (2: its entry and its "."; kernfs, cgroupfs's v1 and v2,
// counts subdirectories so): its dozens of control files need no
// listing. Anything else (a filesystem that counts otherwise, an error)
// is listed.
func mayHaveSubdirs(dir string) bool {
	var st syscall.Stat_t
	return syscall.Stat(dir, &st) != nil || st.Nlink != 2
}
