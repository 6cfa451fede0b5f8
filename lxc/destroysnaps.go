package lxc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/storage/rdeps"
)

// snapshotDir is where the container's snapshots live: LXCPATH/NAME/snaps,
// or LXC's legacy LXCPATH+"snaps"/NAME when the directory LXCPATH+"snaps"
// exists.
func (c *Container) snapshotDir() string {
	if st, err := os.Stat(c.lxcpath + "snaps"); err == nil && st.IsDir() {
		return filepath.Join(c.lxcpath+"snaps", c.name)
	}
	return filepath.Join(c.Dir(), "snaps")
}

// DestroyAllSnapshots destroys every snapshot of the container.
func (c *Container) DestroyAllSnapshots() error {
	dir := c.snapshotDir()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "config")); err != nil {
			continue
		}
		if err := destroySnapshotIn(dir, e.Name()); err != nil {
			return err
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		log.Debugf("Keeping %s: %v", dir, err)
	}
	return nil
}

func destroySnapshotIn(dir, name string) error {
	s, err := NewContainer(name, dir)
	if err != nil {
		return err
	}
	if err := s.Destroy(); err != nil {
		return fmt.Errorf("destroy snapshot %s: %w", filepath.Join(dir, name), err)
	}
	return nil
}

// DestroyWithAllSnapshots destroys the container's snapshots, then the
// container (as LXC's destroy_with_snapshots: dependent clones still
// prevent it; see DestroyDependentClones).
func (c *Container) DestroyWithAllSnapshots() error {
	if !c.Defined() {
		return ErrNotDefined
	}
	if err := c.DestroyAllSnapshots(); err != nil {
		return err
	}
	return c.Destroy()
}

// DestroyDependentClones destroys the snapshot clones that depend on the
// container (its lxc_snapshots), as lxc-destroy -s does; each must have no
// clones of its own. Newest first, so a chain recorded in the origin (web,
// then mysite cloned from web) goes in one call.
func (c *Container) DestroyDependentClones() error {
	deps := rdeps.Dependents(c.Dir())
	for i := len(deps) - 1; i >= 0; i-- {
		d := deps[i]
		dc, err := NewContainer(d.Name, d.Path)
		if err != nil || !dc.Defined() {
			continue
		}
		log.Debugf("Destroying %s:%s, a clone of %s", d.Path, d.Name, c.name)
		if err := dc.Destroy(); err != nil {
			return fmt.Errorf("destroy clone %s of %s: %v", d.Name, c.name, err)
		}
	}
	return nil
}
