package image

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/ulikunitz/xz"
	"golang.org/x/sys/unix"
)

// UnpackOptions say how a tarball is unpacked.
type UnpackOptions struct {
	Excludes []string // tar --anchored --exclude patterns ("./dev/*")
	// Owners: keep the archive's numeric owners (root); otherwise files
	// belong to the caller, as tar does for users.
	Owners bool
	// OnlyFiles: regular files and directories only (meta tarballs).
	OnlyFiles bool
}

// Unpack extracts the xz-compressed tarball at src into the directory
// root. Every path is resolved inside root (openat2 RESOLVE_IN_ROOT): no
// "..", absolute path, symlink or hardlink in the archive can reach
// outside it. Device nodes that cannot be made (no privilege) are skipped.
func Unpack(src, root string, o UnpackOptions) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var zr io.Reader = br
	// xz (as served), or the plain tar the cache keeps beside it.
	if magic, _ := br.Peek(6); string(magic) == "\xfd7zXZ\x00" {
		if zr, err = xz.NewReader(br); err != nil {
			return fmt.Errorf("%s: not an xz file: %v", src, err)
		}
	}
	rootfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", root, err)
	}
	defer unix.Close(rootfd)
	u := &unpacker{rootfd: rootfd, root: root, o: o, dirfds: map[string]int{}}
	defer u.closeDirs()
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: corrupt archive: %v", src, err)
		}
		rel, ok := cleanName(h.Name)
		if !ok || u.excluded(rel) {
			continue
		}
		if err := u.entry(rel, h, tr); err != nil {
			return fmt.Errorf("unpack %s into %s: %s: %w", src, root, h.Name, err)
		}
	}
	return u.finishDirs()
}

// cleanName makes an archive name relative to the root; "." and names
// that climb out are not extracted.
func cleanName(name string) (string, bool) {
	c := path.Clean("/" + name)
	if c == "/" {
		return "", false
	}
	return c[1:], true
}

type dirMeta struct {
	rel string
	h   *tar.Header
}

type unpacker struct {
	rootfd int
	root   string
	o      UnpackOptions
	dirs   []dirMeta
	dirfds map[string]int // parent directories opened so far
}

func (u *unpacker) closeDirs() {
	for k, fd := range u.dirfds {
		unix.Close(fd)
		delete(u.dirfds, k)
	}
}

// parentDir is openDir through a cache: most members share a parent.
func (u *unpacker) parentDir(rel string) (int, error) {
	if fd, ok := u.dirfds[rel]; ok {
		return fd, nil
	}
	fd, err := u.openDir(rel)
	if err == nil {
		u.dirfds[rel] = fd
	}
	return fd, err
}

func (u *unpacker) excluded(rel string) bool {
	name := "./" + rel
	for _, p := range u.o.Excludes {
		p = "./" + strings.TrimPrefix(strings.TrimSpace(p), "./")
		if p == "./" {
			continue
		}
		// A pattern matches the member or any directory above it.
		for n := name; n != "." && n != "/"; n = path.Dir(n) {
			if ok, _ := path.Match(p, n); ok {
				return true
			}
		}
	}
	return false
}

// openDir opens directory rel (created, with parents, as needed) inside
// the root.
func (u *unpacker) openDir(rel string) (int, error) {
	how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
	if rel == "" || rel == "." {
		return unix.Openat2(u.rootfd, ".", how)
	}
	fd, err := unix.Openat2(u.rootfd, rel, how)
	if err == nil || !errors.Is(err, unix.ENOENT) {
		return fd, err
	}
	parent, err := u.openDir(path.Dir(rel))
	if err != nil {
		return -1, err
	}
	defer unix.Close(parent)
	if err := unix.Mkdirat(parent, path.Base(rel), 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, err
	}
	return unix.Openat2(u.rootfd, rel, how)
}

