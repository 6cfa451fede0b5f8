package lxc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/storage"
	"github.com/golxc/golxc/internal/storage/rdeps"
)

// Rename gives a stopped container a new name in its lxcpath. As LXC's
// rename (a clone keeping the MACs, then a destroy) the hostname becomes
// the new name and paths into the old directory follow; golxc moves the
// directory instead of copying the rootfs.
func (c *Container) Rename(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if !c.Defined() {
		return ErrNotDefined
	}
	if hasSnapshotEntries(c.snapshotDir()) || rdeps.HasDependents(c.Dir()) {
		return fmt.Errorf("%w: renaming a container with snapshots is not supported", ErrHasSnapshots)
	}
	unlock, err := c.lockDisk()
	if err != nil {
		return err
	}
	defer unlock()
	// A monitor that answers owns the container, whatever its state.
	if cmdsock.Answers(c.lxcpath, c.name) {
		return ErrRunning
	}
	nc := &Container{name: name, lxcpath: c.lxcpath}
	unlockNew, err := nc.lockDisk()
	if err != nil {
		return err
	}
	defer unlockNew()
	if nc.Defined() {
		return fmt.Errorf("%w: %s exists", ErrAlreadyDefined, nc.ConfigFileName())
	}
	text, err := os.ReadFile(c.ConfigFileName())
	if err != nil {
		return err
	}
	spec, err := c.Spec()
	if err != nil {
		return err
	}
	raw := spec.Rootfs.Raw
	if raw != "" {
		raw = strings.ReplaceAll(raw, c.Dir()+"/", nc.Dir()+"/")
	}
	newText, _ := rewriteCloneConfig(string(text), cloneEdit{
		OldDir: c.Dir(), NewDir: nc.Dir(), Rootfs: raw, NewName: name, KeepMAC: true,
	}, randomMAC)
	// The fstab file and hook scripts move with the directory; a
	// fstab elsewhere keeps its path.
	if fs := spec.MountFstab; fs != "" && !strings.HasPrefix(fs, c.Dir()+"/") {
		newText = strings.Replace(newText, "lxc.mount.fstab = "+filepath.Join(nc.Dir(), filepath.Base(fs)), "lxc.mount.fstab = "+fs, 1)
	}
	staged := filepath.Join(c.Dir(), ".config.renamed")
	if err := os.WriteFile(staged, []byte(newText), 0o640); err != nil {
		return err
	}
	if err := unix.Renameat2(unix.AT_FDCWD, c.Dir(), unix.AT_FDCWD, nc.Dir(), unix.RENAME_NOREPLACE); err != nil {
		os.Remove(staged)
		if errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ENOTEMPTY) {
			return fmt.Errorf("%w: %s exists", ErrAlreadyDefined, nc.Dir())
		}
		return fmt.Errorf("rename %s to %s: %w", c.Dir(), nc.Dir(), err)
	}
	if err := os.Rename(filepath.Join(nc.Dir(), ".config.renamed"), nc.ConfigFileName()); err != nil {
		return err
	}
	log.Debugf("Renamed %q to %q", c.Dir(), nc.Dir())
	if !spec.Rootfs.Managed || raw == "" {
		return c.renamed(name)
	}
	r := storage.Parse(raw)
	rootfs := r.Path
	if r.Type == "dir" || r.Type == "btrfs" {
		if err := writeHostname(rootfs, name); err != nil {
			log.Warnf("Failed to write the hostname into %s: %v", rootfs, err)
		}
	} else if umount, err := storage.MountAt(r, storage.MountPoint(nc.Dir())); err == nil {
		writeHostname(storage.MountPoint(nc.Dir()), name)
		umount()
	}
	// Origins now depend on the new name.
	origins := rdeps.Rdepends(nc.Dir())
	rdeps.Update(origins, storage.Dep{Path: c.lxcpath, Name: c.name}, false)
	rdeps.Update(origins, storage.Dep{Path: c.lxcpath, Name: name}, true)
	return c.renamed(name)
}

// renamed points c at its new name.
func (c *Container) renamed(name string) error {
	c.mu.Lock()
	c.name = name
	c.mu.Unlock()
	log.Infof("Renamed container to %s", name)
	return c.LoadConfigFile(c.ConfigFileName())
}

func hasSnapshotEntries(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) > 0
}
