// Package lock implements LXC's on-disk container locks (§7.3) and the
// "partial" marker that flags an ongoing create (§7.1).
//
// All locks are open-file-description (OFD) write locks, falling back to
// flock(2) on kernels without OFD locks. Both kinds belong to the open file,
// not the process, so two Lock values in one process exclude each other and
// the kernel drops the lock when the holder dies.
package lock

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// ofdLock takes (wait=true: waits for) an exclusive lock on f.
// It returns busy=true when wait is false and someone else holds the lock.
func ofdLock(f *os.File, wait bool) (busy bool, err error) {
	cmd := unix.F_OFD_SETLK
	if wait {
		cmd = unix.F_OFD_SETLKW
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	for {
		err = unix.FcntlFlock(f.Fd(), cmd, &lk)
		if err != unix.EINTR {
			break
		}
	}
	switch {
	case err == nil:
		return false, nil
	case err == unix.EINVAL:
		return flockLock(f, wait)
	case !wait && (err == unix.EAGAIN || err == unix.EACCES):
		return true, nil
	}
	return false, err
}

// flockLock is the fallback for kernels without OFD locks (< 3.15).
func flockLock(f *os.File, wait bool) (busy bool, err error) {
	how := unix.LOCK_EX
	if !wait {
		how |= unix.LOCK_NB
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			break
		}
	}
	if !wait && errors.Is(err, unix.EWOULDBLOCK) {
		return true, nil
	}
	return false, err
}

// lockedByOther reports whether another open file description holds a
// lock that conflicts with a write lock on f. It never takes the lock
// itself (F_OFD_GETLK), so checking cannot disturb the holder.
func lockedByOther(f *os.File) (bool, error) {
	lk := unix.Flock_t{Type: unix.F_WRLCK}
	err := unix.FcntlFlock(f.Fd(), unix.F_OFD_GETLK, &lk)
	if err == unix.EINVAL {
		// No OFD locks: probe with flock and release at once.
		busy, ferr := flockLock(f, false)
		if ferr != nil {
			return false, ferr
		}
		if !busy {
			_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
		}
		return busy, nil
	}
	if err != nil {
		return false, err
	}
	return lk.Type != unix.F_UNLCK, nil
}
