package cgroup

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/golxc/golxc/internal/log"
)

// killWait bounds how long Destroy waits for killed processes to leave.
const killWait = 5 * time.Second

// Destroy kills what is left in the payload (thawing it first, as frozen
// tasks cannot die), waits for the processes to go, removes the payload
// cgroups depth first (sub-cgroups the container made included), then moves
// the monitor process to the pivot cgroup (lxc.pivot, kept like LXC does)
// and removes the monitor cgroups. Calling it again is harmless.
func (c *Container) Destroy() error {
	var errs []error
	if len(c.lim) > 0 {
		if err := c.killPayload(); err != nil {
			errs = append(errs, err)
		}
		for _, h := range c.l.Hierarchies {
			if d, ok := c.lim[h]; ok {
				if err := pruneTree(d); err != nil {
					errs = append(errs, err)
				} else {
					log.Tracef("Removed cgroup tree %s", d)
				}
			}
		}
	}
	if len(c.mon) > 0 {
		if c.monitorPid > 0 {
			if err := c.pivotMonitor(); err != nil {
				errs = append(errs, err)
			}
		}
		for _, h := range c.l.Hierarchies {
			if d, ok := c.mon[h]; ok {
				if err := pruneTree(d); err != nil {
					errs = append(errs, err)
				} else {
					log.Tracef("Removed cgroup tree %s", d)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// killPayload SIGKILLs every payload process until none is left. With a
// freezer the payload is frozen around the first kill so forking tasks
// cannot outrun it; it is always left thawed so the kills land.
func (c *Container) killPayload() error {
	pids, err := c.Pids()
	if err != nil || len(pids) == 0 {
		return err
	}
	log.Debugf("Killing %d processes left in the payload cgroup", len(pids))
	if c.drv.canFreeze(c) {
		if err := c.drv.freeze(c, time.Second, nil); err == nil {
			log.Tracef("Froze the payload cgroup: killing its processes")
			_ = c.KillAll(syscall.SIGKILL)
		} else {
			log.Debugf("Could not freeze the payload cgroup before the kill: %v", err)
		}
	}
	// Thaw sub-cgroups too: the container may have frozen one itself.
	if err := c.ThawAll(); err != nil {
		return err
	}
	log.Tracef("Thawed the payload cgroup and its sub-cgroups so the kills land")
	ok, err := pollUntil(killWait, func() (bool, error) {
		// A task that still runs could have frozen a cgroup again.
		_ = c.ThawAll()
		if err := c.KillAll(syscall.SIGKILL); err != nil {
			return false, err
		}
		pids, err := c.Pids()
		return len(pids) == 0, err
	})
	if err != nil {
		return err
	}
	if !ok {
		pids, _ := c.Pids()
		return fmt.Errorf("destroy cgroups: processes %v still in the payload after SIGKILL and %v (stuck in uninterruptible sleep?)", pids, killWait)
	}
	return nil
}

// pivotMonitor moves the monitor process out of the monitor cgroup into
// the pivot cgroup so that the monitor cgroup can be removed.
func (c *Container) pivotMonitor() error {
	var errs []error
	pid := strconv.Itoa(c.monitorPid)
	for _, h := range c.l.Hierarchies {
		if _, ok := c.mon[h]; !ok {
			continue
		}
		base := c.baseDir(h)
		cpusetV1 := !h.Unified && h.Has("cpuset")
		if _, err := mkTree(base, c.n.pivot, cpusetV1, true); err != nil {
			errs = append(errs, fmt.Errorf("create pivot cgroup: %w", err))
			continue
		}
		err := writeFile(filepath.Join(base, c.n.pivot, "cgroup.procs"), pid)
		if err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("move monitor %s to %s: %w", pid, filepath.Join(base, c.n.pivot), err))
		}
	}
	c.monitorPid = 0
	return errors.Join(errs...)
}
