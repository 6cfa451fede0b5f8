package storage

import (
	"fmt"
	"os"
	"path/filepath"
)

// CloneJob is one clone's storage work. The clone's directory is built at
// BuildDir and renamed to NewPath/NewName by the caller once complete;
// the paths written into lxc.rootfs.path already name the final place.
type CloneJob struct {
	Orig             Rootfs
	OldName, OldPath string // origin name and lxcpath
	NewName, NewPath string // clone name and lxcpath
	BuildDir         string
	Type             string // the clone's backend (from PlanClone)
	Snapshot         bool
	NewSize          uint64 // -L, bytes (block storage)

	noRdep bool // overlay inside a snaps directory: no dependency recorded
}

func (j *CloneJob) finalDir() string { return filepath.Join(j.NewPath, j.NewName) }

// NoRdep: the driver found this clone needs no dependency record.
func (j *CloneJob) NoRdep() bool { return j.noRdep }

// ClonePlan is the storage decision of a clone, LXC's storage_copy rules.
type ClonePlan struct {
	Type     string // the clone's backend
	Snapshot bool
	NeedRdep bool // the clone depends on its origin (lxc_rdepends)
}

// PlanClone decides the clone's backend: the requested one, else overlay
// for a snapshot of a directory, dir for a copy into another lxcpath, the
// origin's type otherwise. Overlay clones depend on their origin.
func PlanClone(origType, want string, snapshot bool, oldPath, newPath string) (ClonePlan, error) {
	p := ClonePlan{Type: want, Snapshot: snapshot}
	if want != "" {
		if _, err := Lookup(want); err != nil {
			return p, err
		}
		p.NeedRdep = IsOverlay(want)
		return p, nil
	}
	switch {
	case snapshot && origType == "dir":
		p.Type = "overlay"
	case !snapshot && filepath.Clean(oldPath) != filepath.Clean(newPath):
		p.Type = "dir"
	default:
		p.Type = origType
	}
	p.NeedRdep = IsOverlay(p.Type)
	return p, nil
}

// Clone makes the clone's storage inside j.BuildDir and returns its
// lxc.rootfs.path.
func Clone(j *CloneJob) (string, error) {
	d, err := Lookup(j.Type)
	if err != nil {
		return "", err
	}
	if err := Unavailable(j.Type); err != nil {
		return "", err
	}
	if _, err := DriverOf(j.Orig); err != nil {
		return "", err
	}
	if err := Unavailable(j.Orig.Type); err != nil {
		return "", err
	}
	logf("Cloning %s storage %q of %s into %s storage for %s (snapshot: %v)", j.Orig.Type, j.Orig.Raw, j.OldName, j.Type, j.NewName, j.Snapshot)
	raw, err := d.Clone(j)
	if err != nil {
		return "", err
	}
	logf("New rootfs path %q", raw)
	return raw, nil
}

// copyOrigin copies the origin's files into dst: straight from a
// directory, or through a temporary mount of other storage.
func (j *CloneJob) copyOrigin(dst string) error {
	switch j.Orig.Type {
	case "dir", "btrfs":
		return CopyTree(j.Orig.Path, dst)
	}
	mnt := filepath.Join(j.BuildDir, ".origin")
	umount, err := MountAt(j.Orig, mnt)
	if err != nil {
		return fmt.Errorf("mount the rootfs of %s to copy it: %w", j.OldName, err)
	}
	defer func() { umount(); os.Remove(mnt) }()
	return CopyTree(mnt, dst)
}

// Destroy removes the storage lxc.rootfs.path names.
func Destroy(raw string) error {
	r := Parse(raw)
	d, err := DriverOf(r)
	if err != nil {
		return err
	}
	logf("Destroying %s storage %q", r.Type, raw)
	return d.Destroy(r)
}
