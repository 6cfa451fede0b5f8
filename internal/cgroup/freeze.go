package cgroup

import (
	"errors"
	"fmt"
	"time"
)

// Freeze stops every process of the payload: v1 freezer.state FROZEN
// (retried until it reads FROZEN), or v2 cgroup.freeze 1 (until
// cgroup.events says frozen 1). timeout <= 0 waits without limit; on
// timeout the payload is thawed again and an error returned.
func (c *Container) Freeze(timeout time.Duration) error {
	if len(c.lim) == 0 {
		return fmt.Errorf("freeze: no payload cgroup")
	}
	return c.drv.freeze(c, timeout, nil)
}

// ErrFreezeCanceled: FreezeCancel gave up because cancel was closed.
var ErrFreezeCanceled = errors.New("freeze canceled")

// FreezeCancel is Freeze that gives up, thawing again, once cancel is
// closed (the monitor cancels a pending freeze when a kill begins: the
// freeze loop re-writes FROZEN and would undo the killer's thaw).
func (c *Container) FreezeCancel(timeout time.Duration, cancel <-chan struct{}) error {
	if len(c.lim) == 0 {
		return fmt.Errorf("freeze: no payload cgroup")
	}
	return c.drv.freeze(c, timeout, cancel)
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Thaw resumes a frozen payload; thawing a running one is a no-op.
func (c *Container) Thaw() error {
	if len(c.lim) == 0 {
		return fmt.Errorf("thaw: no payload cgroup")
	}
	return c.drv.thaw(c)
}

// Frozen reports whether the payload is completely frozen.
func (c *Container) Frozen() (bool, error) {
	if len(c.lim) == 0 {
		return false, fmt.Errorf("freezer state: no payload cgroup")
	}
	return c.drv.frozen(c)
}
