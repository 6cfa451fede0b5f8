package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/golxc/golxc/internal/log"
)

// delegate enables, on a pure v2 host, every available controller in the
// cgroup.subtree_control of base and of each directory between base and
// the leaf rel, so that the leaf gets the controllers' files (LXC's
// __cgfsng_delegate_controllers). When base refuses (EBUSY) and it is the
// caller's own delegated cgroup (mayEvacuate), base's processes first go
// into its leaf "init", as LXC's move_and_delegate_unified does in the
// systemd scope it starts in: cgroup2 lets a cgroup hand controllers down
// only while it has no processes of its own.
func delegate(base, rel string, euid int) error {
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
		err = writeFile(filepath.Join(d, "cgroup.subtree_control"), v)
		evacuate := errors.Is(err, syscall.EBUSY) && mayEvacuate(euid, ownerOf(d), d, base)
		if evacuate {
			if err = evacuateInto(base, "init"); err == nil {
				err = writeFile(filepath.Join(d, "cgroup.subtree_control"), v)
			}
		}
		if err != nil {
			return enableError(v, d, err, euid, d == base, evacuate)
		}
	}
	return nil
}

// enableError says why enabling ctrls in dir failed and what to do. An
// EBUSY after delegate moved dir's processes into its leaf (evacuate:
// mayEvacuate allowed it) means the move did not empty dir; only without
// the move did a non-root caller's base keep them for not being its own.
func enableError(ctrls, dir string, err error, euid int, isBase, evacuate bool) error {
	switch {
	case !errors.Is(err, syscall.EBUSY):
		return fmt.Errorf("enable controllers (%s) in %s: %w", ctrls, dir, err)
	case evacuate:
		return fmt.Errorf("enable controllers (%s) in %s: %w: moving the cgroup's processes into its leaf \"init\" did not empty it (processes kept arriving there, or one could not be moved), and cgroup2 hands controllers down only from a cgroup without processes; stop what starts processes in %s, or start from a cgroup without processes, then start again", ctrls, dir, err, dir)
	case euid != 0 && isBase:
		return fmt.Errorf("enable controllers (%s) in %s: %w: the cgroup has processes of its own (cgroup2 \"no internal processes\" rule) and is not delegated to uid %d (not its owner), so golxc leaves them there; start from a cgroup delegated to you (chown it to you, or systemd's Delegate=yes) or without processes", ctrls, dir, err, euid)
	}
	return fmt.Errorf("enable controllers (%s) in %s: %w: the cgroup has processes of its own (cgroup2 \"no internal processes\" rule); start from a cgroup without processes or set lxc.cgroup.dir", ctrls, dir, err)
}

// mayEvacuate decides whether delegate may move the processes of dir into
// its leaf "init" to get past cgroup2's "no internal processes" rule. Only
// in a user's own delegated cgroup: the caller is not root, dir is the
// base its containers go under (its own cgroup, which holds the caller
// itself), and dir belongs to the caller, as systemd's Delegate=yes and a
// delegation by hand (chown) make it. Root's cgroups, and another user's
// even where their files are writable to the caller, keep their
// processes: those are not the caller's to rearrange. owner is -1 when
// unknown.
func mayEvacuate(euid, owner int, dir, base string) bool {
	return euid != 0 && owner == euid && dir == base
}

// ownerOf is the uid owning dir, -1 when it cannot be read.
func ownerOf(dir string) int {
	st, err := os.Stat(dir)
	if err != nil {
		return -1
	}
	return int(st.Sys().(*syscall.Stat_t).Uid)
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

// evacuateInto moves every process of base into its child leaf (made if
// need be), a few rounds in case one forks meanwhile (a child starts in
// its parent's cgroup, so it follows on the next round).
func evacuateInto(base, leaf string) error {
	dst := filepath.Join(base, leaf)
	if err := os.Mkdir(dst, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("make leaf cgroup %s: %w", dst, err)
	}
	for round := 0; round < 5; round++ {
		pids, err := readPids(filepath.Join(base, "cgroup.procs"))
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			return nil
		}
		for _, pid := range pids {
			err := writeFile(filepath.Join(dst, "cgroup.procs"), strconv.Itoa(pid))
			if err != nil && !errors.Is(err, syscall.ESRCH) {
				return fmt.Errorf("move process %d from %s into its leaf %s: %w", pid, base, dst, err)
			}
		}
		log.Infof("Moved %d process(es) of the delegated cgroup %s into %s, so that it can hand controllers down", len(pids), base, dst)
	}
	return fmt.Errorf("move the processes of %s into %s: they keep coming", base, dst)
}

// readPids reads a cgroup.procs file.
func readPids(p string) ([]int, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("list the processes of %s: %w", filepath.Dir(p), err)
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	return pids, nil
}

// evacuatedBase is the delegated cgroup a user's process runs under when
// an earlier start moved it into the leaf "init" (evacuateInto): its
// containers go next to the others there, not one level deeper each time.
func evacuatedBase(h *Hierarchy, self string) string {
	if path.Base(self) != "init" || self == "/init" {
		return self
	}
	parent := path.Dir(self)
	if notDelegated(h, h.Dir(parent)) != "" {
		return self
	}
	return parent
}
