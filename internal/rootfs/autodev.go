package rootfs

import (
	"errors"
	"fmt"
	"path"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// defaultAutodevSize is LXC's lxc.autodev.tmpfs.size default, in bytes.
const defaultAutodevSize = 500000

// autodevNodes are the device nodes LXC puts in an autodev /dev.
var autodevNodes = []struct {
	name         string
	major, minor uint32
}{
	{"full", 1, 7}, {"null", 1, 3}, {"random", 1, 8},
	{"tty", 5, 0}, {"urandom", 1, 9}, {"zero", 1, 5},
}

// mountAutodev mounts the tmpfs /dev and creates /dev/pts in it.
func (s *Setup) mountAutodev() error {
	size := s.Spec.AutodevTmpfsSize
	if size <= 0 {
		size = defaultAutodevSize
	}
	dev, err := openInRoot(s.root, "dev", createDir, true)
	if err != nil {
		return fmt.Errorf("lxc.autodev: /dev: %v", describe(err))
	}
	defer dev.Close()
	if err := unix.Mount("none", fdPath(dev), "tmpfs", 0, fmt.Sprintf("size=%d,mode=755", size)); err != nil {
		return fmt.Errorf("lxc.autodev: mounting tmpfs on /dev: %v", err)
	}
	log.Infof("Prepared \"/dev\" (tmpfs size=%d)", size)
	pts, err := openInRoot(s.root, "dev/pts", createDir, true)
	if err != nil {
		return fmt.Errorf("lxc.autodev: /dev/pts: %v", describe(err))
	}
	return pts.Close()
}

// fillAutodev creates the standard nodes; where mknod is not allowed (user
// namespace) or the nodes are unusable (nodev), it bind-mounts the host's.
func (s *Setup) fillAutodev() error {
	dev, err := openInRoot(s.root, "dev", createNone, true)
	if err != nil {
		return fmt.Errorf("lxc.autodev: /dev: %v", describe(err))
	}
	defer dev.Close()
	old := unix.Umask(0o111) // nodes end up 0666 like LXC's
	defer unix.Umask(old)
	useBind, checked := false, false
	for _, n := range autodevNodes {
		if !useBind {
			err := unix.Mknodat(int(dev.Fd()), n.name, unix.S_IFCHR|0o777, int(unix.Mkdev(n.major, n.minor)))
			switch {
			case err == nil || err == unix.EEXIST:
				log.Debugf("Created device node %q", n.name)
				if checked {
					continue
				}
				checked = true
				fd, oerr := unix.Openat(int(dev.Fd()), n.name, unix.O_RDONLY|unix.O_NOCTTY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
				if oerr == nil {
					unix.Close(fd)
					continue
				}
				useBind = true // nodes exist but cannot be opened (nodev)
			case err == unix.EPERM:
				useBind = true
			default:
				return fmt.Errorf("lxc.autodev: creating /dev/%s: %v", n.name, err)
			}
		}
		if err := s.bindHostDev(n.name); err != nil {
			return err
		}
	}
	return nil
}

// bindHostDev bind-mounts the host's /dev/NAME onto the container's.
func (s *Setup) bindHostDev(name string) error {
	rel := path.Join("dev", name)
	tgt, err := openInRoot(s.root, rel, createFile, true)
	if err != nil {
		return fmt.Errorf("lxc.autodev: /%s: %v", rel, describe(err))
	}
	defer tgt.Close()
	if err := unix.Mount("/dev/"+name, fdPath(tgt), "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("lxc.autodev: bind-mounting host /dev/%s: %v", name, err)
	}
	log.Debugf("Bind mounted host device node %q", "/dev/"+name)
	return nil
}

// setupDevSymlinks adds /dev/fd, stdin, stdout, stderr unless present.
func (s *Setup) setupDevSymlinks() error {
	dev, err := openInRoot(s.root, "dev", createNone, true)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("/dev symlinks: %v", describe(err))
	}
	defer dev.Close()
	for _, l := range [][2]string{
		{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
		{"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
	} {
		var st unix.Stat_t
		if unix.Fstatat(int(dev.Fd()), l[1], &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
			continue
		}
		err := unix.Symlinkat(l[0], int(dev.Fd()), l[1])
		if err != nil && err != unix.EEXIST && err != unix.EROFS {
			return fmt.Errorf("/dev symlinks: creating /dev/%s: %v", l[1], err)
		}
	}
	return nil
}
