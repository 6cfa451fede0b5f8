package network

import (
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
)

// TestConfigErrors: each bad setting fails in New, before anything is
// created, with one line naming the key and value.
func TestConfigErrors(t *testing.T) {
	needRoot(t)
	sub := testSubnet(t)
	br := testBridge(t, sub+"1/24")
	nobr := "gxno" + randSuffix(t, 6)
	other, _ := testVeth(t)
	eth0, _ := netlink.LinkByName(other)
	mac := eth0.Attrs().HardwareAddr.String()
	for _, c := range []struct {
		lines []string
		want  string
	}{
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.link = " + nobr},
			"lxc.net.0.link = " + nobr + ": no such bridge on the host; create it (ip link add " + nobr + " type bridge) or fix the key"},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.link = " + other},
			"lxc.net.0.link = " + other + ": is a veth device, not a bridge (use type macvlan or phys for it, or name a bridge)"},
		{[]string{"lxc.net.0.type = phys", "lxc.net.0.link = " + nobr},
			"lxc.net.0.link = " + nobr + ": no such network device on the host (or it is in use by another container)"},
		{[]string{"lxc.net.0.type = phys"},
			"lxc.net.0.link: required for type phys (name the host device to hand over)"},
		{[]string{"lxc.net.0.type = macvlan", "lxc.net.0.link = " + nobr},
			"lxc.net.0.link = " + nobr + ": no such network device on the host"},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.link = " + br, "lxc.net.0.ipv4.address = " + sub + "1/24"},
			"lxc.net.0.ipv4.address = " + sub + "1/24: address already used by host interface " + br},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.ipv4.address = " + sub + "9/24", "lxc.net.1.type = veth", "lxc.net.1.ipv4.address = " + sub + "9/16"},
			"lxc.net.1.ipv4.address = " + sub + "9/16: already used by lxc.net.0.ipv4.address"},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.hwaddr = " + mac},
			"lxc.net.0.hwaddr = " + mac + ": MAC already used by host interface " + other},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.hwaddr = 01:00:5e:00:00:01"},
			`lxc.net.0.hwaddr: invalid value "01:00:5e:00:00:01"; a multicast address cannot be an interface address: make the first byte even (e.g. 00:16:3e:xx:xx:xx)`},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.mtu = abc"},
			`lxc.net.0.mtu: invalid value "abc"; expected the MTU in bytes, a number such as 1500`},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.link = " + br, "lxc.net.0.veth.vlan.tagged.id = 10", "lxc.net.0.veth.vlan.tagged.id = 20"},
			"lxc.net.0.veth.vlan.tagged.id = 10,20: bridge " + br + " has vlan_filtering off; enable it (ip link set " + br + " type bridge vlan_filtering 1)"},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.link = " + br, "lxc.net.0.veth.vlan.id = 7"},
			"lxc.net.0.veth.vlan.id = 7: bridge " + br + " has vlan_filtering off; enable it (ip link set " + br + " type bridge vlan_filtering 1)"},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.veth.pair = " + other},
			"lxc.net.0.veth.pair = " + other + ": a device of that name already exists on the host; choose another name or remove it"},
	} {
		before := hostLinkNames(t)
		_, err := New(Params{Name: "gxtest", LXCPath: "/tmp/gxtest", Spec: spec(t, c.lines...)})
		got := "<nil>"
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			// The kernel may lack VLAN filtering altogether.
			if strings.HasSuffix(got, ": bridge "+br+" has no VLAN filtering (kernel without CONFIG_BRIDGE_VLAN_FILTERING)") {
				continue
			}
			t.Errorf("%v:\ngot  %s\nwant %s", c.lines, got, c.want)
		}
		for name := range hostLinkNames(t) {
			if !before[name] {
				t.Errorf("%v: %s created", c.lines, name)
			}
		}
	}
}

// TestFailedSetupLeavesNothing: script.up fails after the veth exists;
// Teardown (the monitor's abort path) removes it and the record.
func TestFailedSetupLeavesNothing(t *testing.T) {
	needRoot(t)
	br := testBridge(t, "")
	before := hostLinkNames(t)
	n, err := New(Params{Name: "gxtest", LXCPath: "/tmp/gxtest", Spec: spec(t,
		"lxc.net.0.type = veth", "lxc.net.0.link = "+br, "lxc.net.0.script.up = /bin/false")})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Setup(nsProcess(t))
	if err == nil || err.Error() != "lxc.net.0.script.up = /bin/false: exited with status 1" {
		t.Fatalf("got %v", err)
	}
	if err := n.Teardown(); err != nil {
		t.Fatal(err)
	}
	for name := range hostLinkNames(t) {
		if !before[name] {
			t.Errorf("%s left on the host", name)
		}
	}
	if f := stateFiles(t); len(f) != 0 {
		t.Errorf("state left: %v", f)
	}
}

// TestMTUTheDeviceRefuses: a number LXC takes but the kernel does not
// fails the setup with one line naming key, value and the range, and
// leaves nothing behind.
func TestMTUTheDeviceRefuses(t *testing.T) {
	needRoot(t)
	before := hostLinkNames(t)
	n, err := New(Params{Name: "gxtest", LXCPath: "/tmp/gxtest", Spec: spec(t,
		"lxc.net.0.type = veth", "lxc.net.0.mtu = 99999999")})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Setup(nsProcess(t))
	if err == nil || !strings.HasPrefix(err.Error(), "lxc.net.0.mtu = 99999999: set on ") ||
		!strings.HasSuffix(err.Error(), ": invalid argument; the device does not take it: use 68 to its maximum (1500 for most, up to 9000 for jumbo frames)") {
		t.Fatalf("got %v", err)
	}
	if err := n.Teardown(); err != nil {
		t.Fatal(err)
	}
	for name := range hostLinkNames(t) {
		if !before[name] {
			t.Errorf("%s left on the host", name)
		}
	}
}
