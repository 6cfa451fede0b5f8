package spawn

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/selfexe"
)

// allSeals forbid every write, truncate or growth, even through a fresh
// open, and any change of the seals.
const allSeals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE

// testNoOverlay makes ProtectedExe take the memfd path (tests).
var testNoOverlay bool

// ProtectedExe returns golxc's executable in a form nothing can write
// through; the caller closes it. Start execs the stage from it, so a
// container cannot overwrite the host binary through /proc/<stage>/exe
// (CVE-2019-5736). In golxc that is its own image; in any other program
// using package lxc it is the golxc binary selfexe.Find resolves (never
// the caller's own image, which would run the caller's main again).
//
// First choice is the binary itself seen through a private, detached,
// read-only overlayfs mount (lower layers: the binary's directory and an
// empty tmpfs; no upper layer, so every write is EROFS and no remount can
// make it writable). It costs a few syscalls and no memory. runc 1.2 moved
// to the same defence for the same reasons: the sealed memfd copy used
// otherwise (sealedExe) costs milliseconds of copying and several MiB of
// shared memory on every start, attach and execute, and lxc-execute's
// init would pin its copy for the container's whole life. The copy stays
// the fallback where overlayfs or the new mount API is missing, or the
// caller may not mount.
func ProtectedExe() (*os.File, error) {
	bin, err := selfexe.Find()
	if err != nil {
		return nil, fmt.Errorf("spawn: %w", err)
	}
	return protect(bin)
}

// protect gives bin's read-only view, or its sealed copy.
func protect(bin selfexe.Binary) (*os.File, error) {
	if !testNoOverlay {
		f, err := overlayExe(bin)
		if err == nil {
			log.Tracef("Running the stage from a read-only overlay of %s", bin.Path)
			return f, nil
		}
		log.Tracef("Read-only overlay of %s unavailable (%v): using a sealed copy", bin.Path, err)
	}
	f, err := sealedExe(bin)
	if err == nil {
		log.Tracef("Running the stage from a sealed memfd copy of %s", bin.Path)
	}
	return f, err
}

// overlayExe opens bin's file through a fresh read-only overlay of its
// directory, checking it is the very file bin names (for golxc itself:
// the file this process runs).
func overlayExe(bin selfexe.Binary) (*os.File, error) {
	var path string
	var err error
	if bin.Self {
		path, err = os.Readlink(selfexe.SelfPath)
	} else {
		// The overlay shows the directory of the real file, not of a
		// symlink to it (make install's /usr/local/bin/lxc-* links).
		path, err = filepath.EvalSymlinks(bin.Path)
	}
	if err != nil || !filepath.IsAbs(path) || strings.HasSuffix(path, " (deleted)") {
		return nil, fmt.Errorf("no usable path for %s (%q, %v)", bin.Path, path, err)
	}
	var self unix.Stat_t
	if err := unix.Stat(bin.Path, &self); err != nil {
		return nil, err
	}
	empty, err := mountFS("tmpfs", unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NOEXEC,
		func(fs int) error { return unix.FsconfigSetString(fs, "size", "4k") })
	if err != nil {
		return nil, err
	}
	defer unix.Close(empty)
	ovl, err := mountFS("overlay", unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOSUID,
		func(fs int) error {
			if err := unix.FsconfigSetString(fs, "lowerdir+", filepath.Dir(path)); err != nil {
				return err
			}
			return unix.FsconfigSetFd(fs, "lowerdir+", empty)
		})
	if err != nil {
		return nil, err
	}
	defer unix.Close(ovl)
	fd, err := unix.Openat(ovl, filepath.Base(path), unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Ino != self.Ino || st.Size != self.Size || st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, fmt.Errorf("%s changed while being protected", path)
	}
	return os.NewFile(uintptr(fd), "golxc (read-only overlay)"), nil
}

// mountFS makes a detached mount of fstype with the new mount API.
func mountFS(fstype string, attrs int, configure func(fs int) error) (int, error) {
	fs, err := unix.Fsopen(fstype, unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, err
	}
	defer unix.Close(fs)
	if err := configure(fs); err != nil {
		return -1, err
	}
	if err := unix.FsconfigCreate(fs); err != nil {
		return -1, err
	}
	return unix.Fsmount(fs, unix.FSMOUNT_CLOEXEC, attrs)
}

func sealedExe(bin selfexe.Binary) (*os.File, error) {
	src, err := os.Open(bin.Path)
	if err != nil {
		return nil, fmt.Errorf("spawn: open %s: %w", bin.Path, err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return nil, fmt.Errorf("spawn: stat %s: %w", bin.Path, err)
	}
	fd, err := unix.MemfdCreate("golxc", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("spawn: memfd_create for the sealed exe: %w", err)
	}
	mem := os.NewFile(uintptr(fd), "memfd:golxc")
	if err := copyExe(mem, src, st.Size()); err != nil {
		mem.Close()
		return nil, fmt.Errorf("spawn: copy %s to memfd: %w", bin.Path, err)
	}
	if _, err := unix.FcntlInt(mem.Fd(), unix.F_ADD_SEALS, allSeals); err != nil {
		mem.Close()
		return nil, fmt.Errorf("spawn: seal the exe memfd: %w", err)
	}
	return mem, nil
}

// copyExe copies size bytes in the kernel (sendfile: no user-space buffer
// round trip), sizing the memfd first so shmem allocates it in one go.
func copyExe(dst, src *os.File, size int64) error {
	if err := unix.Ftruncate(int(dst.Fd()), size); err != nil {
		return err
	}
	for off := int64(0); off < size; {
		n, err := unix.Sendfile(int(dst.Fd()), int(src.Fd()), &off, int(size-off))
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("short copy: %d of %d bytes", off, size)
		}
	}
	return nil
}
