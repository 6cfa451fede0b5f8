package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

// createKind says what to create when the last component of a path is
// missing: a mount entry's create= option, or what a setup step needs.
type createKind = config.MountCreate

const (
	createNone = config.CreateNone
	createDir  = config.CreateDir  // mkdir -p semantics
	createFile = config.CreateFile // parents as directories, then an empty regular file
)

// escapeError reports a symlink whose target leads out of the rootfs; the
// kernel would have followed it to a host path.
type escapeError struct {
	Target    string // path as given, relative to the rootfs
	Component string // prefix of Target that is the offending symlink
}

func (e *escapeError) Error() string {
	if e.Component == "" {
		return fmt.Sprintf("target %q leads outside the rootfs", e.Target)
	}
	if e.Component == strings.Trim(e.Target, "/") {
		return fmt.Sprintf("target %q is a symlink leading outside the rootfs", e.Target)
	}
	return fmt.Sprintf("target %q: %q is a symlink leading outside the rootfs", e.Target, e.Component)
}

// symlinkError reports any symlink where none is allowed (proc, sys targets).
type symlinkError struct{ Target, Component string }

func (e *symlinkError) Error() string {
	return fmt.Sprintf("target %q: %q is a symlink, refusing to mount there", e.Target, e.Component)
}

// maxSymlinkHops mirrors the kernel's MAXSYMLINKS.
const maxSymlinkHops = 40

// openInRoot returns an O_PATH fd for rel (relative to the directory fd
// root) without ever leaving root: symlinks that stay inside are followed,
// absolute symlinks and ".." above root are refused with *escapeError,
// magic links are refused. noSymlinks refuses every symlink
// (*symlinkError). Missing components are created according to create.
func openInRoot(root *os.File, rel string, create createKind, noSymlinks bool) (*os.File, error) {
	rel = strings.TrimLeft(rel, "/")
	if create == createNone {
		f, err := openat2Beneath(root, rel, noSymlinks)
		if err == nil || !retryWithWalk(err) {
			return f, err
		}
	}
	return walkInRoot(root, rel, create, noSymlinks)
}

// retryWithWalk: errors where the component walk either does more (create)
// or explains better (which component escapes).
func retryWithWalk(err error) bool {
	return errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EXDEV) ||
		errors.Is(err, unix.ELOOP) || errors.Is(err, unix.E2BIG) || errors.Is(err, unix.EPERM)
}

func openat2Beneath(root *os.File, rel string, noSymlinks bool) (*os.File, error) {
	if rel == "" {
		rel = "."
	}
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	}
	if noSymlinks {
		how.Resolve |= unix.RESOLVE_NO_SYMLINKS
	}
	for {
		fd, err := unix.Openat2(int(root.Fd()), rel, &how)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "openat2", Path: rel, Err: err}
		}
		return os.NewFile(uintptr(fd), rel), nil
	}
}

// walkInRoot resolves rel one component at a time with O_PATH|O_NOFOLLOW,
// keeping an fd per directory so ".." never climbs above root and no
// concurrent rename can redirect the walk.
func walkInRoot(root *os.File, rel string, create createKind, noSymlinks bool) (*os.File, error) {
	rootfd, err := unix.Dup(int(root.Fd()))
	if err != nil {
		return nil, err
	}
	stack := []int{rootfd} // open directories, stack[0] is the root
	names := []string{""}  // path (inside root) of each stack entry
	defer func() {
		for _, fd := range stack {
			unix.Close(fd)
		}
	}()
	todo := splitPath(rel)
	hops := 0
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		top := stack[len(stack)-1]
		switch name {
		case ".":
			continue
		case "..":
			if len(stack) == 1 {
				return nil, &escapeError{Target: rel, Component: names[0]}
			}
			unix.Close(top)
			stack, names = stack[:len(stack)-1], names[:len(names)-1]
			continue
		}
		here := path.Join(names[len(names)-1], name)
		last := len(todo) == 0
		fd, err := unix.Openat(top, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err == unix.ENOENT && create != createNone {
			if err = createAt(top, name, last && create == createFile); err != nil {
				return nil, &os.PathError{Op: "create", Path: here, Err: err}
			}
			fd, err = unix.Openat(top, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: here, Err: err}
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			unix.Close(fd)
			return nil, err
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFLNK:
			link, err := readlinkFd(fd)
			unix.Close(fd)
			if err != nil {
				return nil, err
			}
			if noSymlinks {
				return nil, &symlinkError{Target: rel, Component: here}
			}
			if hops++; hops > maxSymlinkHops {
				return nil, &os.PathError{Op: "open", Path: rel, Err: unix.ELOOP}
			}
			if path.IsAbs(link) || escapesFrom(len(stack)-1, link) {
				return nil, &escapeError{Target: rel, Component: here}
			}
			todo = append(splitPath(link), todo...)
		case unix.S_IFDIR:
			if last {
				return os.NewFile(uintptr(fd), here), nil
			}
			stack = append(stack, fd)
			names = append(names, here)
		default:
			if last {
				return os.NewFile(uintptr(fd), here), nil
			}
			unix.Close(fd)
			return nil, &os.PathError{Op: "open", Path: here, Err: unix.ENOTDIR}
		}
	}
	// rel named a directory already on the stack (e.g. "" or "a/..").
	fd, err := unix.Dup(stack[len(stack)-1])
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), names[len(names)-1]), nil
}

// escapesFrom reports whether a relative link read at depth climbs above the
// root purely lexically; it keeps error messages precise, the walk itself
// would catch it anyway.
func escapesFrom(depth int, link string) bool {
	for _, c := range splitPath(link) {
		switch c {
		case ".":
		case "..":
			depth--
			if depth < 0 {
				return true
			}
		default:
			depth++
		}
	}
	return false
}

func splitPath(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

func createAt(dirfd int, name string, file bool) error {
	if file {
		fd, err := unix.Openat(dirfd, name, unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
		if err == unix.EEXIST {
			return nil
		}
		if err != nil {
			return err
		}
		return unix.Close(fd)
	}
	if err := unix.Mkdirat(dirfd, name, 0o755); err != nil && err != unix.EEXIST {
		return err
	}
	return nil
}

func readlinkFd(fd int) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(fd, "", buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// fdPath is the magic-link path through which mount(2) and friends operate
// on exactly the object an O_PATH fd refers to.
func fdPath(f *os.File) string {
	return fmt.Sprintf("/proc/self/fd/%d", f.Fd())
}