func (u *unpacker) entry(rel string, h *tar.Header, r io.Reader) error {
	if u.o.OnlyFiles && h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeDir {
		return nil
	}
	if h.Typeflag == tar.TypeDir {
		fd, err := u.openDir(rel)
		if err != nil {
			return err
		}
		unix.Close(fd)
		u.dirs = append(u.dirs, dirMeta{rel, h})
		return nil
	}
	dir, err := u.parentDir(path.Dir(rel))
	if err != nil {
		return err
	}
	base := path.Base(rel)
	// What was there goes (a later member replaces an earlier one), except
	// a non-empty directory, as tar does.
	if err := unix.Unlinkat(dir, base, 0); err != nil && errors.Is(err, unix.EISDIR) {
		if unix.Unlinkat(dir, base, unix.AT_REMOVEDIR) == nil {
			u.closeDirs() // a cached directory may have been this one
		}
	}
	mode := uint32(h.Mode) & 0o7777
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeRegA:
		fd, err := unix.Openat(dir, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return err
		}
		f := os.NewFile(uintptr(fd), rel)
		defer f.Close()
		if _, err := io.Copy(f, r); err != nil {
			return err
		}
		if u.o.Owners {
			if err := unix.Fchown(fd, h.Uid, h.Gid); err != nil && !errors.Is(err, unix.EPERM) {
				return err
			}
		}
		if err := unix.Fchmod(fd, mode); err != nil {
			return err
		}
		u.xattrs(fd, h)
		return unix.Futimes(fd, []unix.Timeval{unix.NsecToTimeval(h.ModTime.UnixNano()), unix.NsecToTimeval(h.ModTime.UnixNano())})
	case tar.TypeSymlink:
		if err := unix.Symlinkat(h.Linkname, dir, base); err != nil {
			return err
		}
	case tar.TypeLink:
		target, ok := cleanName(h.Linkname)
		if !ok {
			return fmt.Errorf("hard link to %q", h.Linkname)
		}
		tdir, err := u.parentDir(path.Dir(target))
		if err != nil {
			return err
		}
		return unix.Linkat(tdir, path.Base(target), dir, base, 0)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		kind := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[h.Typeflag]
		err := unix.Mknodat(dir, base, kind|mode, int(unix.Mkdev(uint32(h.Devmajor), uint32(h.Devminor))))
		if errors.Is(err, unix.EPERM) && h.Typeflag != tar.TypeFifo {
			return nil // a user cannot make devices; the container gets them from autodev
		}
		if err != nil {
			return err
		}
		if err := unix.Fchmodat(dir, base, mode, 0); err != nil {
			return err
		}
	default:
		return nil // pax/GNU metadata the tar reader already applied, or unknown: skipped
	}
	if u.o.Owners {
		if err := unix.Fchownat(dir, base, h.Uid, h.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil && !errors.Is(err, unix.EPERM) {
			return err
		}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(h.ModTime.UnixNano()), unix.NsecToTimespec(h.ModTime.UnixNano())}
	unix.UtimesNanoAt(dir, base, ts, unix.AT_SYMLINK_NOFOLLOW)
	return nil
}

// xattrs sets the archive's extended attributes (PAX SCHILY.xattr.*) on
// fd; attributes the filesystem refuses are skipped, as tar warns and goes on.
func (u *unpacker) xattrs(fd int, h *tar.Header) {
	for k, v := range h.PAXRecords {
		if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok {
			unix.Fsetxattr(fd, name, []byte(v), 0)
		}
	}
}

// finishDirs applies directory owners, modes and times last, deepest
// first, so read-only directories could be filled.
func (u *unpacker) finishDirs() error {
	for i := len(u.dirs) - 1; i >= 0; i-- {
		d := u.dirs[i]
		how := &unix.OpenHow{Flags: unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
			Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_SYMLINKS}
		fd, err := unix.Openat2(u.rootfd, d.rel, how)
		if err != nil {
			continue // replaced by a later member
		}
		if u.o.Owners {
			if err := unix.Fchown(fd, d.h.Uid, d.h.Gid); err != nil && !errors.Is(err, unix.EPERM) {
				unix.Close(fd)
				return fmt.Errorf("%s: %w", d.rel, err)
			}
		}
		err = unix.Fchmod(fd, uint32(d.h.Mode)&0o7777)
		u.xattrs(fd, d.h)
		t := unix.NsecToTimeval(d.h.ModTime.UnixNano())
		unix.Futimes(fd, []unix.Timeval{t, t})
		unix.Close(fd)
		if err != nil {
			return fmt.Errorf("%s: %w", d.rel, err)
		}
	}
	return nil
}
