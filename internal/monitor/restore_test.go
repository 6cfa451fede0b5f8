package monitor

import (
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/config"
)

func TestRestoreRoot(t *testing.T) {
	if r, err := restoreRoot(&config.RootfsSpec{Type: "dir", Path: "/var/lib/lxc/c1/rootfs", Raw: "dir:/var/lib/lxc/c1/rootfs"}); err != nil || r != "/var/lib/lxc/c1/rootfs" {
		t.Errorf("dir: %q %v", r, err)
	}
	if _, err := restoreRoot(&config.RootfsSpec{Type: "overlay", Path: "/a:/b", Raw: "overlay:/a:/b"}); err == nil || !strings.Contains(err.Error(), "directory root filesystems only") {
		t.Errorf("overlay: %v", err)
	}
	if _, err := restoreRoot(&config.RootfsSpec{}); err == nil {
		t.Error("no rootfs: no error")
	}
}

func TestRestoreNet(t *testing.T) {
	names := 0
	free := func() (string, error) { names++; return "vethFREE01", nil }
	got, err := restoreNet([]config.NetDev{
		{Type: "veth", Link: "br0", VethPair: "hostA"},
		{Type: "veth", Name: "lan", Link: "br1"},
		{Type: "empty"},
		{Type: "macvlan", Link: "eno1"},
	}, free)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || names != 1 {
		t.Fatalf("%+v (fresh names %d)", got, names)
	}
	if got[0].Name != "eth0" || got[0].Host != "hostA" || got[0].Link != "br0" {
		t.Errorf("veth.pair kept, eth0 by position: %+v", got[0])
	}
	if got[1].Name != "lan" || got[1].Host != "vethFREE01" {
		t.Errorf("named veth with a fresh host side: %+v", got[1])
	}
	if got[2].Type != "macvlan" || got[2].Name != "eth3" || got[2].Link != "eno1" {
		t.Errorf("macvlan: %+v", got[2])
	}
}
