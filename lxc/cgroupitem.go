package lxc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
)

// cgroupFile finds cgroup file KEY ("memory.limit_in_bytes") of the running
// container's limiting cgroup by asking its monitor (GET_LIMIT_CGROUP for
// the controller named before the first dot), as LXC's clients do, so it
// also works for containers whose monitor is LXC's.
func (c *Container) cgroupFile(cl *cmdsock.Client, key string) (string, error) {
	l, err := cgroup.Detect()
	if err != nil {
		return "", err
	}
	return cgroupFileIn(l, cl, key)
}

// cgroupFileIn is cgroupFile for a caller that detected the layout already.
func cgroupFileIn(l *cgroup.Layout, cl *cmdsock.Client, key string) (string, error) {
	if key == "" || strings.Contains(key, "/") || key == "." || key == ".." {
		return "", fmt.Errorf("invalid cgroup file name %q", key)
	}
	ctl, _, _ := strings.Cut(key, ".")
	h := l.ForController(ctl)
	ask := ctl
	if l.Mode == cgroup.Unified {
		h, ask = l.Unified(), ""
	}
	if h == nil {
		return "", fmt.Errorf("%s: no mounted cgroup hierarchy has the %q controller", key, ctl)
	}
	rel, err := cl.LimitCgroup(ask)
	if err != nil {
		return "", fmt.Errorf("%s: ask the monitor for the %q cgroup: %w", key, ctl, err)
	}
	return filepath.Join(h.Mount, rel, key), nil
}

func (c *Container) readCgroupFile(key string) (string, error) {
	cl, err := c.client()
	if err != nil {
		return "", err
	}
	defer cl.Close()
	p, err := c.cgroupFile(cl, key)
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func (c *Container) writeCgroupFile(key, value string) error {
	cl, err := c.client()
	if err != nil {
		return err
	}
	defer cl.Close()
	p, err := c.cgroupFile(cl, key)
	if err != nil {
		return err
	}
	return writeExisting(p, value)
}

// writeExisting writes value to an existing (cgroupfs) file in one write,
// so the kernel sees the whole value or reports why it refused it.
func writeExisting(path, value string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(value); err != nil {
		f.Close()
		return fmt.Errorf("write %q to %s: %w", value, path, err)
	}
	return f.Close()
}

// freezeFallback reports that the monitor leaves freezing to the client:
// an LXC monitor on a host that is not pure cgroup2 answers FREEZE and
// UNFREEZE with -ENOENT.
func freezeFallback(err error) bool { return errors.Is(err, unix.ENOENT) }

// freezeV1 is liblxc's client-side freezer for cgroup v1: announce the
// transition to the monitor's state clients and the monitor FIFO, write
// freezer.state, wait until the kernel reports it, then announce the
// result twice (as lxc_freeze/do_freeze_thaw do: FREEZING, FROZEN, FROZEN
// or THAWED, THAWED, RUNNING). A failure announces the old state.
func (c *Container) freezeV1(cl *cmdsock.Client, freeze bool) error {
	during, want, after, failed := cmdsock.FREEZING, cmdsock.FROZEN, cmdsock.FROZEN, cmdsock.RUNNING
	if !freeze {
		during, want, after, failed = cmdsock.THAWED, cmdsock.THAWED, cmdsock.RUNNING, cmdsock.FROZEN
	}
	c.announce(cl, during)
	p, err := c.cgroupFile(cl, "freezer.state")
	if err == nil {
		err = writeExisting(p, want.String())
	}
	if err == nil {
		err = waitFreezer(p, want.String())
	}
	if err != nil {
		c.announce(cl, failed)
		return err
	}
	c.announce(cl, want)
	c.announce(cl, after)
	return nil
}

// waitFreezer polls freezer.state until it reads want (FREEZING turns into
// FROZEN once every task stopped).
func waitFreezer(path, want string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		got := strings.TrimSpace(string(b))
		if got == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s still reads %s a minute after writing %s (a task may be stuck in the kernel)", path, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// announce: the monitor pushes st to lxc-monitor's listeners before it
// answers, then the FIFO gets it, the order of pushreg.Publish.
func (c *Container) announce(cl *cmdsock.Client, st cmdsock.State) {
	_ = cl.ServeStateClients(st)
	cmdsock.SendFIFO(c.lxcpath, cmdsock.Msg{Type: cmdsock.MsgState, Name: c.name, Value: int32(st)})
}
