package storage

import (
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// MountSpec is how a rootfs is mounted: mount(Source, target, FSType,
// Flags, Data). Hold, when set, is a loop device that must stay open until
// the mount is made (it detaches itself once unmounted and closed).
type MountSpec struct {
	Source string
	FSType string
	Flags  uintptr
	Data   string
	Hold   *os.File
}

// Bind reports whether this is a bind mount of a directory.
func (m *MountSpec) Bind() bool { return m.Flags&unix.MS_BIND != 0 }

// Release closes the loop device hold (after the mount, or on failure).
func (m *MountSpec) Release() {
	if m != nil && m.Hold != nil {
		m.Hold.Close()
		m.Hold = nil
	}
}

// MountAt mounts r at target on the host (templates, clone hooks, full
// copies of non-directory storage) and returns its unmount.
func MountAt(r Rootfs, target string) (func(), error) {
	d, err := DriverOf(r)
	if err != nil {
		return nil, err
	}
	m, err := d.Mount(r, "")
	if err != nil {
		return nil, err
	}
	defer m.Release()
	if err := os.MkdirAll(target, 0o755); err != nil {
		return nil, err
	}
	if err := unix.Mount(m.Source, target, m.FSType, m.Flags, m.Data); err != nil {
		return nil, &os.PathError{Op: "mount " + r.Raw + " on", Path: target, Err: err}
	}
	logf("Mounted %q on %q", r.Raw, target)
	return sync.OnceFunc(func() {
		if err := unix.Unmount(target, unix.MNT_DETACH); err != nil {
			logf("Failed to unmount %q: %v", target, err)
		}
	}), nil
}
