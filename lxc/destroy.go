package lxc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/lock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/mapped"
	"github.com/golxc/golxc/internal/monitor"
	"github.com/golxc/golxc/internal/mountinfo"
	"github.com/golxc/golxc/internal/storage"
	"github.com/golxc/golxc/internal/storage/rdeps"
)

// Destroy removes a stopped container: its rootfs (when golxc manages it)
// and its directory.
func (c *Container) Destroy() (err error) {
	l := lock.Container(config.RuntimeDir(), c.lxcpath, c.name)
	if err := l.Lock(context.Background()); err != nil {
		return fmt.Errorf("lock %s: %w", l.Path(), err)
	}
	defer func() {
		if err != nil {
			l.Unlock()
			return
		}
		// Gone with its container (LXC leaves it): lock files and their
		// directories do not pile up under RUNDIR/lxc/lock.
		log.Debugf("removing the lock file %s", l.Path())
		l.UnlockAndRemove()
	}()
	if !c.Defined() {
		return ErrNotDefined
	}
	log.Tracef("Destroying container %q in %q", c.name, c.lxcpath)
	// A monitor that answers is busy with the container even while its
	// state still reads STOPPED (just claimed it, or tearing down).
	if cmdsock.Answers(c.lxcpath, c.name) {
		return ErrRunning
	}
	if st, err := os.Stat(c.snapshotDir()); err == nil && st.IsDir() {
		if entries, _ := os.ReadDir(c.snapshotDir()); len(entries) > 0 {
			return fmt.Errorf("%w: %s has snapshots", ErrHasSnapshots, c.name)
		}
	}
	if rdeps.HasDependents(c.Dir()) {
		return fmt.Errorf("%w: %s has clones", ErrHasClones, c.name)
	}
	c.sweepDeadMonitor()
	origins := rdeps.Rdepends(c.Dir())
	if err := c.removeFiles(true); err != nil {
		return err
	}
	// The origins forget this clone once it is gone.
	rdeps.Update(origins, storage.Dep{Path: c.lxcpath, Name: c.name}, false)
	return nil
}

// sweepDeadMonitor removes what a monitor killed without tearing down
// left of the container on the host: its network devices and records,
// and its cgroups (with what still runs in them). A start of the same
// name would sweep them; after a destroy none comes. The caller holds the
// container lock and found no monitor answering. What cannot be removed
// is logged and does not stop the destroy.
func (c *Container) sweepDeadMonitor() {
	if err := monitor.SweepDeadLocked(c.lxcpath, c.name); err != nil {
		log.Warnf("destroy %s: what a dead monitor left: %v", c.name, err)
	}
}

// removeFiles deletes the container directory and, when external is set,
// a managed rootfs outside it that the config points at (never the host
// root).
func (c *Container) removeFiles(external bool) error {
	rootfs, managed := c.rootfsForDestroy()
	external = external && managed && rootfs != "" && !strings.HasPrefix(rootfs, c.Dir()+"/")
	other := c.otherStorage()
	// Everything is checked before anything is removed: a destroy that
	// fails half-way must not leave a rootfs without its config.
	trees := []string{c.Dir()}
	if external {
		trees = append(trees, rootfs)
	}
	// A user's idmapped container belongs to its mapped ids: only the
	// root of its user namespace may remove it (LXC's destroy runs there
	// too), so the removal and its checks happen in there.
	maps := c.userMaps()
	// One read of the mount table checks every tree; the removals follow
	// at once.
	mounts := mountPoints()
	for _, t := range trees {
		if where, mounted := mountUnder(mounts, t); mounted {
			return fmt.Errorf("%w: %s is still mounted; unmount it first (umount -R %s); nothing was removed", ErrDestroyFailed, where, where)
		}
		if maps != nil {
			continue
		}
		if err := checkRemovable(t); err != nil {
			return fmt.Errorf("%w: %v; nothing was removed (destroy it as its owner or as root)", ErrDestroyFailed, err)
		}
	}
	if other != "" && maps != nil && storage.IsOverlay(storage.Parse(other).Type) {
		// A user's overlay layer lies in the container directory, which
		// the container's root removes below.
		other = ""
	}
	if other != "" {
		if err := storage.Destroy(other); err != nil {
			return fmt.Errorf("%w: destroy rootfs storage %s: %v", ErrDestroyFailed, other, err)
		}
		log.Infof("Destroyed rootfs %q for %s", other, c.name)
	}
	if maps != nil {
		log.Debugf("Removing %v as the container's root (lxc.idmap)", trees)
		if err := mapped.RemoveAll(maps, trees...); err != nil {
			return fmt.Errorf("%w: %v", ErrDestroyFailed, err)
		}
		log.Infof("Destroyed directory %q for %q", c.Dir(), c.name)
		log.Infof("Destroyed container %s", c.name)
		return nil
	}
	if external {
		if err := removeTree(rootfs); err != nil {
			return fmt.Errorf("%w: remove rootfs %s: %v", ErrDestroyFailed, rootfs, err)
		}
		log.Infof("Destroyed rootfs %q for %s", rootfs, c.name)
	}
	if err := removeTree(c.Dir()); err != nil {
		return fmt.Errorf("%w: remove %s: %v", ErrDestroyFailed, c.Dir(), err)
	}
	log.Infof("Destroyed directory %q for %q", c.Dir(), c.name)
	log.Infof("Destroyed container %s", c.name)
	return nil
}

