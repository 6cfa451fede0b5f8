package image

import (
	"errors"

	"golang.org/x/sys/unix"
)

// noSpace turns a full disk (or an exhausted quota) met while doing step
// in where into one line that says so and what to do; any other error
// is returned as it is. Without it a full cache reads as a server
// failure or a corrupt tarball.
func noSpace(err error, step, where, remedy string) error {
	var errno unix.Errno
	if !errors.As(err, &errno) || (errno != unix.ENOSPC && errno != unix.EDQUOT) {
		return err
	}
	return fail("%s: %v while %s; free space there or %s", where, errno, step, remedy)
}

// Remedies for a full disk, per place.
const (
	cacheRemedy  = "set " + EnvCachePath + " to a directory with room"
	rootfsRemedy = "create the container in another lxcpath (-P)"
)
