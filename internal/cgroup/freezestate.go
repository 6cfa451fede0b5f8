package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/golxc/golxc/internal/log"
)

// FreezeState is a freezer state as the kernel reports it, whoever asked
// for it: a host tool, or the container's root writing its own freezer
// cgroup (cgroup:mixed mounts it read-write).
type FreezeState int

const (
	Thawed FreezeState = iota
	Freezing
	Frozen
)

func (s FreezeState) String() string {
	switch s {
	case Freezing:
		return "FREEZING"
	case Frozen:
		return "FROZEN"
	}
	return "THAWED"
}

// v1FreezeState parses freezer.state. A v1 cgroup reads FREEZING or
// FROZEN also when only an ancestor was frozen.
func v1FreezeState(text string) (FreezeState, error) {
	switch strings.TrimSpace(text) {
	case "THAWED":
		return Thawed, nil
	case "FREEZING":
		return Freezing, nil
	case "FROZEN":
		return Frozen, nil
	}
	return Thawed, fmt.Errorf("freezer.state reads %q", strings.TrimSpace(text))
}

// v2FreezeState combines cgroup.freeze (this cgroup asked to freeze) and
// cgroup.events "frozen" (every task stopped, also set when an ancestor
// is frozen).
func v2FreezeState(freeze string, eventsFrozen bool) FreezeState {
	switch {
	case eventsFrozen:
		return Frozen
	case strings.TrimSpace(freeze) == "1":
		return Freezing
	}
	return Thawed
}

// worst is the state that matters to a caller who wants the payload to
// run: frozen in any hierarchy stops it.
func worst(a, b FreezeState) FreezeState {
	if a > b {
		return a
	}
	return b
}

// FreezeState reads the payload's real freezer state from every freezer
// it has (v1 freezer and cgroup2 on a hybrid host): the most frozen wins.
// Reading never blocks on the container's tasks.
func (c *Container) FreezeState() (FreezeState, error) {
	st, found := Thawed, false
	for _, h := range c.l.Hierarchies {
		d, ok := c.lim[h]
		if !ok {
			continue
		}
		s, ok, err := dirFreezeState(h, d)
		if err != nil {
			return Thawed, err
		}
		if ok {
			st, found = worst(st, s), true
		}
	}
	if !found {
		return Thawed, fmt.Errorf("freezer state of %s: no freezer (v1 freezer or cgroup2) for the payload", c.o.Name)
	}
	return st, nil
}

// dirFreezeState reads the freezer state of cgroup directory d of h; ok is
// false when h has no freezer.
func dirFreezeState(h *Hierarchy, d string) (FreezeState, bool, error) {
	if h.Unified {
		freeze, err := readFile(filepath.Join(d, "cgroup.freeze"))
		if errors.Is(err, fs.ErrNotExist) {
			return Thawed, false, nil // the root, or a kernel before 5.2
		}
		if err != nil {
			return Thawed, false, fmt.Errorf("freezer state: %w", err)
		}
		frozen, err := eventsFrozen(d)
		if err != nil {
			return Thawed, false, err
		}
		return v2FreezeState(string(freeze), frozen), true, nil
	}
	if !h.Has("freezer") {
		return Thawed, false, nil
	}
	b, err := readFile(filepath.Join(d, "freezer.state"))
	if err != nil {
		return Thawed, false, fmt.Errorf("freezer state: %w", err)
	}
	s, err := v1FreezeState(string(b))
	if err != nil {
		return Thawed, false, fmt.Errorf("%s: %w", d, err)
	}
	return s, true, nil
}

// ThawAll thaws the payload and every cgroup below it, in each hierarchy
// with a freezer: a container can freeze its own cgroup or a sub-cgroup
// it made, and a frozen task cannot die. Killing a container must never
// depend on who froze it.
func (c *Container) ThawAll() error {
	var errs []error
	for _, h := range c.l.Hierarchies {
		d, ok := c.lim[h]
		if !ok || (!h.Unified && !h.Has("freezer")) {
			continue
		}
		if err := thawSubtree(h, d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// thawSubtree thaws dir and its descendants, parents first. Only the
// error of dir itself counts: sub-cgroups may vanish meanwhile.
func thawSubtree(h *Hierarchy, dir string) error {
	file, val := "freezer.state", "THAWED"
	if h.Unified {
		file, val = "cgroup.freeze", "0"
	}
	err := writeFile(filepath.Join(dir, file), val)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // payload already removed, or no cgroup.freeze
	}
	if err != nil {
		return fmt.Errorf("thaw %s: %w", dir, err)
	}
	ents, rerr := os.ReadDir(dir)
	if rerr != nil {
		return nil
	}
	for _, e := range ents {
		if e.IsDir() {
			_ = thawSubtree(h, filepath.Join(dir, e.Name()))
		}
	}
	return nil
}

// PidFreezeState reads the freezer state of pid's cgroups (any
// hierarchy with a freezer; the most frozen wins). ok is false when the
// process is gone or sits in no freezer.
func PidFreezeState(l *Layout, pid int) (st FreezeState, ok bool) {
	paths, err := pidCgroups(pid)
	if err != nil {
		return Thawed, false
	}
	for _, h := range l.Hierarchies {
		p, found := paths[h.ID]
		if !found {
			continue
		}
		s, has, err := dirFreezeState(h, h.Dir(p))
		if err == nil && has {
			st, ok = worst(st, s), true
		}
	}
	return st, ok
}

// Evict moves pid out of whatever frozen cgroup holds it into the
// caller's own cgroup, in every hierarchy with a freezer: moving a task
// into a thawed cgroup thaws it (v1 and v2 alike). It is meant for our
// own helper processes, already sent SIGKILL, that a container frozen
// under them would otherwise keep alive with the caller's descriptors.
func Evict(l *Layout, pid int) error {
	self, err := pidCgroups(os.Getpid())
	if err != nil {
		return fmt.Errorf("evict pid %d: %w", pid, err)
	}
	var errs []error
	for _, h := range l.Hierarchies {
		p, ok := self[h.ID]
		if !ok || (!h.Unified && !h.Has("freezer")) {
			continue
		}
		procs := filepath.Join(h.Dir(p), "cgroup.procs")
		if err := writeFile(procs, strconv.Itoa(pid)); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("evict pid %d into %s: %w", pid, procs, err))
			continue
		}
		log.Debugf("Moved pid %d into %s so that it thaws and dies", pid, procs)
	}
	return errors.Join(errs...)
}
