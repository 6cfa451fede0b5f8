package network

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/golxc/golxc/internal/config"
)

// A network handed over as a Snapshot (monitor hibernation) tears down
// what the original set up: the host side of the veth, the record.
func TestSnapshotRestoreTeardown(t *testing.T) {
	needRoot(t)
	pid := nsProcess(t)
	n := up(t, pid, "lxc.net.0.type = veth", "lxc.net.0.flags = up", "lxc.net.0.name = eth0")
	s, err := n.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var got Snapshot
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Devices) != 1 || got.Devices[0].HostName == "" || got.Record == nil {
		t.Fatalf("snapshot: %s", b)
	}
	host := got.Devices[0].HostName
	if !hostLinkNames(t)[host] {
		t.Fatalf("host veth %s missing after Setup", host)
	}
	if len(stateFiles(t)) != 1 {
		t.Fatalf("state files after Setup: %v", stateFiles(t))
	}
	r, err := Restore(n.p, got)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := r.ConfigItem("lxc.net.0.veth.pair"); !ok || v != host {
		t.Fatalf("restored veth.pair = %q %v, want %q", v, ok, host)
	}
	if v, ok := r.ConfigItem("lxc.net.0.name"); !ok || v != "eth0" {
		t.Fatalf("restored name = %q %v", v, ok)
	}
	if err := r.Teardown(); err != nil {
		t.Fatal(err)
	}
	if hostLinkNames(t)[host] {
		t.Fatalf("the restored network's teardown left host veth %s", host)
	}
	if f := stateFiles(t); len(f) != 0 {
		t.Fatalf("the restored network's teardown left records %v", f)
	}
}

func TestSnapshotRefusesPhys(t *testing.T) {
	n := &Network{devs: []*device{{key: "lxc.net.0", phys: &physRecord{Name: "dummy0"}}}}
	if _, err := n.Snapshot(); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("phys snapshot: %v", err)
	}
}

// A user's network hands over only without devices (lxc.net.0.type =
// empty): the restored one is still a user's, with nothing to tear down;
// with a veth from lxc-user-nic it refuses.
func TestSnapshotUserNetwork(t *testing.T) {
	p := Params{Name: "c1", Spec: &config.Spec{Net: []config.NetDev{{Index: 0, Type: "empty"}}}}
	n := &Network{p: p, hostNS: -1, nsFD: -1, user: true}
	s, err := n.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s)
	var got Snapshot
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	r, err := Restore(p, got)
	if err != nil {
		t.Fatalf("restore %s: %v", b, err)
	}
	if !r.user || len(r.devs) != 0 {
		t.Fatalf("restored %+v, want a user's network without devices", r)
	}
	if err := r.Teardown(); err != nil {
		t.Fatal(err)
	}
	n.devs = []*device{{key: "lxc.net.0", hostName: "veth1001_abcd"}}
	if _, err := n.Snapshot(); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("a user's veth snapshot: %v", err)
	}
}
