package network

import (
	"fmt"
	"net"
	"strings"

	"github.com/vishvananda/netlink"
)

// parseIPv4 reads one lxc.net.N.ipv4.address value, "A.B.C.D/P [BCAST]".
// Without BCAST the broadcast address is derived from the prefix, as LXC
// does.
func parseIPv4(v string) (*netlink.Addr, error) {
	cidr, bcast, _ := strings.Cut(strings.TrimSpace(v), " ")
	ip, ipn, err := net.ParseCIDR(cidr)
	if err != nil || ip.To4() == nil {
		return nil, fmt.Errorf("not an IPv4 address with prefix")
	}
	a := &netlink.Addr{IPNet: &net.IPNet{IP: ip.To4(), Mask: ipn.Mask}}
	if bcast = strings.TrimSpace(bcast); bcast != "" {
		b := net.ParseIP(bcast)
		if b == nil || b.To4() == nil {
			return nil, fmt.Errorf("broadcast %q is not an IPv4 address", bcast)
		}
		a.Broadcast = b.To4()
	} else {
		b := make(net.IP, 4)
		for i := range b {
			b[i] = a.IP[i] | ^ipn.Mask[i]
		}
		a.Broadcast = b
	}
	return a, nil
}

// parseIPv6 reads one lxc.net.N.ipv6.address value, "ADDR/P".
func parseIPv6(v string) (*netlink.Addr, error) {
	ip, ipn, err := net.ParseCIDR(strings.TrimSpace(v))
	if err != nil || ip.To4() != nil {
		return nil, fmt.Errorf("not an IPv6 address with prefix")
	}
	return &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: ipn.Mask}}, nil
}

// parseRoute reads a veth.ipv4.route / veth.ipv6.route value "NET/P".
func parseRoute(v string, v6 bool) (*net.IPNet, error) {
	ip, ipn, err := net.ParseCIDR(strings.TrimSpace(v))
	if err != nil || (ip.To4() == nil) != v6 {
		return nil, fmt.Errorf("not an IPv%s network with prefix", map[bool]string{false: "4", true: "6"}[v6])
	}
	return ipn, nil
}

// hostMask is the /32 or /128 mask of ip.
func hostMask(ip net.IP) net.IPMask {
	if ip.To4() != nil {
		return net.CIDRMask(32, 32)
	}
	return net.CIDRMask(128, 128)
}
