package lxc

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

// ErrMountFlags: Mount was given flags that act on a mount that exists
// instead of making a new one to carry into the container. The C API
// answers it with -1, as LXC 5.0.2's mount does (its child's mount(2) on
// a fresh temporary directory fails).
const ErrMountFlags = lxcError("mount flags not allowed for a mount into the container")

// checkMountFlags says why flags cannot make the new mount Mount carries
// in, if they cannot. The kernel (path_mount) looks at MS_REMOUNT first,
// then MS_BIND, then the propagation flags, then MS_MOVE: with MS_BIND
// the later ones are ignored (MS_BIND|MS_REC|MS_PRIVATE is a plain
// recursive bind), without it each acts on an existing mount.
func checkMountFlags(flags uintptr) error {
	if flags&unix.MS_REMOUNT != 0 {
		return fmt.Errorf("%w: MS_REMOUNT changes an existing mount (with or without MS_BIND), it makes none to carry in", ErrMountFlags)
	}
	if flags&unix.MS_BIND != 0 {
		return nil
	}
	for _, f := range []struct {
		bit  uintptr
		name string
	}{
		{unix.MS_SHARED, "MS_SHARED"},
		{unix.MS_PRIVATE, "MS_PRIVATE"},
		{unix.MS_SLAVE, "MS_SLAVE"},
		{unix.MS_UNBINDABLE, "MS_UNBINDABLE"},
	} {
		if flags&f.bit != 0 {
			return fmt.Errorf("%w: %s without MS_BIND changes the propagation of an existing mount, it makes none to carry in", ErrMountFlags, f.name)
		}
	}
	if flags&unix.MS_MOVE != 0 {
		return fmt.Errorf("%w: MS_MOVE without MS_BIND moves an existing mount, it makes none to carry in", ErrMountFlags)
	}
	return nil
}

// mountNSFlags: the namespaces the mount helper joins, from the
// container's Spec; without a Spec it cannot tell whether the container
// is id-mapped, so it fails rather than guess.
func mountNSFlags(spec *config.Spec, specErr error) (uintptr, error) {
	if specErr != nil {
		return 0, fmt.Errorf("the container's configuration: %w", specErr)
	}
	flags := uintptr(unix.CLONE_NEWNS)
	if len(spec.IDMap) > 0 {
		flags |= unix.CLONE_NEWUSER
	}
	return flags, nil
}
