package network

import (
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// TestProxyEntrySurvivesCarrierLoss: golxc's proxy entries are permanent,
// so the kernel keeps them when the link loses its carrier (here a
// bridge its last port leaves); only golxc's teardown or sweep removes
// them.
func TestProxyEntrySurvivesCarrierLoss(t *testing.T) {
	needRoot(t)
	br := testBridge(t, "")
	port, _ := testVeth(t)
	brl, _ := netlink.LinkByName(br)
	pl, _ := netlink.LinkByName(port)
	if err := netlink.LinkSetMaster(pl, brl); err != nil {
		t.Fatal(err)
	}
	carrier := func() bool {
		l, err := netlink.LinkByName(br)
		return err == nil && l.Attrs().OperState == netlink.OperUp
	}
	waitFor(t, "the bridge's carrier", carrier)
	p := proxyRecord{Link: br, IP: "10.250.97.7"}
	if err := addProxy(nlHandle(t), p); err != nil {
		t.Fatal(err)
	}
	delLink(port)
	waitFor(t, "the bridge to lose its carrier", func() bool { return !carrier() })
	// The flush runs in the same carrier event, just after the state
	// change is visible: leave it the moment it needs.
	time.Sleep(300 * time.Millisecond)
	ns, err := netlink.NeighProxyList(brl.Attrs().Index, netlink.FAMILY_V4)
	if err != nil || len(ns) != 1 {
		t.Fatalf("proxy entries on %s after it lost its carrier: %v (%v), want the one added", br, ns, err)
	}
	if err := delProxy(nlHandle(t), p); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
