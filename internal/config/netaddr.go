package config

import (
	"fmt"
	"net"
	"net/netip"
)

// NetAddr is one lxc.net.N.ipv4.address or ipv6.address, parsed.
type NetAddr struct {
	Addr      netip.Addr
	Prefix    int        // as written or defaulted; IPv6 is checked against 128 at start (see NetDev.Err)
	Broadcast netip.Addr // IPv4 only, when written; invalid otherwise (derived from Prefix at use)
}

// String is the value as lxc.net.N.ipv4.address shows it in messages:
// "A/P", plus " BCAST" when one was written.
func (a NetAddr) String() string {
	s := fmt.Sprintf("%s/%d", a.Addr, a.Prefix)
	if a.Broadcast.IsValid() {
		s += " " + a.Broadcast.String()
	}
	return s
}

// Gateway is lxc.net.N.ipv4.gateway or ipv6.gateway.
type Gateway struct {
	Auto bool       // "auto": the link's first address, looked up at start
	Dev  bool       // "dev": a default route through the device, no address
	Addr netip.Addr // an address; invalid for auto, dev and unset
}

// IsSet reports whether a gateway was configured.
func (g Gateway) IsSet() bool { return g.Auto || g.Dev || g.Addr.IsValid() }

// String is the value as written ("" when unset).
func (g Gateway) String() string {
	switch {
	case g.Auto:
		return "auto"
	case g.Dev:
		return "dev"
	case g.Addr.IsValid():
		return g.Addr.String()
	}
	return ""
}

func gatewaySpec(v string) Gateway {
	switch v {
	case "":
		return Gateway{}
	case "auto":
		return Gateway{Auto: true}
	case "dev":
		return Gateway{Dev: true}
	}
	a, _ := netip.ParseAddr(v) // validated by the setter
	return Gateway{Addr: a}
}

// netValueError is the error a device keeps for a value LXC accepts when
// loading a config but cannot use at start (see NetDev.Err).
func netValueError(d *netdev, sub, value, hint string) *ParseError {
	return &ParseError{Key: fmt.Sprintf("lxc.net.%d.%s", d.idx, sub), Msg: fmt.Sprintf("invalid value %q", value), Hint: hint}
}

// netAddrsSpec turns the setters' addresses, gateways, routes and MAC
// into the Spec's typed values. The first value LXC would only reject at
// start is kept in n.Err for the start to report.
func netAddrsSpec(d *netdev, n *NetDev) {
	fail := func(e *ParseError) {
		if n.Err == nil {
			n.Err = e
		}
	}
	for _, a := range d.ipv4 {
		n.IPv4 = append(n.IPv4, NetAddr{Addr: a.addr, Prefix: int(a.prefix), Broadcast: a.bcast})
	}
	for _, a := range d.ipv6 {
		na := NetAddr{Addr: a.addr, Prefix: int(a.prefix)}
		switch {
		case a.prefix > 128:
			fail(netValueError(d, "ipv6.address", na.String(), "an IPv6 prefix is at most 128 bits"))
		case a.addr.Is4In6():
			fail(netValueError(d, "ipv6.address", na.String(), "write an IPv4 address in lxc.net.N.ipv4.address"))
		}
		n.IPv6 = append(n.IPv6, na)
	}
	n.IPv4Gateway, n.IPv6Gateway = gatewaySpec(d.ipv4gw), gatewaySpec(d.ipv6gw)
	if n.IPv6Gateway.Addr.Is4In6() {
		fail(netValueError(d, "ipv6.gateway", d.ipv6gw, "expected an IPv6 address, auto or dev"))
	}
	for _, r := range d.vethRoutes4 {
		p, _ := netip.ParsePrefix(r) // validated by the setter
		n.VethIPv4Routes = append(n.VethIPv4Routes, p)
	}
	for _, r := range d.vethRoutes6 {
		p, _ := netip.ParsePrefix(r)
		if p.Addr().Is4In6() {
			fail(netValueError(d, "veth.ipv6.route", r, "expected an IPv6 network ADDRESS/PREFIX"))
		}
		n.VethIPv6Routes = append(n.VethIPv6Routes, p)
	}
	if d.hwaddr == "" {
		return
	}
	mac, err := net.ParseMAC(d.hwaddr)
	switch {
	case err != nil || len(mac) != 6:
		fail(netValueError(d, "hwaddr", d.hwaddr, "expected a MAC address xx:xx:xx:xx:xx:xx (hex digits; x or X for random ones)"))
	case mac[0]&1 == 1:
		fail(netValueError(d, "hwaddr", d.hwaddr, "a multicast address cannot be an interface address: make the first byte even (e.g. 00:16:3e:xx:xx:xx)"))
	default:
		n.MAC = mac
	}
}
