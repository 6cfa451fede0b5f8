package network

import (
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
)

// TestMacvlan: a macvlan on a test parent (a veth end) in bridge mode,
// addressed inside; nothing stays on the host after teardown.
func TestMacvlan(t *testing.T) {
	needRoot(t)
	parent, _ := testVeth(t)
	pid := nsProcess(t)
	before := hostLinkNames(t)
	n := up(t, pid, "lxc.net.0.type = macvlan", "lxc.net.0.link = "+parent, "lxc.net.0.macvlan.mode = bridge",
		"lxc.net.0.flags = up", "lxc.net.0.ipv4.address = 10.250.3.5/24", "lxc.net.0.mtu = 1400")
	h := nsHandle(t, pid)
	l := linkIn(t, h, "eth0")
	mv, ok := l.(*netlink.Macvlan)
	if !ok || mv.Mode != netlink.MACVLAN_MODE_BRIDGE || l.Attrs().MTU != 1400 {
		t.Fatalf("eth0 is %T %+v", l, l.Attrs())
	}
	if got := addrsOf(t, h, l, netlink.FAMILY_V4); len(got) != 1 || !strings.HasPrefix(got[0], "10.250.3.5/24") {
		t.Errorf("addresses: %v", got)
	}
	n.Teardown()
	for name := range hostLinkNames(t) {
		if !before[name] {
			t.Errorf("%s left on the host", name)
		}
	}
}

// TestVlanAndIpvlan run where the kernel has the drivers; elsewhere the
// start must fail with one line naming the key and the kernel option,
// and leave nothing.
func TestVlanAndIpvlan(t *testing.T) {
	needRoot(t)
	for _, c := range []struct{ typ, extra, kind, hint string }{
		{"vlan", "lxc.net.0.vlan.id = 42", "vlan", "CONFIG_VLAN_8021Q"},
		{"ipvlan", "lxc.net.0.ipvlan.mode = l2", "ipvlan", "CONFIG_IPVLAN"},
	} {
		t.Run(c.typ, func(t *testing.T) {
			parent, _ := testVeth(t)
			pid := nsProcess(t)
			before := hostLinkNames(t)
			n, err := New(Params{Name: "gxtest", LXCPath: "/tmp/gxtest", Spec: spec(t,
				"lxc.net.0.type = "+c.typ, "lxc.net.0.link = "+parent, c.extra, "lxc.net.0.flags = up")})
			if err != nil {
				t.Fatal(err)
			}
			err = n.Setup(pid)
			if err != nil {
				n.Teardown()
				if !strings.HasPrefix(err.Error(), "lxc.net.0.type = "+c.typ+": create ") || !strings.Contains(err.Error(), c.hint) {
					t.Fatalf("unclear error: %v", err)
				}
				for name := range hostLinkNames(t) {
					if !before[name] {
						t.Errorf("%s left on the host", name)
					}
				}
				t.Skipf("kernel lacks %s (error checked): %v", c.typ, err)
			}
			defer n.Teardown()
			l := linkIn(t, nsHandle(t, pid), "eth0")
			if l.Type() != c.kind {
				t.Fatalf("eth0 is a %s", l.Type())
			}
			if v, ok := l.(*netlink.Vlan); ok && v.VlanId != 42 {
				t.Errorf("vlan id %d", v.VlanId)
			}
		})
	}
}
