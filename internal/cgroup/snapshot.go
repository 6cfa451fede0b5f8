package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Snapshot is a Container as data, for a monitor that execs itself and
// carries on (monitor hibernation): everything Destroy, Paths, Freeze and
// the other calls need, with hierarchies named by mount point.
type Snapshot struct {
	Options     Options
	Base        map[string]string // base cgroup per hierarchy mount point
	Monitor     string
	Limit       string
	Payload     string
	MonitorPid  int
	DevDefaults bool
}

// ErrDevicesAttached: a cgroup2 device program is attached, whose handle
// a snapshot cannot carry.
var ErrDevicesAttached = errors.New("a cgroup2 device program is attached")

// Snapshot records c; it refuses a container with a cgroup2 device
// program (AddDeviceRule replaces the program it attached).
func (c *Container) Snapshot() (Snapshot, error) {
	c.devMu.Lock()
	rules := len(c.devRules)
	c.devMu.Unlock()
	if rules > 0 {
		return Snapshot{}, ErrDevicesAttached
	}
	s := Snapshot{Options: c.o, Base: map[string]string{}, Monitor: c.monitor, Limit: c.limit,
		Payload: c.payload, MonitorPid: c.monitorPid, DevDefaults: c.devDefaults}
	for h, b := range c.base {
		s.Base[h.Mount] = b
	}
	return s, nil
}

// Restore rebuilds the Container s recorded, on layout l (detected again
// by the process that restores it). Only the hierarchies s recorded are
// kept: a user's container lives in the delegated ones, and the layout
// detected again also lists those it was never made in (the unified one
// on a v1 delegation, the v1 ones on a cgroup2 delegation).
func Restore(l *Layout, s Snapshot) (*Container, error) {
	kept := *l
	kept.Hierarchies = nil
	for _, h := range l.Hierarchies {
		if _, ok := s.Base[h.Mount]; ok {
			kept.Hierarchies = append(kept.Hierarchies, h)
		}
	}
	if len(kept.Hierarchies) != len(s.Base) {
		return nil, fmt.Errorf("cgroup: restore: the recorded hierarchies %v are not all mounted (%d of %d found)", keys(s.Base), len(kept.Hierarchies), len(s.Base))
	}
	c := New(&kept, s.Options)
	for _, h := range kept.Hierarchies {
		c.base[h] = s.Base[h.Mount]
	}
	c.monitor, c.limit, c.payload = s.Monitor, s.Limit, s.Payload
	c.monitorPid, c.devDefaults = s.MonitorPid, s.DevDefaults
	for _, h := range kept.Hierarchies {
		if c.monitor != "" {
			c.mon[h] = c.dir(h, c.monitor)
		}
		if c.limit != "" {
			c.lim[h] = c.dir(h, c.limit)
			c.pay[h] = c.dir(h, c.payload)
		}
	}
	return c, nil
}

// FreezerFiles are the files FreezeState reads for the payload (v1
// freezer.state; cgroup2 cgroup.freeze and cgroup.events): while they read
// the same, so does the freezer state.
func (c *Container) FreezerFiles() []string {
	var files []string
	for _, h := range c.l.Hierarchies {
		d, ok := c.lim[h]
		if !ok {
			continue
		}
		switch {
		case h.Unified:
			for _, f := range []string{"cgroup.freeze", "cgroup.events"} {
				if p := filepath.Join(d, f); fileExists(p) {
					files = append(files, p)
				}
			}
		case h.Has("freezer"):
			files = append(files, filepath.Join(d, "freezer.state"))
		}
	}
	return files
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Layout is the layout the container's cgroups are in (after Restore,
// only the recorded hierarchies).
func (c *Container) Layout() *Layout { return c.l }

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
