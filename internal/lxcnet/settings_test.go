package lxcnet

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadSettings(t *testing.T) {
	dir := t.TempDir()
	lxc := filepath.Join(dir, "lxc")
	lxcnet := filepath.Join(dir, "lxc-net")
	os.WriteFile(lxc, []byte("LXC_AUTO=\"true\"\nUSE_LXC_BRIDGE=\"false\"  # overridden in lxc-net\n[ ! -f /etc/default/lxc-net ] || . /etc/default/lxc-net\n"), 0o644)
	os.WriteFile(lxcnet, []byte(`USE_LXC_BRIDGE="true"
# LXC_BRIDGE="commented"
LXC_BRIDGE=br9
LXC_ADDR='10.9.8.1'
export LXC_NETMASK="255.255.0.0"
LXC_NETWORK="10.9.0.0/16"
LXC_DHCP_RANGE="10.9.0.2,10.9.255.254"
LXC_DHCP_MAX="100"
LXC_DHCP_PING=false
LXC_DOMAIN="lxc"
#LXC_DHCP_CONFILE=/etc/dnsmasq.conf
`), 0o644)
	s, err := LoadSettings(lxc, lxcnet, filepath.Join(dir, "missing"))
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	want.Bridge, want.Addr, want.Netmask, want.Network = "br9", "10.9.8.1", "255.255.0.0", "10.9.0.0/16"
	want.DHCPRange, want.DHCPMax, want.DHCPPing, want.Domain = "10.9.0.2,10.9.255.254", 100, false, "lxc"
	if s != want {
		t.Fatalf("got %+v\nwant %+v", s, want)
	}
	os.WriteFile(lxcnet, []byte("LXC_DHCP_MAX=lots\n"), 0o644)
	if _, err := LoadSettings(lxcnet); err == nil || err.Error() != lxcnet+`:1: LXC_DHCP_MAX="lots": expected a number` {
		t.Fatalf("got %v", err)
	}
	s, _ = LoadSettings(lxc)
	if s.UseBridge {
		t.Error("USE_LXC_BRIDGE=false ignored")
	}
}

func TestPlanErrors(t *testing.T) {
	for _, c := range []struct {
		mod  func(*Settings)
		want string
	}{
		{func(s *Settings) { s.Addr = "10.0.3" }, `LXC_ADDR="10.0.3": not an IPv4 address`},
		{func(s *Settings) { s.Netmask = "x" }, `LXC_NETMASK="x": not a netmask`},
		{func(s *Settings) { s.Network = "10.0.3.0" }, `LXC_NETWORK="10.0.3.0": expected NETWORK/PREFIX`},
		{func(s *Settings) { s.DHCPRange = "10.0.3.2" }, `LXC_DHCP_RANGE="10.0.3.2": expected FIRST,LAST`},
		{func(s *Settings) { s.BridgeMAC = "zz" }, `LXC_BRIDGE_MAC="zz": not a MAC address`},
	} {
		s := Defaults()
		c.mod(&s)
		if _, err := s.plan(); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %s", err, c.want)
		}
	}
	p, err := Defaults().plan()
	if err != nil || p.addr.IPNet.String() != "10.0.3.1/24" || p.addr.Broadcast.String() != "10.0.3.255" {
		t.Fatalf("default plan: %+v %v", p, err)
	}
}

func TestFindToolNamesPackage(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := findTool("gx-no-such-tool", "gx-pkg")
	if err == nil || err.Error() != "gx-no-such-tool not found: install the Debian package gx-pkg (apt-get install gx-pkg)" {
		t.Fatalf("got %v", err)
	}
}
