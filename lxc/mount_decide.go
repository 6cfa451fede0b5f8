package lxc

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

// ErrMountFlags: Mount was given flags that do not make a new mount to
// carry into the container (the C API answers it with -EINVAL).
const ErrMountFlags = lxcError("mount flags not allowed for a mount into the container")

// checkMountFlags says which refused flag flags holds, if any. MS_MOVE
// and MS_REMOUNT act on a mount that already exists, the propagation
// flags on propagation; Mount makes a new mount on a private host
// directory and carries a copy in, so each would act on the wrong mount.
func checkMountFlags(flags uintptr) error {
	refused := []struct {
		bit  uintptr
		name string
	}{
		{unix.MS_MOVE, "MS_MOVE"},
		{unix.MS_REMOUNT, "MS_REMOUNT"},
		{unix.MS_SHARED, "MS_SHARED"},
		{unix.MS_PRIVATE, "MS_PRIVATE"},
		{unix.MS_SLAVE, "MS_SLAVE"},
		{unix.MS_UNBINDABLE, "MS_UNBINDABLE"},
	}
	for _, f := range refused {
		if flags&f.bit != 0 {
			return fmt.Errorf("%w: %s", ErrMountFlags, f.name)
		}
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
