// Package storage owns everything about a container rootfs's storage:
// the lxc.rootfs.path prefixes as LXC writes them, creating the storage of
// a new container, mounting it for a start, cloning (copy or snapshot),
// and destroying it. One Driver per backend, one table of their names.
package storage

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Rootfs is a parsed lxc.rootfs.path.
type Rootfs struct {
	Type string // a registry name: "dir", "overlay", "overlayfs", "btrfs", "loop", ...
	Path string // the value without its "type:" prefix
	Raw  string // as written
}

// String is the value as LXC writes it back.
func (r Rootfs) String() string { return r.Raw }

// Overlay splits an overlay path "LOWER[:LOWER...]:UPPER" the way LXC's
// ovl_mount does: the upper directory follows the last ":/".
func (r Rootfs) Overlay() (lower, upper string, err error) {
	i := strings.LastIndex(r.Path, ":/")
	if i <= 0 {
		return "", "", fmt.Errorf("lxc.rootfs.path %q: an overlay needs \"overlay:LOWER:UPPER\" with absolute directories", r.Raw)
	}
	return r.Path[:i], r.Path[i+1:], nil
}

// Driver is one backing store.
type Driver interface {
	// Name is the registry name ("overlayfs" drivers answer "overlay").
	Name() string
	// Create makes the storage of a new container whose rootfs is to be
	// seen at dest (LXCPATH/NAME/rootfs) and returns lxc.rootfs.path.
	Create(dest string, o CreateOptions) (string, error)
	// Mount says how to mount r for a start (and for templates and clone
	// hooks); it may create directories or attach a loop device now.
	Mount(r Rootfs, data string) (*MountSpec, error)
	// Clone makes the storage of j.New from j.Orig.
	Clone(j *CloneJob) (string, error)
	// Destroy removes the storage r names.
	Destroy(r Rootfs) error
	// CanSnapshot: Clone with j.Snapshot works for an origin of this type.
	CanSnapshot() bool
}

// CreateOptions are lxc-create's storage options.
type CreateOptions struct {
	Dir    string // --dir (dir only)
	FSType string // --fstype (loop), default ext4
	FSSize uint64 // --fssize in bytes (loop), default 1 GiB
}

// DefaultFSType and DefaultFSSize are LXC's defaults for block storage.
const (
	DefaultFSType = "ext4"
	DefaultFSSize = 1 << 30
)

// registry is the one list of backend names (lxc-create -B, clone -B,
// lxc.rootfs.path prefixes), in LXC's bdevs[] order: a type-less path is
// probed in this order too.
var registry = []struct {
	name string
	drv  Driver
}{
	{"dir", dirDriver{}},
	{"zfs", missing{"zfs"}},
	{"lvm", missing{"lvm"}},
	{"rbd", missing{"rbd"}},
	{"btrfs", btrfsDriver{}},
	{"overlay", overlayDriver{}},
	{"overlayfs", overlayDriver{}},
	{"loop", loopDriver{}},
	{"nbd", missing{"nbd"}},
}

// Names lists every backend name LXC knows, in its order.
func Names() []string {
	out := make([]string, len(registry))
	for i, e := range registry {
		out[i] = e.name
	}
	return out
}

// ErrUnknownType: a name that is no backend.
var ErrUnknownType = errors.New("is not a valid backing storage type")

// Lookup returns the driver of a backend name ("overlayfs" is overlay).
func Lookup(name string) (Driver, error) {
	for _, e := range registry {
		if e.name == name {
			return e.drv, nil
		}
	}
	return nil, fmt.Errorf("%s %w (use one of %s)", name, ErrUnknownType, strings.Join(Names(), ", "))
}

// Supported reports whether name's driver works on this build and host
// (false for lvm, zfs, rbd, nbd).
func Supported(name string) bool {
	d, err := Lookup(name)
	if err != nil {
		return false
	}
	_, miss := d.(missing)
	return !miss
}

// Parse reads an lxc.rootfs.path value as LXC's storage_query does: a
// known "type:" prefix names the driver; a path without one is a
// directory (or a loop file when it names a regular file).
func Parse(raw string) Rootfs {
	if raw == "" {
		return Rootfs{}
	}
	if i := strings.IndexByte(raw, ':'); i > 0 {
		prefix := raw[:i]
		for _, e := range registry {
			if e.name == prefix {
				return Rootfs{Type: prefix, Path: raw[i+1:], Raw: raw}
			}
		}
	}
	if st, err := os.Stat(raw); err == nil && st.Mode().IsRegular() {
		return Rootfs{Type: "loop", Path: raw, Raw: raw}
	}
	return Rootfs{Type: "dir", Path: raw, Raw: raw}
}

// DriverOf is the driver of a parsed rootfs.
func DriverOf(r Rootfs) (Driver, error) { return Lookup(r.Type) }

// IsOverlay: "overlay" or "overlayfs".
func IsOverlay(t string) bool { return t == "overlay" || t == "overlayfs" }

// MountPoint is the directory a container's storage is seen at outside
// a start (templates, clone hooks): LXCPATH/NAME/rootfs.
func MountPoint(containerDir string) string { return containerDir + "/rootfs" }
