package storage

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// dirDriver: the rootfs is a host directory, bind-mounted at start.
type dirDriver struct{}

func (dirDriver) Name() string      { return "dir" }
func (dirDriver) CanSnapshot() bool { return false }

func (dirDriver) Create(dest string, o CreateOptions) (string, error) {
	src := dest
	if o.Dir != "" {
		if !filepath.IsAbs(o.Dir) {
			return "", fmt.Errorf("--dir should use absolute path")
		}
		src = o.Dir
	}
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", fmt.Errorf("create rootfs directory %s: %w", src, err)
	}
	logf("Created directory %q", src)
	return "dir:" + src, nil
}

func (dirDriver) Mount(r Rootfs, data string) (*MountSpec, error) {
	if r.Path == "" {
		return nil, fmt.Errorf("lxc.rootfs.path %q: missing rootfs path", r.Raw)
	}
	if _, err := os.Stat(r.Path); err != nil {
		if pe, ok := err.(*os.PathError); ok {
			err = fmt.Errorf("%s: %v", pe.Path, pe.Err)
		}
		return nil, fmt.Errorf("lxc.rootfs.path %q: %v", r.Path, err)
	}
	return &MountSpec{Source: r.Path, Flags: unix.MS_BIND | unix.MS_REC, Data: data}, nil
}

// Clone copies the origin's tree into NEWPATH/NEW/rootfs (directories
// cannot be snapshotted).
func (dirDriver) Clone(j *CloneJob) (string, error) {
	if j.Snapshot {
		return "", fmt.Errorf("directories cannot be snapshotted: use -B overlay (or btrfs on btrfs) with -s")
	}
	dst := filepath.Join(j.BuildDir, "rootfs")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	if err := j.copyOrigin(dst); err != nil {
		return "", err
	}
	return "dir:" + filepath.Join(j.finalDir(), "rootfs"), nil
}

func (dirDriver) Destroy(r Rootfs) error {
	if r.Path == "" || filepath.Clean(r.Path) == "/" {
		return fmt.Errorf("refusing to remove rootfs %q", r.Raw)
	}
	return removeOneDev(r.Path)
}
