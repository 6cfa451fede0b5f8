package network

import (
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// MoveIn hands the host's network device name to the network namespace
// of pid, named newName there (lxc-device add, the API's
// AttachInterface). A device that is up is set down first, as LXC does;
// the container brings it up.
func MoveIn(pid int, name, newName string) error {
	return move(pid, name, newName, true)
}

// MoveOut gives the device name in pid's network namespace back to the
// host as newName (lxc-device del, DetachInterface).
func MoveOut(pid int, name, newName string) error {
	return move(pid, name, newName, false)
}

func move(pid int, name, newName string, in bool) error {
	if newName == "" {
		newName = name
	}
	host, err := netns.Get()
	if err != nil {
		return fmt.Errorf("open the host network namespace: %w", err)
	}
	defer host.Close()
	ct, err := netns.GetFromPid(pid)
	if err != nil {
		return fmt.Errorf("open the network namespace of pid %d: %w", pid, err)
	}
	defer ct.Close()
	hh, err := netlink.NewHandleAt(host, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netlink in the host namespace: %w", err)
	}
	defer hh.Close()
	ch, err := netlink.NewHandleAt(ct, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netlink in the container's namespace: %w", err)
	}
	defer ch.Close()
	from, to, toNS, where := hh, ch, ct, "in the container"
	if !in {
		from, to, toNS, where = ch, hh, host, "on the host"
	}
	l, err := from.LinkByName(name)
	if err != nil {
		return fmt.Errorf("network device %q not found: %w", name, err)
	}
	if _, err := to.LinkByName(newName); err == nil {
		return fmt.Errorf("a network device %q already exists %s: give another name", newName, where)
	}
	if l.Attrs().Flags&net.FlagUp != 0 {
		if err := from.LinkSetDown(l); err != nil {
			return fmt.Errorf("set %q down: %w", name, err)
		}
	}
	if err := from.LinkSetNsFd(l, int(toNS)); err != nil {
		return fmt.Errorf("move %q: %w", name, err)
	}
	if newName == name {
		return nil
	}
	moved, err := to.LinkByIndex(l.Attrs().Index)
	if err != nil || moved.Attrs().Name != name {
		// The index may change across namespaces; the name does not.
		if moved, err = to.LinkByName(name); err != nil {
			return fmt.Errorf("find %q after the move: %w", name, err)
		}
	}
	if err := to.LinkSetName(moved, newName); err != nil {
		return fmt.Errorf("rename %q to %q %s: %w", name, newName, where, err)
	}
	return nil
}

// ExistsIn reports whether the namespace ns has a device named name.
func ExistsIn(ns netns.NsHandle, name string) bool {
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return false
	}
	defer h.Close()
	_, err = h.LinkByName(name)
	return err == nil
}
