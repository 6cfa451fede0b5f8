package network

import (
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"

	"github.com/golxc/golxc/internal/config"
)

// ipv4Addr is an lxc.net.N.ipv4.address for netlink. Without a written
// broadcast address it is derived from the prefix, as LXC does.
func ipv4Addr(a config.NetAddr) *netlink.Addr {
	ip := net.IP(a.Addr.AsSlice())
	mask := net.CIDRMask(a.Prefix, 32)
	na := &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: mask}}
	if a.Broadcast.IsValid() {
		na.Broadcast = net.IP(a.Broadcast.AsSlice())
	} else {
		b := make(net.IP, 4)
		for i := range b {
			b[i] = ip[i] | ^mask[i]
		}
		na.Broadcast = b
	}
	return na
}

// ipv6Addr is an lxc.net.N.ipv6.address for netlink (the Spec refused a
// prefix over 128).
func ipv6Addr(a config.NetAddr) *netlink.Addr {
	return &netlink.Addr{IPNet: &net.IPNet{IP: net.IP(a.Addr.AsSlice()), Mask: net.CIDRMask(a.Prefix, 128)}}
}

// routeDst is a veth.ipv4.route / veth.ipv6.route destination: the
// network of the prefix, host bits cleared.
func routeDst(p netip.Prefix) *net.IPNet {
	m := p.Masked()
	return &net.IPNet{IP: net.IP(m.Addr().AsSlice()), Mask: net.CIDRMask(m.Bits(), m.Addr().BitLen())}
}

// hostMask is the /32 or /128 mask of ip.
func hostMask(ip net.IP) net.IPMask {
	if ip.To4() != nil {
		return net.CIDRMask(32, 32)
	}
	return net.CIDRMask(128, 128)
}
