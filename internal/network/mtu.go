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
	hint := ""
	if errors.Is(err, unix.EINVAL) {
		hint = "; the device does not take it: use 68 to its maximum (1500 for most, up to 9000 for jumbo frames)"
	}
	return fmt.Errorf("%s.mtu = %d: set on %s: %w%s", d.key, mtu, l.Attrs().Name, err, hint)
}
