package lxc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// mountRoot mounts, on the host and below the runtime directory, the
// writable layer (a tmpfs, or --rw DIR), the squashfs layers and the
// overlay over the host's root that becomes the sandbox's rootfs. The
// overlay is mounted here, by root on the host, so that a user-namespaced
// sandbox copies up as the host does (overlayfs in a user namespace
// cannot take the host's / as a lower layer).
func (sb *sandbox) mountRoot() error {
	for _, d := range []string{"root", "mnt", "layers"} {
		if err := os.Mkdir(sb.path(d), 0o711); err != nil {
			return fmt.Errorf("sandbox runtime directory: %v", err)
		}
	}
	owner := 0
	if sb.o.IDMap {
		owner = sandboxUIDShift
	}
	if sb.o.RWDir != "" {
		sb.upper, sb.work = filepath.Join(sb.o.RWDir, "upper"), filepath.Join(sb.o.RWDir, "work")
		if err := os.MkdirAll(sb.o.RWDir, 0o700); err != nil {
			return fmt.Errorf("--rw %s: %v", sb.o.RWDir, err)
		}
		if err := os.Mkdir(sb.upper, 0o755); err == nil {
			if err := os.Chown(sb.upper, owner, owner); err != nil {
				return fmt.Errorf("--rw %s: %v", sb.upper, err)
			}
		} else if !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("--rw %s: %v", sb.o.RWDir, err)
		}
		if err := os.MkdirAll(sb.work, 0o700); err != nil {
			return fmt.Errorf("--rw %s: %v", sb.o.RWDir, err)
		}
	} else {
		tmp := sb.path("tmpfs")
		if err := os.Mkdir(tmp, 0o700); err != nil {
			return fmt.Errorf("sandbox runtime directory: %v", err)
		}
		// The runtime directory's own tmpfs holds the layer already.
		if !sb.tmpfsDir {
			if err := unix.Mount("tmpfs", tmp, "tmpfs", unix.MS_NODEV, "mode=0700"); err != nil {
				return fmt.Errorf("mounting the sandbox's writable tmpfs on %s: %v", tmp, err)
			}
		}
		sb.upper, sb.work = filepath.Join(tmp, "upper"), filepath.Join(tmp, "work")
		for _, d := range []string{sb.upper, sb.work} {
			if err := os.Mkdir(d, 0o755); err != nil {
				return fmt.Errorf("sandbox tmpfs: %v", err)
			}
		}
		if err := os.Chown(sb.upper, owner, owner); err != nil {
			return fmt.Errorf("sandbox tmpfs: %v", err)
		}
	}
	lower := []string{"/"}
	for i, l := range sb.o.Layers {
		dir, err := sb.mountLayer(i, l)
		if err != nil {
			return err
		}
		lower = append([]string{dir}, lower...) // later layers on top
	}
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", strings.Join(lower, ":"), sb.upper, sb.work)
	if err := unix.Mount("overlay", sb.path("root"), "overlay", 0, opts); err != nil {
		return fmt.Errorf("mounting the sandbox's overlay (%s) on %s: %v", opts, sb.path("root"), err)
	}
	return nil
}

// squashfsMagic starts every squashfs image ("hsqs", little endian).
var squashfsMagic = []byte("hsqs")

// mountLayer returns the directory that is layer i: a directory as it is,
// a squashfs file mounted read-only through a loop device that goes away
// with the mount (autoclear).
func (sb *sandbox) mountLayer(i int, layer string) (string, error) {
	abs, err := filepath.Abs(layer)
	if err != nil {
		return "", fmt.Errorf("--layer %s: %v", layer, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("--layer %s: %v", layer, unwrapPath(err))
	}
	mnt := sb.path("layers", strconv.Itoa(i))
	if err := os.Mkdir(mnt, 0o711); err != nil {
		return "", fmt.Errorf("--layer %s: %v", layer, err)
	}
	if st.IsDir() {
		return mnt, sb.mountDirLayer(layer, abs, mnt)
	}
	f, err := os.Open(abs)
	if err != nil {
		return "", fmt.Errorf("--layer %s: %v", layer, unwrapPath(err))
	}
	defer f.Close()
	head := make([]byte, 4)
	if _, err := f.ReadAt(head, 0); err != nil || !bytes.Equal(head, squashfsMagic) {
		return "", fmt.Errorf("--layer %s: neither a directory nor a squashfs image", layer)
	}
	loop, err := attachLoop(f)
	if err != nil {
		return "", fmt.Errorf("--layer %s: %v", layer, err)
	}
	defer loop.Close()
	if err := unix.Mount(loop.Name(), mnt, "squashfs", unix.MS_RDONLY|unix.MS_NODEV, ""); err != nil {
		return "", fmt.Errorf("--layer %s: mounting %s (squashfs) on %s: %v", layer, loop.Name(), mnt, err)
	}
	return mnt, nil
}

// mountDirLayer gives a directory layer a filesystem of its own, a
// read-only overlay of it over an empty directory: overlayfs refuses a
// lower layer below another one (the host's /) on the same filesystem.
func (sb *sandbox) mountDirLayer(layer, dir, mnt string) error {
	empty := sb.path("empty")
	if err := os.Mkdir(empty, 0o711); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("--layer %s: %v", layer, err)
	}
	opts := "lowerdir=" + dir + ":" + empty
	if err := unix.Mount("overlay", mnt, "overlay", unix.MS_RDONLY, opts); err != nil {
		return fmt.Errorf("--layer %s: mounting it read-only on %s: %v", layer, mnt, err)
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// attachLoop binds f to a free loop device, read-only and autoclear: the
// device detaches once it is neither mounted nor open, so a killed
// lxc-sandbox leaves no loop device behind.
func attachLoop(f *os.File) (*os.File, error) {
	ctl, err := os.OpenFile("/dev/loop-control", os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("loop devices: %v (is the loop module loaded?)", unwrapPath(err))
	}
	defer ctl.Close()
	for try := 0; try < 10; try++ {
		n, err := unix.IoctlRetInt(int(ctl.Fd()), unix.LOOP_CTL_GET_FREE)
		if err != nil {
			return nil, fmt.Errorf("loop devices: no free one: %v", err)
		}
		dev, err := os.OpenFile("/dev/loop"+strconv.Itoa(n), os.O_RDONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("loop device %d: %v", n, unwrapPath(err))
		}
		cfg := unix.LoopConfig{Fd: uint32(f.Fd())}
		cfg.Info.Flags = unix.LO_FLAGS_READ_ONLY | unix.LO_FLAGS_AUTOCLEAR
		err = unix.IoctlLoopConfigure(int(dev.Fd()), &cfg)
		if err == nil {
			return dev, nil
		}
		dev.Close()
		if !errors.Is(err, unix.EBUSY) {
			return nil, fmt.Errorf("loop device %d: %v", n, err)
		}
		// Another process took it between GET_FREE and CONFIGURE.
	}
	return nil, errors.New("loop devices: every free one was taken by others; try again")
}

// mountsBelow lists the mount points at or below dir, deepest first.
func mountsBelow(dir string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMountinfo(fields[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	// mountinfo lists parents first: unmount in reverse.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
