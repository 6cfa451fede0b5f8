package network

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// setMTU gives l lxc.net.N.mtu. A number the device cannot take (LXC
// 5.0.2 also fails the start on it) gets one line saying what to write.
func setMTU(n *Network, d *device, l netlink.Link, mtu int) error {
	err := n.host.LinkSetMTU(l, mtu)
	if err == nil {
		return nil
	}
	return mtuError(d, l.Attrs().Name, mtu, err)
}

// mtuError is the one line for an MTU the device name refused.
func mtuError(d *device, name string, mtu int, err error) error {
	hint := ""
	if errors.Is(err, unix.EINVAL) {
		hint = "; the device does not take it: use 68 to its maximum (1500 for most, up to 9000 for jumbo frames)"
	}
	return fmt.Errorf("%s.mtu = %d: set on %s: %w%s", d.key, mtu, name, err, hint)
}
