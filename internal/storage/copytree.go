package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// CopyTree copies the directory tree src into dst (created if missing)
// keeping what a rootfs needs: owners, modes, times, xattrs (ACLs,
// file capabilities, overlay whiteouts and opaque marks), device nodes,
// fifos, symlinks, hard links and holes. File data is reflinked when the
// filesystem can, else copied in the kernel (copy_file_range), data
// extents only. It stays on src's filesystem: a directory that is a
// mount point is copied empty.
func CopyTree(src, dst string) error {
	var st unix.Stat_t
	if err := unix.Lstat(src, &st); err != nil {
		return &os.PathError{Op: "lstat", Path: src, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return fmt.Errorf("copy %s: not a directory", src)
	}
	c := &copier{dev: st.Dev, links: map[[2]uint64]string{}}
	logf("Copying %q to %q", src, dst)
	if err := c.dir(src, dst, &st); err != nil {
		return err
	}
	logf("Copied %q to %q: %d files, %d reflinked, %d hard links", src, dst, c.files, c.reflinks, c.hardlinks)
	return nil
}

type copier struct {
	dev                        uint64
	links                      map[[2]uint64]string // (dev, ino) of multiply linked files -> first copy
	files, reflinks, hardlinks int
}

func (c *copier) dir(src, dst string, st *unix.Stat_t) error {
	if err := unix.Mkdir(dst, 0o700); err != nil && err != unix.EEXIST {
		return &os.PathError{Op: "mkdir", Path: dst, Err: err}
	}
	if st.Dev == c.dev {
		entries, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := c.entry(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
				return err
			}
		}
	}
	return c.meta(src, dst, st)
}

func (c *copier) entry(src, dst string) error {
	var st unix.Stat_t
	if err := unix.Lstat(src, &st); err != nil {
		return &os.PathError{Op: "lstat", Path: src, Err: err}
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return c.dir(src, dst, &st)
	case unix.S_IFLNK:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := os.Symlink(target, dst); err != nil {
			return err
		}
	case unix.S_IFREG:
		key := [2]uint64{st.Dev, st.Ino}
		if st.Nlink > 1 {
			if first, ok := c.links[key]; ok {
				c.hardlinks++
				return os.Link(first, dst)
			}
			c.links[key] = dst
		}
		if err := c.file(src, dst, &st); err != nil {
			return err
		}
	default: // devices, fifos, sockets
		if err := unix.Mknod(dst, st.Mode, int(st.Rdev)); err != nil {
			return &os.PathError{Op: "mknod", Path: dst, Err: err}
		}
	}
	return c.meta(src, dst, &st)
}

// meta gives dst src's owner, xattrs, mode and times, in the order that
// keeps them (chown clears set-id bits and file capabilities).
func (c *copier) meta(src, dst string, st *unix.Stat_t) error {
	if err := unix.Lchown(dst, int(st.Uid), int(st.Gid)); err != nil {
		return &os.PathError{Op: "lchown", Path: dst, Err: err}
	}
	if err := copyXattrs(src, dst); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		if err := unix.Chmod(dst, st.Mode&07777); err != nil {
			return &os.PathError{Op: "chmod", Path: dst, Err: err}
		}
	}
	ts := []unix.Timespec{st.Atim, st.Mtim}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, dst, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimes", Path: dst, Err: err}
	}
	return nil
}

func copyXattrs(src, dst string) error {
	size, err := unix.Llistxattr(src, nil)
	if err != nil || size == 0 {
		if err == unix.ENOTSUP {
			return nil
		}
		return err
	}
	list := make([]byte, size)
	if size, err = unix.Llistxattr(src, list); err != nil {
		return &os.PathError{Op: "listxattr", Path: src, Err: err}
	}
	start := 0
	for i := 0; i < size; i++ {
		if list[i] != 0 {
			continue
		}
		name := string(list[start:i])
		start = i + 1
		n, err := unix.Lgetxattr(src, name, nil)
		if err != nil {
			return &os.PathError{Op: "getxattr " + name, Path: src, Err: err}
		}
		val := make([]byte, n)
		if n, err = unix.Lgetxattr(src, name, val); err != nil {
			return &os.PathError{Op: "getxattr " + name, Path: src, Err: err}
		}
		if err := unix.Lsetxattr(dst, name, val[:n], 0); err != nil {
			if err == unix.ENOTSUP || err == unix.EOPNOTSUPP {
				logf("Cannot keep xattr %s of %q on %q: not supported there", name, src, dst)
				continue
			}
			return &os.PathError{Op: "setxattr " + name, Path: dst, Err: err}
		}
	}
	return nil
}

// file copies a regular file's data: a reflink, or its data extents
// through copy_file_range (holes stay holes).
func (c *copier) file(src, dst string, st *unix.Stat_t) error {
	in, err := os.OpenFile(src, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	c.files++
	err = copyData(in, out, st.Size)
	if err == errReflinked {
		c.reflinks++
		err = nil
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

var errReflinked = errors.New("reflinked")

func copyData(in, out *os.File, size int64) error {
	if size == 0 {
		return nil
	}
	if unix.IoctlFileClone(int(out.Fd()), int(in.Fd())) == nil {
		return errReflinked
	}
	ifd, ofd := int(in.Fd()), int(out.Fd())
	var off int64
	for off < size {
		data, err := unix.Seek(ifd, off, unix.SEEK_DATA)
		if err == unix.ENXIO {
			break // only a hole is left
		}
		if err != nil {
			data = off // no SEEK_DATA: copy everything
		}
		hole, err := unix.Seek(ifd, data, unix.SEEK_HOLE)
		if err != nil {
			hole = size
		}
		if err := copyRange(in, out, data, hole-data); err != nil {
			return err
		}
		off = hole
	}
	return unix.Ftruncate(ofd, size)
}

// copyRange copies n bytes at off; copy_file_range, or read/write where
// the kernel cannot (different filesystems on older kernels).
func copyRange(in, out *os.File, off, n int64) error {
	roff, woff := off, off
	for n > 0 {
		w, err := unix.CopyFileRange(int(in.Fd()), &roff, int(out.Fd()), &woff, int(min(n, 1<<30)), 0)
		if err != nil {
			if err == unix.EXDEV || err == unix.ENOSYS || err == unix.EINVAL || err == unix.EOPNOTSUPP {
				_, err := io.Copy(io.NewOffsetWriter(out, woff), io.NewSectionReader(in, roff, n))
				return err
			}
			return err
		}
		if w == 0 {
			break // the file shrank meanwhile
		}
		n -= int64(w)
	}
	return nil
}
