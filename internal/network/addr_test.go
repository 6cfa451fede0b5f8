package network

import "testing"

func TestParseIPv4(t *testing.T) {
	for _, c := range []struct{ in, ipnet, bcast string }{
		{"10.0.3.5/24", "10.0.3.5/24", "10.0.3.255"},
		{"10.0.3.5/24 10.0.3.127", "10.0.3.5/24", "10.0.3.127"},
		{"192.168.1.9/30", "192.168.1.9/30", "192.168.1.11"},
		{"10.1.2.3/32", "10.1.2.3/32", "10.1.2.3"},
	} {
		a, err := parseIPv4(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if a.IPNet.String() != c.ipnet || a.Broadcast.String() != c.bcast {
			t.Errorf("%q: got %s brd %s, want %s brd %s", c.in, a.IPNet, a.Broadcast, c.ipnet, c.bcast)
		}
	}
	for _, bad := range []string{"10.0.3.5", "fd00::1/64", "10.0.3.5/24 nope", "x/24"} {
		if _, err := parseIPv4(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := parseIPv6("fd00::5/64"); err != nil {
		t.Error(err)
	}
	if _, err := parseIPv6("10.0.0.1/8"); err == nil {
		t.Error("IPv4 accepted as IPv6")
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
		err := n.parse(d)
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
