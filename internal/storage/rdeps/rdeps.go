// Package rdeps keeps the dependency files of snapshot clones and their
// origins as LXC does (storage.RdependsFile, storage.SnapshotsFile), so
// LXC's tools and golxc's agree about them.
package rdeps

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/lock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/storage"
)

// Rdepends reads a container directory's lxc_rdepends.
func Rdepends(dir string) []storage.Dep {
	data, err := os.ReadFile(filepath.Join(dir, storage.RdependsFile))
	if err != nil {
		return nil
	}
	deps, bad := storage.ParseDeps(data)
	if bad {
		log.Errorf("badly formatted file %s", filepath.Join(dir, storage.RdependsFile))
	}
	return deps
}

// Dependents reads a container directory's lxc_snapshots (new format).
func Dependents(dir string) []storage.Dep {
	data, err := os.ReadFile(filepath.Join(dir, storage.SnapshotsFile))
	if err != nil {
		return nil
	}
	deps, _ := storage.ParseDeps(data)
	return deps
}

// HasDependents is LXC's has_fs_snapshots.
func HasDependents(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, storage.SnapshotsFile))
	return err == nil && storage.HasDependents(data)
}

// ModAll adds (inc) or removes the clone lxcpath/name in the
// lxc_snapshots file of every container its lxc_rdepends (read from dir)
// names.
func ModAll(dir, lxcpath, name string, inc bool) {
	Update(Rdepends(dir), storage.Dep{Path: lxcpath, Name: name}, inc)
}

// Update adds (inc) or removes clone in the lxc_snapshots file of each
// origin.
func Update(origins []storage.Dep, clone storage.Dep, inc bool) {
	for _, d := range origins {
		if err := modRdep(d, clone, inc); err != nil {
			log.Errorf("Failed to update snapshots file for %s:%s: %v", d.Path, d.Name, err)
		}
	}
}

func modRdep(origin, clone storage.Dep, inc bool) error {
	if _, err := os.Stat(filepath.Join(origin.Path, origin.Name, "config")); err != nil {
		return fmt.Errorf("unable to find dependent container %s:%s", origin.Path, origin.Name)
	}
	l := lock.Container(config.RuntimeDir(), origin.Path, origin.Name)
	if err := l.Lock(context.Background()); err != nil {
		return err
	}
	defer l.Unlock()
	path := filepath.Join(origin.Path, origin.Name, storage.SnapshotsFile)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if inc {
		data = storage.AddDep(data, clone)
	} else {
		data = storage.RemoveDep(data, clone)
	}
	if len(data) == 0 {
		log.Debugf("Removing %s: no clone depends on %s any more", path, origin.Name)
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	log.Debugf("Recording in %s that %s:%s depends on it (%v)", path, clone.Path, clone.Name, inc)
	return writeFileAtomic(path, data, 0o644)
}

// writeFileAtomic replaces path with data through a rename.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, data, mode); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// AddRdepend records in the clone directory dir that it depends on origin.
func AddRdepend(dir string, origin storage.Dep) error {
	f, err := os.OpenFile(filepath.Join(dir, storage.RdependsFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(origin.Path + "\n" + origin.Name + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// CopyRdepends gives a snapshot clone (directory dst) the dependencies
// of its origin (directory src): a snapshot of a snapshot depends on the
// whole chain.
func CopyRdepends(src, dst string) error {
	data, err := os.ReadFile(filepath.Join(src, storage.RdependsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dst, storage.RdependsFile), data, 0o644)
}
