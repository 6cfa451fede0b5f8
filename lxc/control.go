package lxc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/lock"
)

func mayControl(dir string) bool {
	if os.Geteuid() == 0 {
		return true
	}
	st, err := os.Stat(dir)
	if err != nil {
		return os.IsNotExist(err)
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) == os.Geteuid() {
		return true
	}
	// A user's idmapped container: the directory belongs to the
	// container's root (lxc.idmap), its config to the user.
	st, err = os.Lstat(filepath.Join(dir, "config"))
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == os.Geteuid()
}

// lockDisk takes the per-container disk lock (LXC's RUNDIR/lxc/lock/...)
// that create, destroy and the monitor's start claim serialise on. It is an
// OFD lock, so it goes away with a holder that dies.
func (c *Container) lockDisk() (func(), error) {
	l := lock.Container(config.RuntimeDir(), c.lxcpath, c.name)
	if err := l.Lock(context.Background()); err != nil {
		return nil, fmt.Errorf("lock %s: %w", l.Path(), err)
	}
	return func() { l.Unlock() }, nil
}
