package network

import "testing"

// The Spec's parsed addresses become the netlink values the devices get.
func TestAddrsFromSpec(t *testing.T) {
	for _, c := range []struct{ in, ipnet, bcast string }{
		{"10.0.3.5/24", "10.0.3.5/24", "10.0.3.255"},
		{"10.0.3.5/24 10.0.3.127", "10.0.3.5/24", "10.0.3.127"},
		{"192.168.1.9/30", "192.168.1.9/30", "192.168.1.11"},
		{"10.1.2.3/32", "10.1.2.3/32", "10.1.2.3"},
		{"10.1.2.3", "10.1.2.3/8", "10.255.255.255"}, // LXC's default prefix
	} {
		a := ipv4Addr(spec(t, "lxc.net.0.type = veth", "lxc.net.0.ipv4.address = "+c.in).Net[0].IPv4[0])
		if a.IPNet.String() != c.ipnet || a.Broadcast.String() != c.bcast || len(a.IP) != 4 {
			t.Errorf("%q: got %s brd %s, want %s brd %s", c.in, a.IPNet, a.Broadcast, c.ipnet, c.bcast)
		}
	}
	if a := ipv6Addr(spec(t, "lxc.net.0.type = veth", "lxc.net.0.ipv6.address = fd00::5").Net[0].IPv6[0]); a.IPNet.String() != "fd00::5/64" {
		t.Errorf("ipv6: %s", a.IPNet)
	}
	s := spec(t, "lxc.net.0.type = veth", "lxc.net.0.veth.ipv4.route = 10.2.3.4/16", "lxc.net.0.veth.ipv6.route = fd00:1::7/48")
	if r4, r6 := routeDst(s.Net[0].VethIPv4Routes[0]), routeDst(s.Net[0].VethIPv6Routes[0]); r4.String() != "10.2.0.0/16" || r6.String() != "fd00:1::/48" {
		t.Errorf("routes: %s %s", r4, r6)
	}
}

// Values LXC accepts when loading but cannot use fail New, before
// anything is created, with the key, the value and what to write.
func TestSpecValueErrors(t *testing.T) {
	for _, c := range []struct {
		line, want string
	}{
		{"lxc.net.0.hwaddr = zz:16:3e:00:00:01",
			`lxc.net.0.hwaddr: invalid value "zz:16:3e:00:00:01"; expected a MAC address xx:xx:xx:xx:xx:xx (hex digits; x or X for random ones)`},
		{"lxc.net.0.hwaddr = 01:00:5e:00:00:01",
			`lxc.net.0.hwaddr: invalid value "01:00:5e:00:00:01"; a multicast address cannot be an interface address: make the first byte even (e.g. 00:16:3e:xx:xx:xx)`},
		{"lxc.net.0.ipv6.address = fd00::1/200",
			`lxc.net.0.ipv6.address: invalid value "fd00::1/200"; an IPv6 prefix is at most 128 bits`},
		{"lxc.net.0.ipv6.address = ::ffff:10.0.0.1/96",
			`lxc.net.0.ipv6.address: invalid value "::ffff:10.0.0.1/96"; write an IPv4 address in lxc.net.N.ipv4.address`},
	} {
		s := spec(t, "lxc.net.0.type = veth", c.line)
		err := (&Network{}).loadAddrs(&device{cfg: s.Net[0], key: "lxc.net.0"})
		if err == nil || err.Error() != c.want {
			t.Errorf("%s:\ngot  %v\nwant %s", c.line, err, c.want)
		}
	}
}

func TestParseGatewayNeedsUpAndAddress(t *testing.T) {
	for _, c := range []struct {
		lines []string
		want  string
	}{
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.ipv4.address = 10.9.0.2/24", "lxc.net.0.ipv4.gateway = 10.9.0.1"},
			"lxc.net.0.ipv4.gateway = 10.9.0.1: a gateway needs the interface up (set lxc.net.0.flags = up)"},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.flags = up", "lxc.net.0.ipv6.gateway = fd00::1"},
			"lxc.net.0.ipv6.gateway = fd00::1: a gateway needs an address on the interface (set lxc.net.0.ipv6.address)"},
		{[]string{"lxc.net.0.type = phys", "lxc.net.0.flags = up", "lxc.net.0.ipv4.address = 10.9.0.2/24", "lxc.net.0.ipv4.gateway = auto"},
			"lxc.net.0.ipv4.gateway = auto: only veth, macvlan and ipvlan can take the gateway from their link"},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.flags = up", "lxc.net.0.ipv4.address = 10.9.0.2/24", "lxc.net.0.ipv4.gateway = auto"},
			"lxc.net.0.ipv4.gateway = auto: needs lxc.net.0.link to take the gateway address from"},
	} {
		s := spec(t, c.lines...)
		d := &device{cfg: s.Net[0], key: "lxc.net.0"}
		n := &Network{}
		err := n.loadAddrs(d)
		if err == nil || err.Error() != c.want {
			t.Errorf("got %v\nwant %s", err, c.want)
		}
	}
}

func TestNoneCannotBeCombined(t *testing.T) {
	_, err := New(Params{Name: "x", Spec: spec(t, "lxc.net.0.type = none", "lxc.net.1.type = veth"), NetnsShared: true})
	want := "lxc.net.0.type = none shares the host network and cannot be combined with lxc.net.1.type = veth; remove one of them"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v", err)
	}
	n, err := New(Params{Name: "x", Spec: spec(t, "lxc.net.0.type = none"), NetnsShared: true})
	if err != nil || n != nil {
		t.Fatalf("type none alone: %v %v", n, err)
	}
}
