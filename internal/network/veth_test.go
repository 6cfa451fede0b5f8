package network

import (
	"net"
	"os"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
)

// TestVethBridgeStatic: a veth on a test bridge with every per-device key;
// the host end is attached and private, the container end is named,
// addressed and routed; teardown leaves nothing.
func TestVethBridgeStatic(t *testing.T) {
	needRoot(t)
	sub := testSubnet(t)
	br := testBridge(t, sub+"1/24")
	pid := nsProcess(t)
	n := up(t, pid,
		"lxc.net.0.type = veth", "lxc.net.0.link = "+br, "lxc.net.0.flags = up",
		"lxc.net.0.name = gx0", "lxc.net.0.mtu = 1400", "lxc.net.0.hwaddr = 02:16:3e:12:34:56",
		"lxc.net.0.ipv4.address = "+sub+"10/24", "lxc.net.0.ipv4.address = "+sub+"11/24 "+sub+"127",
		"lxc.net.0.ipv4.gateway = auto", "lxc.net.0.ipv6.address = fd42:250::10/64",
		"lxc.net.0.ipv6.gateway = fd42:250::1")
	hostName, ok := n.ConfigItem("lxc.net.0.veth.pair")
	if !ok || !strings.HasPrefix(hostName, "veth") || len(hostName) != 10 {
		t.Fatalf("veth.pair in the running config: %q %v", hostName, ok)
	}
	if name, _ := n.ConfigItem("lxc.net.0.name"); name != "gx0" {
		t.Errorf("running lxc.net.0.name = %q", name)
	}
	host, err := netlink.LinkByName(hostName)
	if err != nil {
		t.Fatal(err)
	}
	brl, _ := netlink.LinkByName(br)
	if host.Attrs().MasterIndex != brl.Attrs().Index {
		t.Errorf("host end not attached to %s", br)
	}
	if host.Attrs().HardwareAddr[0] != 0xfe || host.Attrs().MTU != 1400 || host.Attrs().Flags&net.FlagUp == 0 {
		t.Errorf("host end: mac %s mtu %d flags %v", host.Attrs().HardwareAddr, host.Attrs().MTU, host.Attrs().Flags)
	}
	h := nsHandle(t, pid)
	l := linkIn(t, h, "gx0")
	if l.Attrs().HardwareAddr.String() != "02:16:3e:12:34:56" || l.Attrs().MTU != 1400 || l.Attrs().Flags&net.FlagUp == 0 {
		t.Errorf("container end: mac %s mtu %d flags %v", l.Attrs().HardwareAddr, l.Attrs().MTU, l.Attrs().Flags)
	}
	got := strings.Join(addrsOf(t, h, l, netlink.FAMILY_V4), ", ")
	want := sub + "10/24 brd " + sub + "255, " + sub + "11/24 brd " + sub + "127"
	if got != want {
		t.Errorf("IPv4: got %s, want %s", got, want)
	}
	if got := addrsOf(t, h, l, netlink.FAMILY_V6); len(got) != 1 || got[0] != "fd42:250::10/64" {
		t.Errorf("IPv6: %v", got)
	}
	lo := linkIn(t, h, "lo")
	if lo.Attrs().Flags&net.FlagUp == 0 {
		t.Error("lo is not up")
	}
	gws := map[string]bool{}
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rs, _ := h.RouteList(l, fam)
		for _, r := range rs {
			if r.Dst == nil || r.Dst.IP.IsUnspecified() {
				gws[r.Gw.String()] = true
			}
		}
	}
	if !gws[sub+"1"] || !gws["fd42:250::1"] {
		t.Errorf("default routes: %v", gws)
	}
	if len(stateFiles(t)) != 1 {
		t.Errorf("state files while running: %v", stateFiles(t))
	}
	if err := n.Teardown(); err != nil {
		t.Fatal(err)
	}
	if _, err := netlink.LinkByName(hostName); err == nil {
		t.Errorf("host veth %s left after teardown", hostName)
	}
	if f := stateFiles(t); len(f) != 0 {
		t.Errorf("state left after teardown: %v", f)
	}
}

// TestVethDefaultsAndSeveral: no name gives eth0, eth1 (kernel numbering);
// an explicit veth.pair is used; a device without flags stays down and
// without any "up" device lo stays down too.
func TestVethDefaultsAndSeveral(t *testing.T) {
	needRoot(t)
	br := testBridge(t, "")
	pair := "gxp" + randSuffix(t, 8)
	pid := nsProcess(t)
	n := up(t, pid,
		"lxc.net.0.type = veth", "lxc.net.0.link = "+br, "lxc.net.0.veth.pair = "+pair,
		"lxc.net.1.type = veth")
	if v, _ := n.ConfigItem("lxc.net.0.veth.pair"); v != pair {
		t.Errorf("veth.pair = %q, want %q", v, pair)
	}
	h := nsHandle(t, pid)
	for _, name := range []string{"eth0", "eth1"} {
		if l := linkIn(t, h, name); l.Attrs().Flags&net.FlagUp != 0 {
			t.Errorf("%s is up without flags = up", name)
		}
	}
	if lo := linkIn(t, h, "lo"); lo.Attrs().Flags&net.FlagUp != 0 {
		t.Error("lo up although no device has flags = up")
	}
	if _, err := netlink.LinkByName(pair); err != nil {
		t.Fatalf("veth.pair %s not on the host: %v", pair, err)
	}
	second, _ := n.ConfigItem("lxc.net.1.veth.pair")
	n.Teardown()
	for _, v := range []string{pair, second} {
		if _, err := netlink.LinkByName(v); err == nil {
			t.Errorf("%s left after teardown", v)
		}
	}
}

