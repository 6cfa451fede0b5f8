package lxc

import (
	"errors"
	"fmt"
	"net"
	"path"
	"strings"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/network"
)

// AddDeviceNode makes the host's device node source (a character or block
// device) available in the running container at destination (source's
// path when empty): the node is created there and the container's devices
// cgroup allows it.
func (c *Container) AddDeviceNode(source string, destination ...string) error {
	return c.deviceNode(source, firstOr(destination, source), true)
}

// RemoveDeviceNode removes the node at destination (source's path when
// empty) from the running container and denies the device again.
func (c *Container) RemoveDeviceNode(source string, destination ...string) error {
	return c.deviceNode(source, firstOr(destination, source), false)
}

func firstOr(v []string, def string) string {
	if len(v) > 0 && v[0] != "" {
		return v[0]
	}
	return def
}

func (c *Container) deviceNode(source, dest string, add bool) error {
	pid := c.InitPid()
	if pid <= 0 {
		return ErrNotRunning
	}
	var st unix.Stat_t
	if err := unix.Stat(source, &st); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	typ := byte('c')
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
	case unix.S_IFBLK:
		typ = 'b'
	default:
		return fmt.Errorf("%s is not a character or block device", source)
	}
	rule := fmt.Sprintf("%c %d:%d rwm", typ, unix.Major(st.Rdev), unix.Minor(st.Rdev))
	if !path.IsAbs(dest) {
		return fmt.Errorf("%s: the path in the container must be absolute", dest)
	}
	if err := nodeInContainer(pid, dest, add, st.Mode, st.Rdev); err != nil {
		return err
	}
	if err := c.deviceRule(typ, st.Rdev, add, rule); err != nil {
		return err
	}
	log.Infof("%s %s (%s) at %s in %q", map[bool]string{true: "Added", false: "Removed"}[add], source, rule, dest, c.name)
	return nil
}

// deviceRule allows (or denies) the device in the container's device
// cgroup: the v1 devices controller where the host has one, else, on a
// cgroup2 host, through the monitor, which owns the eBPF device program
// (LXC's ADD_BPF_DEVICE_CGROUP).
func (c *Container) deviceRule(typ byte, rdev uint64, add bool, rule string) error {
	l, err := cgroup.Detect()
	if err != nil {
		return err
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	defer cl.Close()
	if h := l.ForController("devices"); h != nil && !h.Unified {
		key := "devices.deny"
		if add {
			key = "devices.allow"
		}
		p, err := cgroupFileIn(l, cl, key)
		if err == nil {
			err = writeExisting(p, rule)
		}
		if err != nil {
			return fmt.Errorf("%s %q: %w", key, rule, err)
		}
		return nil
	}
	item := cmdsock.DeviceItem{Type: typ, Major: int32(unix.Major(rdev)), Minor: int32(unix.Minor(rdev)), Access: "rwm", Allow: add}
	if err := cl.AddDeviceRule(item); err != nil {
		return fmt.Errorf("cgroup2 device rule %q: %w", rule, err)
	}
	return nil
}

// nodeInContainer creates (or with add false, removes) the node at dest
// under init's root. Every path is resolved inside that root
// (RESOLVE_IN_ROOT), so a symlink in the container cannot point the
// mknod at the host.
func nodeInContainer(pid int, dest string, add bool, mode uint32, rdev uint64) error {
	root, err := unix.Open(fmt.Sprintf("/proc/%d/root", pid), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open the container's root: %w", err)
	}
	defer unix.Close(root)
	dir, base := path.Split(path.Clean(dest))
	if base == "" || base == "/" {
		return fmt.Errorf("%s: not a file path", dest)
	}
	if add {
		if err := mkdirAllIn(root, dir); err != nil {
			return err
		}
	}
	dfd, err := openIn(root, dir)
	if err != nil {
		return fmt.Errorf("%s in the container: %w", dir, err)
	}
	defer unix.Close(dfd)
	if err := unix.Unlinkat(dfd, base, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove %s in the container: %w", dest, err)
	}
	if !add {
		return nil
	}
	if err := unix.Mknodat(dfd, base, mode, int(rdev)); err != nil {
		return fmt.Errorf("create the device node %s in the container: %w", dest, err)
	}
	return nil
}

func openIn(root int, p string) (int, error) {
	return unix.Openat2(root, "./"+strings.TrimPrefix(p, "/"), &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
}

// mkdirAllIn is mkdir -p of dir under root, each level resolved in root.
func mkdirAllIn(root int, dir string) error {
	cur := "/"
	for _, part := range strings.Split(strings.Trim(dir, "/"), "/") {
		if part == "" {
			continue
		}
		pfd, err := openIn(root, cur)
		if err != nil {
			return fmt.Errorf("%s in the container: %w", cur, err)
		}
		err = unix.Mkdirat(pfd, part, 0o755)
		unix.Close(pfd)
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("create %s in the container: %w", path.Join(cur, part), err)
		}
		cur = path.Join(cur, part)
	}
	return nil
}

// AttachInterface moves the host's network device source into the
// running container as destination (source's name when empty).
func (c *Container) AttachInterface(source, destination string) error {
	pid := c.InitPid()
	if pid <= 0 {
		return ErrNotRunning
	}
	if err := network.MoveIn(pid, source, destination); err != nil {
		return err
	}
	log.Infof("Moved network device %q into %q", source, c.name)
	return nil
}

// DetachInterface moves the container's network device source back to
// the host as destination (source's name when empty).
func (c *Container) DetachInterface(source, destination string) error {
	pid := c.InitPid()
	if pid <= 0 {
		return ErrNotRunning
	}
	if err := network.MoveOut(pid, source, destination); err != nil {
		return err
	}
	log.Infof("Moved network device %q out of %q", source, c.name)
	return nil
}

// HasInterface reports whether the running container has a network
// device named name.
func (c *Container) HasInterface(name string) bool {
	pid := c.InitPid()
	if pid <= 0 {
		return false
	}
	ns, err := netns.GetFromPid(pid)
	if err != nil {
		return false
	}
	defer ns.Close()
	return network.ExistsIn(ns, name)
}

// HostHasInterface reports whether the host has a network device name.
func HostHasInterface(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil && name != ""
}
