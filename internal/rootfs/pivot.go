package rootfs

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// pivot makes the assembled rootfs "/" and detaches the host's root. The
// pivot_root(".", ".") form needs no put_old directory inside the rootfs.
func (s *Setup) pivot() error {
	if !s.hasRootfs() {
		return nil
	}
	oldRoot, err := unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("pivot_root: opening the old root: %v", err)
	}
	defer unix.Close(oldRoot)
	if err := unix.Fchdir(int(s.root.Fd())); err != nil {
		return fmt.Errorf("pivot_root: entering %q: %v", s.RootfsMount, err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root into %q: %v", s.RootfsMount, err)
	}
	log.Tracef("Changed into new rootfs %q", s.root.Name())
	// The old root now sits on top of the new one; step into it to detach it.
	if err := unix.Fchdir(oldRoot); err != nil {
		return fmt.Errorf("pivot_root: entering the old root: %v", err)
	}
	// Unmount events must not propagate back to the host.
	if err := unix.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("pivot_root: making the old root a slave: %v", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("pivot_root: detaching the old root: %v", err)
	}
	log.Debugf("Detached the host's root after pivot_root")
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("pivot_root: entering the new root: %v", err)
	}
	// Workloads expect a shared "/" (systemd services); this makes a new
	// peer group, it does not reconnect with the host.
	if err := unix.Mount("", "/", "", unix.MS_SHARED|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("pivot_root: making / shared: %v", err)
	}
	return nil
}
