package cgroup

import (
	"syscall"
	"time"
)

// driver is the per-version behaviour. Hierarchy placement is shared
// (container.go); what differs between v1 and v2 is how a cgroup is frozen,
// how statistics and limits are read and written, and how it is killed.
type driver interface {
	// freeze stops every task of the payload; timeout <= 0 waits forever.
	// cancel (may be nil) aborts the wait and thaws again.
	freeze(c *Container, timeout time.Duration, cancel <-chan struct{}) error
	thaw(c *Container) error
	frozen(c *Container) (bool, error)
	// canFreeze reports whether a freezer exists for the payload.
	canFreeze(c *Container) bool
	stats(c *Container) (Stats, error)
	// killFast signals the whole payload at once when the kernel can
	// (cgroup.kill); false means the caller signals pid by pid.
	killFast(c *Container, sig syscall.Signal) (bool, error)
	// applyLegacy writes lxc.cgroup.* values, applyUnified lxc.cgroup2.*.
	applyLegacy(c *Container, kvs []kv) error
	applyUnified(c *Container, kvs []kv) error
}

// kv is one limit with the config key prefix used in error messages.
type kv struct {
	prefix string // "lxc.cgroup." or "lxc.cgroup2."
	key    string // "memory.limit_in_bytes"
	value  string
}

func newDriver(l *Layout) driver {
	switch l.Mode {
	case Unified:
		return v2Driver{}
	case Hybrid:
		return hybridDriver{}
	}
	return v1Driver{}
}

// pollUntil calls done with growing pauses until it reports true, fails,
// or timeout (> 0) passes.
func pollUntil(timeout time.Duration, done func() (bool, error)) (bool, error) {
	return pollUntilCancel(timeout, nil, done)
}

// pollUntilCancel is pollUntil that also gives up (false) once cancel is
// closed.
func pollUntilCancel(timeout time.Duration, cancel <-chan struct{}, done func() (bool, error)) (bool, error) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	delay := time.Millisecond
	for {
		ok, err := done()
		if ok || err != nil {
			return ok, err
		}
		if timeout > 0 && time.Now().After(deadline) {
			return false, nil
		}
		select {
		case <-cancel:
			return false, nil
		case <-time.After(delay):
		}
		if delay < 50*time.Millisecond {
			delay *= 2
		}
	}
}
