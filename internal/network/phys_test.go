package network

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/vishvananda/netlink"
)

// TestPhysMoveAndReturn hands a host device (one end of a test veth, this
// kernel has no dummy driver) to the container under another name, MAC and
// MTU, and gets it back at teardown exactly as it was.
func TestPhysMoveAndReturn(t *testing.T) {
	needRoot(t)
	a, _ := testVeth(t)
	before, _ := netlink.LinkByName(a)
	netlink.LinkSetMTU(before, 1450)
	before, _ = netlink.LinkByName(a)
	pid := nsProcess(t)
	n := up(t, pid, "lxc.net.0.type = phys", "lxc.net.0.link = "+a, "lxc.net.0.name = eth0",
		"lxc.net.0.flags = up", "lxc.net.0.hwaddr = 02:16:3e:00:aa:01", "lxc.net.0.mtu = 1300",
		"lxc.net.0.ipv4.address = 10.250.1.2/24")
	if _, err := netlink.LinkByName(a); err == nil {
		t.Fatalf("%s still on the host", a)
	}
	h := nsHandle(t, pid)
	in := linkIn(t, h, "eth0")
	if in.Attrs().HardwareAddr.String() != "02:16:3e:00:aa:01" || in.Attrs().MTU != 1300 || in.Attrs().Flags&net.FlagUp == 0 {
		t.Errorf("inside: %s mtu %d %v", in.Attrs().HardwareAddr, in.Attrs().MTU, in.Attrs().Flags)
	}
	if err := n.Teardown(); err != nil {
		t.Fatal(err)
	}
	after, err := netlink.LinkByName(a)
	if err != nil {
		t.Fatalf("%s did not come back under its name: %v", a, err)
	}
	if after.Attrs().HardwareAddr.String() != before.Attrs().HardwareAddr.String() ||
		after.Attrs().MTU != 1450 || after.Attrs().Flags&net.FlagUp == 0 {
		t.Errorf("returned %s: mac %s (was %s) mtu %d up %v", a, after.Attrs().HardwareAddr,
			before.Attrs().HardwareAddr, after.Attrs().MTU, after.Attrs().Flags&net.FlagUp != 0)
	}
	as, _ := netlink.AddrList(after, netlink.FAMILY_V4)
	if len(as) != 0 {
		t.Errorf("container address came back with the device: %v", as)
	}
}

// TestSweepAfterKilledMonitor plays a monitor killed with SIGKILL: its
// record names a host veth that outlived it, a proxy entry and a phys
// device the kernel handed back under its in-container name. Sweep
// undoes all three and drops the record; a live monitor's record stays.
func TestSweepAfterKilledMonitor(t *testing.T) {
	needRoot(t)
	br := testBridge(t, "")
	strayA, strayB := testVeth(t)
	physA, _ := testVeth(t)
	orig, _ := netlink.LinkByName(physA)
	returned := "eth" + randSuffix(t, 5)
	netlink.LinkSetDown(orig)
	if err := netlink.LinkSetName(orig, returned); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { delLink(returned) })
	p := proxyRecord{Link: br, IP: "10.250.1.77"}
	if err := addProxy(nlHandle(t), p); err != nil {
		t.Fatal(err)
	}
	lxcpath := testLXCPath(t)
	dead := &record{Container: filepath.Join(lxcpath, "dead"), MonitorPID: 1 << 22, MonitorStart: "1",
		Veths: []string{strayA}, Proxies: []proxyRecord{p},
		Phys: []physRecord{{Key: "lxc.net.0", Index: orig.Attrs().Index, Name: physA,
			MAC: orig.Attrs().HardwareAddr.String(), MTU: orig.Attrs().MTU, Up: true}}}
	live := newRecord(lxcpath, "alive")
	live.Veths = []string{"gxnotreal0"}
	for _, r := range []*record{dead, live} {
		if err := r.save(); err != nil {
			t.Fatal(err)
		}
	}
	defer live.remove()
	if errs := sweepUnder(lxcpath); len(errs) != 0 {
		t.Fatalf("sweep: %v", errs)
	}
	if _, err := netlink.LinkByName(strayA); err == nil {
		t.Errorf("stray veth %s not deleted", strayA)
	}
	if _, err := netlink.LinkByName(strayB); err == nil {
		t.Errorf("its peer %s not gone", strayB)
	}
	back, err := netlink.LinkByName(physA)
	if err != nil {
		t.Fatalf("phys device not renamed back to %s: %v", physA, err)
	}
	if back.Attrs().Flags&net.FlagUp == 0 {
		t.Error("phys device not set up again")
	}
	brl, _ := netlink.LinkByName(br)
	ns, _ := netlink.NeighProxyList(brl.Attrs().Index, netlink.FAMILY_V4)
	if len(ns) != 0 {
		t.Errorf("proxy entry left: %v", ns)
	}
	if f := stateFiles(t); len(f) != 1 {
		t.Errorf("want only the live record, have %v", f)
	}
}

// TestSweepGivesUpOnVanishedPhys: a virtual device dies with the
// namespace; Sweep says so in one line and still drops the record.
func TestSweepGivesUpOnVanishedPhys(t *testing.T) {
	needRoot(t)
	lxcpath := testLXCPath(t)
	r := &record{Container: filepath.Join(lxcpath, "gone"), MonitorPID: 1 << 22, MonitorStart: "1",
		Phys: []physRecord{{Key: "lxc.net.1", Index: 1 << 20, Name: "gxgone0", MAC: "02:00:00:00:00:09"}}}
	if err := r.save(); err != nil {
		t.Fatal(err)
	}
	errs := sweepUnder(lxcpath)
	if len(errs) != 1 || errs[0].Error() != lxcpath+"/gone: lxc.net.1: phys device gxgone0 (index 1048576) did not come back to the host (a virtual device dies with the container's namespace)" {
		t.Fatalf("got %v", errs)
	}
	if f := stateFiles(t); len(f) != 0 {
		t.Errorf("record kept: %v", f)
	}
}

// TestSweepRemovesRecordUnderOtherName: a dead monitor's record saved
// under another file name (an older golxc named them differently) goes
// as well, instead of being swept again at every start.
func TestSweepRemovesRecordUnderOtherName(t *testing.T) {
	needRoot(t)
	lxcpath := testLXCPath(t)
	r := &record{Container: filepath.Join(lxcpath, "renamed"), MonitorPID: 1 << 22, MonitorStart: "1", Addrs: []string{"10.250.99.9"}}
	if err := r.save(); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(StateDir, "renamed-0123456789ab.json")
	if err := os.Rename(r.path(), old); err != nil {
		t.Fatal(err)
	}
	if errs := sweepUnder(lxcpath); len(errs) != 0 {
		t.Fatalf("sweep: %v", errs)
	}
	if f := stateFiles(t); len(f) != 0 {
		t.Errorf("record kept: %v", f)
	}
}

func nlHandle(t *testing.T) *netlink.Handle {
	h, err := netlink.NewHandle()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}
