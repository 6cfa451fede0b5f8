package config

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"testing"
)

// Addresses, gateways, routes and the MAC are parsed once, into typed
// values that survive the JSON trip to the init stage.
func TestSpecNetAddrs(t *testing.T) {
	c := mustLoad(t, `lxc.net.0.type = veth
lxc.net.0.hwaddr = 00:16:3e:aa:bb:cc
lxc.net.0.ipv4.address = 10.0.3.5/24
lxc.net.0.ipv4.address = 10.0.4.5/24 10.0.4.127
lxc.net.0.ipv4.gateway = auto
lxc.net.0.ipv6.address = fd00::5
lxc.net.0.ipv6.gateway = fd00::1
lxc.net.0.veth.ipv4.route = 10.9.0.0/16
lxc.net.0.veth.ipv6.route = fd01::/48
lxc.net.1.type = macvlan
lxc.net.1.ipv4.gateway = dev
lxc.net.2.type = veth
lxc.net.2.hwaddr = 01:00:5e:00:00:01
lxc.net.2.ipv6.address = fd00::9/200
`)
	for key, want := range map[string]string{"lxc.net.2.hwaddr": "01:00:5e:00:00:01", "lxc.net.2.ipv6.address": "fd00::9/200"} {
		if got, err := c.Get(key); err != nil || got != want {
			t.Errorf("%s: get_config_item %q %v (values LXC accepts at load stay readable)", key, got, err)
		}
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	n := s.Net[0]
	if n.IPv4[0] != (NetAddr{Addr: netip.MustParseAddr("10.0.3.5"), Prefix: 24}) ||
		n.IPv4[1].String() != "10.0.4.5/24 10.0.4.127" || n.IPv6[0].String() != "fd00::5/64" ||
		n.IPv4Gateway != (Gateway{Auto: true}) || n.IPv6Gateway.Addr != netip.MustParseAddr("fd00::1") ||
		n.VethIPv4Routes[0] != netip.MustParsePrefix("10.9.0.0/16") || n.VethIPv6Routes[0] != netip.MustParsePrefix("fd01::/48") ||
		n.MAC.String() != "00:16:3e:aa:bb:cc" || n.Hwaddr != "00:16:3e:aa:bb:cc" || n.Err != nil {
		t.Errorf("net 0: %+v", n)
	}
	if g := s.Net[1].IPv4Gateway; g != (Gateway{Dev: true}) || g.String() != "dev" || s.Net[1].IPv6Gateway.IsSet() {
		t.Errorf("net 1 gateways: %+v %+v", g, s.Net[1].IPv6Gateway)
	}
	// The first unusable value of the device, in the order the network
	// code checked them (addresses, then MAC), is kept for the start.
	want := `lxc.net.2.ipv6.address: invalid value "fd00::9/200"; an IPv6 prefix is at most 128 bits`
	if e := s.Net[2].Err; e == nil || e.Error() != want || s.Net[2].MAC != nil {
		t.Errorf("net 2: %v\nwant %s", e, want)
	}
	b, err := json.Marshal(s.Net)
	if err != nil {
		t.Fatal(err)
	}
	var back []NetDev
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s.Net) {
		t.Errorf("JSON round trip:\n%+v\n%+v", back, s.Net)
	}
}

// The VLAN settings reach the network code as numbers.
func TestSpecVethVlan(t *testing.T) {
	s := mustLoad(t, "lxc.net.0.type = veth\nlxc.net.0.veth.vlan.id = 10\nlxc.net.0.veth.vlan.tagged.id = 20\n"+
		"lxc.net.0.veth.vlan.tagged.id = 4094\nlxc.net.1.type = veth\nlxc.net.1.veth.vlan.id = none\nlxc.net.2.type = veth\n").mustSpec(t)
	if n := s.Net[0]; n.VethVlanID != 10 || n.VethVlanID.String() != "10" || len(n.VethVlanTagged) != 2 ||
		n.VethVlanTagged[0] != 20 || n.VethVlanTagged[1] != 4094 {
		t.Errorf("net 0: %+v", n)
	}
	if n := s.Net[1]; n.VethVlanID != VlanNone || n.VethVlanID.String() != "none" || n.VethVlanTagged != nil {
		t.Errorf("net 1: %+v", n)
	}
	if n := s.Net[2]; n.VethVlanID != 0 || n.VethVlanID.String() != "" {
		t.Errorf("net 2: %+v", n)
	}
}