// TestVethRouterMode: no bridge; host routes to the container's addresses
// and veth.ipv4.route through the host end, a proxy entry for the gateway.
func TestVethRouterMode(t *testing.T) {
	needRoot(t)
	sub := testSubnet(t)
	pid := nsProcess(t)
	n := up(t, pid,
		"lxc.net.0.type = veth", "lxc.net.0.veth.mode = router", "lxc.net.0.flags = up",
		"lxc.net.0.ipv4.address = "+sub+"20/32", "lxc.net.0.ipv4.gateway = "+sub+"1",
		"lxc.net.0.veth.ipv4.route = "+sub+"128/25")
	hostName, _ := n.ConfigItem("lxc.net.0.veth.pair")
	host, err := netlink.LinkByName(hostName)
	if err != nil {
		t.Fatal(err)
	}
	if host.Attrs().MasterIndex != 0 {
		t.Error("router-mode veth is attached to a bridge")
	}
	routes, _ := netlink.RouteList(host, netlink.FAMILY_V4)
	dsts := map[string]bool{}
	for _, r := range routes {
		if r.Dst != nil {
			dsts[r.Dst.String()] = true
		}
	}
	if !dsts[sub+"20/32"] || !dsts[sub+"128/25"] {
		t.Errorf("host routes via %s: %v", hostName, dsts)
	}
	neighs, _ := netlink.NeighProxyList(host.Attrs().Index, netlink.FAMILY_V4)
	found := false
	for _, nb := range neighs {
		found = found || nb.IP.String() == sub+"1"
	}
	if !found {
		t.Errorf("no proxy entry for the gateway on %s: %v", hostName, neighs)
	}
	// The gateway is outside the /32: a host route to it came first.
	h := nsHandle(t, pid)
	rs, _ := h.RouteList(linkIn(t, h, "eth0"), netlink.FAMILY_V4)
	var def bool
	for _, r := range rs {
		def = def || ((r.Dst == nil || r.Dst.IP.IsUnspecified()) && r.Gw.String() == sub+"1")
	}
	if !def {
		t.Errorf("no default route via %s1 inside: %v", sub, rs)
	}
}

// TestL2Proxy: proxy entries on the link for the container's addresses,
// refused without the forwarding sysctl, removed at teardown.
func TestL2Proxy(t *testing.T) {
	needRoot(t)
	sub := testSubnet(t)
	br := testBridge(t, sub+"1/24")
	lines := []string{"lxc.net.0.type = veth", "lxc.net.0.link = " + br, "lxc.net.0.flags = up",
		"lxc.net.0.l2proxy = 1", "lxc.net.0.ipv4.address = " + sub + "30/24"}
	fwd := "/proc/sys/net/ipv4/conf/" + br + "/forwarding"
	os.WriteFile(fwd, []byte("0"), 0)
	n, err := New(Params{Name: "gxtest", LXCPath: "/tmp/gxtest", Spec: spec(t, lines...)})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Setup(nsProcess(t))
	n.Teardown()
	want := "lxc.net.0.l2proxy = 1: needs sysctl net.ipv4.conf." + br + ".forwarding=1"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	if err := os.WriteFile(fwd, []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	n = up(t, nsProcess(t), lines...)
	brl, _ := netlink.LinkByName(br)
	has := func() bool {
		ns, _ := netlink.NeighProxyList(brl.Attrs().Index, netlink.FAMILY_V4)
		for _, nb := range ns {
			if nb.IP.String() == sub+"30" {
				return true
			}
		}
		return false
	}
	if !has() {
		t.Fatal("no proxy entry on the link")
	}
	n.Teardown()
	if has() {
		t.Fatal("proxy entry left after teardown")
	}
}

// TestNewVethPeerInside: the pair is requested with the peer in the
// container's namespace, with the MTU and the queue counts, and the
// kernel's transmit queue length.
func TestNewVethPeerInside(t *testing.T) {
	v := newVeth("vethA", "vethB", 1400, 2, 3, 7)
	if v.Name != "vethA" || v.PeerName != "vethB" {
		t.Errorf("names %s/%s", v.Name, v.PeerName)
	}
	if ns, ok := v.PeerNamespace.(netlink.NsFd); !ok || ns != 7 {
		t.Errorf("peer namespace %#v, want NsFd(7)", v.PeerNamespace)
	}
	if v.PeerMTU != 1400 || v.MTU != 0 {
		t.Errorf("MTU: peer %d, host end %d (set after its MAC)", v.PeerMTU, v.MTU)
	}
	if v.NumRxQueues != 2 || v.PeerNumRxQueues != 2 || v.NumTxQueues != 3 || v.PeerNumTxQueues != 3 {
		t.Errorf("queues: %+v", v)
	}
	if v.TxQLen != -1 || v.PeerTxQLen != -1 {
		t.Errorf("txqlen %d/%d, want the kernel's", v.TxQLen, v.PeerTxQLen)
	}
	if d := newVeth("vethA", "vethB", 0, 0, 0, 7); d.PeerMTU != 0 || d.NumRxQueues != 0 || d.PeerNumTxQueues != 0 {
		t.Errorf("defaults: %+v", d)
	}
}

// TestVethTakesMTU: the kernel's range for a veth, so a refused creation
// blames the MTU only when it is outside.
func TestVethTakesMTU(t *testing.T) {
	for mtu, want := range map[int]bool{0: true, 67: false, 68: true, 1500: true, 65535: true, 65536: false, 99999999: false} {
		if got := vethTakesMTU(mtu); got != want {
			t.Errorf("vethTakesMTU(%d) = %v, want %v", mtu, got, want)
		}
	}
}
