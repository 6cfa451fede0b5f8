package lxc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// checkRemovable walks a tree destroy is about to delete and reports the
// first part the caller may not remove, so that destroy refuses before it
// deletes anything: a user who may delete the config but not the root-owned
// rootfs must not be left with a rootfs no tool lists any more. It also
// catches read-only filesystems (EROFS), for root too.
func checkRemovable(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := canUnlinkFrom(filepath.Dir(path), st); err != nil {
		return err
	}
	if !st.IsDir() {
		return nil
	}
	return filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", p, unwrapPathErr(err))
		}
		if !d.IsDir() {
			return nil
		}
		log.Tracef("destroy: checking that the entries of %s can be removed", p)
		if err := unix.Faccessat(unix.AT_FDCWD, p, unix.R_OK|unix.W_OK|unix.X_OK, unix.AT_EACCESS); err != nil {
			return fmt.Errorf("cannot remove the entries of %s: %w", p, err)
		}
		return checkSticky(p)
	})
}

// canUnlinkFrom checks that the entry st can be removed from dir.
func canUnlinkFrom(dir string, st os.FileInfo) error {
	if err := unix.Faccessat(unix.AT_FDCWD, dir, unix.W_OK|unix.X_OK, unix.AT_EACCESS); err != nil {
		return fmt.Errorf("cannot remove entries of %s: %w", dir, err)
	}
	euid := uint32(os.Geteuid())
	dst, err := os.Lstat(dir)
	if euid == 0 || err != nil || dst.Mode()&os.ModeSticky == 0 {
		return nil
	}
	if dst.Sys().(*syscall.Stat_t).Uid != euid && st.Sys().(*syscall.Stat_t).Uid != euid {
		return fmt.Errorf("cannot remove %s from %s (sticky directory, owned by another user): %w",
			st.Name(), dir, unix.EPERM)
	}
	return nil
}

// checkSticky: in a sticky directory (tmp) that is not ours, a user may
// only remove the entries it owns.
func checkSticky(dir string) error {
	euid := uint32(os.Geteuid())
	if euid == 0 {
		return nil
	}
	st, err := os.Lstat(dir)
	if err != nil || st.Mode()&os.ModeSticky == 0 || st.Sys().(*syscall.Stat_t).Uid == euid {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", dir, unwrapPathErr(err))
	}
	for _, e := range ents {
		info, err := e.Info()
		if err != nil {
			continue
		}
		if info.Sys().(*syscall.Stat_t).Uid != euid {
			return fmt.Errorf("cannot remove %s (sticky directory, owned by another user): %w",
				filepath.Join(dir, e.Name()), unix.EPERM)
		}
	}
	return nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
