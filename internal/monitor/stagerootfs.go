package monitor

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/storage"
)

// stageRootfs mounts a block-backed rootfs (a loop image) on the host,
// before the container's namespaces and device cgroup exist: inside them
// the loop device could not be opened. For this boot the rootfs becomes
// that private mount, which the container's new mount namespace copies
// and bind-mounts like a directory. The returned func (call it once the
// init set up its rootfs) unmounts the host's copy and restores the spec.
func (m *monitor) stageRootfs() (func(), error) {
	orig := m.spec.Rootfs
	if orig.Type != "loop" || orig.PathErr != nil {
		return func() {}, nil
	}
	run := config.GolxcRuntimeDir() // /run/golxc for root: the one runtime-directory rule
	if err := os.MkdirAll(run, 0o755); err != nil {
		return nil, fmt.Errorf("lxc.rootfs.path %q: %v", orig.Raw, err)
	}
	dir, err := os.MkdirTemp(run, "rootfs-"+m.o.Name+"-")
	if err != nil {
		return nil, fmt.Errorf("lxc.rootfs.path %q: %v", orig.Raw, err)
	}
	umount, err := storage.MountAt(storage.Rootfs{Type: orig.Type, Path: orig.Path, Raw: orig.Raw}, dir)
	if err != nil {
		os.Remove(dir)
		return nil, fmt.Errorf("lxc.rootfs.path %q: %v", orig.Raw, err)
	}
	// Private: unmounting the host's copy must not reach the container's.
	if err := unix.Mount("", dir, "", unix.MS_PRIVATE, ""); err != nil {
		umount()
		os.Remove(dir)
		return nil, fmt.Errorf("lxc.rootfs.path %q: make %s private: %v", orig.Raw, dir, err)
	}
	log.Debugf("Mounted rootfs %q on the host at %q for the container to bind", orig.Raw, dir)
	m.spec.Rootfs.Type, m.spec.Rootfs.Path = "dir", dir
	return func() {
		m.spec.Rootfs = orig
		umount()
		os.Remove(dir)
		log.Tracef("Unmounted the host's copy %q of rootfs %q", dir, orig.Raw)
	}, nil
}
