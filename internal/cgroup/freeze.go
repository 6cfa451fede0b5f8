package cgroup

import (
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
	return c.drv.freeze(c, timeout)
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