// userMaps is the container's lxc.idmap when a user (not root) destroys
// it, else nil.
func (c *Container) userMaps() []config.IDMap {
	if os.Geteuid() == 0 {
		return nil
	}
	spec, err := c.Spec()
	if err != nil || spec == nil || len(spec.IDMap) == 0 {
		return nil
	}
	return spec.IDMap
}

// rootfsForDestroy reads lxc.rootfs.path and lxc.rootfs.managed; a config
// that fails to load still lets the directory be removed.
func (c *Container) rootfsForDestroy() (string, bool) {
	spec, err := c.Spec()
	if err != nil || spec == nil {
		return "", false
	}
	p := spec.Rootfs.Path
	if p == "" || p == "/" || spec.Rootfs.Type != "dir" {
		return "", false
	}
	return filepath.Clean(p), spec.Rootfs.Managed
}

// otherStorage is lxc.rootfs.path when golxc manages it and its storage
// is not a plain directory ("" otherwise): its driver destroys it (a
// btrfs subvolume, an overlay's upper directory, a loop image).
func (c *Container) otherStorage() string {
	spec, err := c.Spec()
	if err != nil || spec == nil || !spec.Rootfs.Managed || spec.Rootfs.Raw == "" {
		return ""
	}
	r := storage.Parse(spec.Rootfs.Raw)
	if r.Type == "dir" || !storage.Supported(r.Type) {
		return ""
	}
	return r.Raw
}

// removeTree deletes a directory tree without following symlinks; the
// caller checked that no mount lies under it (a bind mount left by a
// crash must not make destroy wipe host files).
func removeTree(path string) error {
	if _, err := os.Lstat(path); os.IsNotExist(err) {
		return nil
	}
	return os.RemoveAll(path)
}

// mountPoints lists the mount points of /proc/self/mountinfo (none when
// it cannot be read).
func mountPoints() []string {
	ms, err := mountinfo.Read()
	if err != nil {
		return nil
	}
	points := make([]string, 0, len(ms))
	for _, m := range ms {
		points = append(points, m.Point)
	}
	return points
}

// mountUnder reports the first of mounts at or below path.
func mountUnder(mounts []string, path string) (string, bool) {
	prefix := filepath.Clean(path)
	for _, mp := range mounts {
		if mp == prefix || strings.HasPrefix(mp, prefix+"/") {
			return mp, true
		}
	}
	return "", false
}

// cleanStalePartial destroys a container whose create was interrupted (a
// "partial" file nobody holds), and refuses to touch one being created.
func (c *Container) cleanStalePartial() error {
	st, err := lock.CheckPartial(c.Dir())
	if err != nil {
		return err
	}
	switch st {
	case lock.PartialOngoing:
		return fmt.Errorf("%s is being created by another process (ongoing container creation detected)", c.name)
	case lock.PartialStale:
		// A rootfs outside the container directory may have been the
		// user's own --dir: it is left in place.
		log.Warnf("removing %s: its creation was interrupted", c.Dir())
		c.conf = config.New()
		c.loadErr = c.conf.Load(c.ConfigFileName())
		err := c.removeFiles(false)
		c.conf, c.loadErr = nil, nil
		return err
	}
	return nil
}
