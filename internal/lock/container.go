package lock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Lock is one container's disk lock. The zero value is not usable; get one
// from Container. A Lock is safe for use by several goroutines but is not
// reentrant: Lock twice without Unlock blocks forever (like LXC).
type Lock struct {
	path string

	mu   sync.Mutex
	file *os.File // non-nil while held
}

// Container returns the lock for container name under lxcpath:
// RUNDIR/lxc/lock/LXCPATH/.NAME (e.g. /run/lxc/lock/var/lib/lxc/.c1).
// runDir is "/run" for root, XDG_RUNTIME_DIR otherwise. The file is
// created lazily on the first Lock/TryLock; UnlockAndRemove removes it
// (lxc-destroy), and every locker checks that the file it locked is still
// the one at the path, so removing it never lets two processes hold it.
func Container(runDir, lxcpath, name string) *Lock {
	return &Lock{path: Path(runDir, lxcpath, name)}
}

// Path is the lock file path used by Container.
func Path(runDir, lxcpath, name string) string {
	return filepath.Join(runDir, "lxc", "lock", lxcpath, "."+name)
}

// Path returns the lock file's path.
func (l *Lock) Path() string { return l.path }

func (l *Lock) open() (*os.File, error) {
	var err error
	// A destroy may remove the directories while MkdirAll makes them
	// (a parent it just made goes before the child is made) or between
	// MkdirAll and OpenFile: both are tried again.
	for try := 0; try < 10; try++ {
		if err = os.MkdirAll(filepath.Dir(l.path), 0o755); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("lock %s: create directory: %w", l.path, err)
		}
		var f *os.File
		if f, err = os.OpenFile(l.path, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	return nil, fmt.Errorf("lock %s: open: %w", l.path, err)
}

// current reports whether f, just locked, is still the file at the path:
// a holder may have removed it (UnlockAndRemove) while we waited, and a
// lock on the removed file excludes nobody.
func (l *Lock) current(f *os.File) bool {
	held, err1 := f.Stat()
	now, err2 := os.Stat(l.path)
	return err1 == nil && err2 == nil && os.SameFile(held, now)
}

// pollStart and pollMax bound the retry interval used when ctx can end the
// wait; a plain F_OFD_SETLKW cannot be interrupted by a context.
const (
	pollStart = 5 * time.Millisecond
	pollMax   = 200 * time.Millisecond
)

// Lock waits until the lock is held or ctx is done. With a context that can
// never be cancelled it sleeps in the kernel (F_OFD_SETLKW); otherwise it
// polls so that cancellation is noticed.
func (l *Lock) Lock(ctx context.Context) error {
	for {
		f, err := l.lockOnce(ctx)
		if err != nil {
			return err
		}
		if l.current(f) {
			return l.hold(f)
		}
		f.Close() // removed while we waited: lock the new file
	}
}

func (l *Lock) lockOnce(ctx context.Context) (*os.File, error) {
	f, err := l.open()
	if err != nil {
		return nil, err
	}
	if ctx.Done() == nil {
		if _, err := ofdLock(f, true); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", l.path, err)
		}
		return f, nil
	}
	delay := pollStart
	for {
		busy, err := ofdLock(f, false)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", l.path, err)
		}
		if !busy {
			return f, nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("lock %s: still held by another process: %w", l.path, ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, pollMax)
	}
}

// TryLock takes the lock if it is free and reports whether it did.
func (l *Lock) TryLock() (bool, error) {
	for {
		f, err := l.open()
		if err != nil {
			return false, err
		}
		busy, err := ofdLock(f, false)
		if err != nil {
			f.Close()
			return false, fmt.Errorf("lock %s: %w", l.path, err)
		}
		if busy {
			f.Close()
			return false, nil
		}
		if l.current(f) {
			return true, l.hold(f)
		}
		f.Close()
	}
}

func (l *Lock) hold(f *os.File) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file != nil {
		// Cannot happen through Lock (the second Lock would block); guard
		// against a TryLock racing with itself on the same value.
		f.Close()
		return errors.New("lock " + l.path + ": already held by this Lock value")
	}
	l.file = f
	return nil
}

// Unlock releases the lock. Closing the file drops both OFD and flock locks.
func (l *Lock) Unlock() error {
	l.mu.Lock()
	f := l.file
	l.file = nil
	l.mu.Unlock()
	if f == nil {
		return errors.New("lock " + l.path + ": unlock of a lock that is not held")
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("lock %s: close: %w", l.path, err)
	}
	return nil
}

// UnlockAndRemove removes the lock file while still holding it, then
// releases it, and removes the lock directories above it that are left
// empty, up to RUNDIR/lxc/lock: for lxc-destroy, so that lock files do not
// pile up. Lockers that were waiting on the removed file notice (current)
// and lock a fresh one.
func (l *Lock) UnlockAndRemove() error {
	l.mu.Lock()
	held := l.file != nil
	l.mu.Unlock()
	if !held {
		return errors.New("lock " + l.path + ": remove of a lock that is not held")
	}
	rmErr := os.Remove(l.path)
	if err := l.Unlock(); err != nil {
		return err
	}
	if rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		return fmt.Errorf("lock %s: remove: %w", l.path, rmErr)
	}
	for dir := filepath.Dir(l.path); ; dir = filepath.Dir(dir) {
		if filepath.Base(dir) == "lock" && filepath.Base(filepath.Dir(dir)) == "lxc" {
			break // RUNDIR/lxc/lock itself stays
		}
		if os.Remove(dir) != nil {
			break // not empty (other containers' locks) or already gone
		}
	}
	return nil
}
