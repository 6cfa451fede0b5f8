package cgroup

import (
	"syscall"
	"time"
)

// hybridDriver composes the two: v1 hierarchies carry the controllers
// (LXC uses the legacy freezer whenever the layout is not pure v2), the v2
// hierarchy takes lxc.cgroup2.* values, cgroup.kill and CLONE_INTO_CGROUP.
// Whatever v1 lacks (no freezer mounted, no cpuacct) falls back to v2.
type hybridDriver struct {
	v1 v1Driver
	v2 v2Driver
}

func (d hybridDriver) pickFreezer(c *Container) driver {
	if !d.v1.canFreeze(c) && d.v2.canFreeze(c) {
		return d.v2
	}
	return d.v1
}

func (d hybridDriver) canFreeze(c *Container) bool {
	return d.v1.canFreeze(c) || d.v2.canFreeze(c)
}

func (d hybridDriver) freeze(c *Container, t time.Duration, cancel <-chan struct{}) error {
	return d.pickFreezer(c).freeze(c, t, cancel)
}

func (d hybridDriver) thaw(c *Container) error { return d.pickFreezer(c).thaw(c) }

func (d hybridDriver) frozen(c *Container) (bool, error) { return d.pickFreezer(c).frozen(c) }

func (d hybridDriver) stats(c *Container) (Stats, error) {
	s, err := d.v1.stats(c)
	if err != nil {
		return s, err
	}
	u, err := d.v2.stats(c)
	if err != nil {
		return s, err
	}
	return s.fillFrom(u), nil
}

func (d hybridDriver) killFast(c *Container, sig syscall.Signal) (bool, error) {
	return d.v2.killFast(c, sig)
}

func (d hybridDriver) applyLegacy(c *Container, kvs []kv) error { return d.v1.applyLegacy(c, kvs) }

func (d hybridDriver) applyUnified(c *Container, kvs []kv) error {
	return d.v2.applyUnified(c, kvs)
}
