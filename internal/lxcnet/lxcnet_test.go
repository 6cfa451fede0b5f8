package lxcnet

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// testSettings is a private lxc-net: bridge gxbrXXXXXX on a free
// 10.250.N.0/24, its own nftables tables, run and lease dirs, and a
// dnsmasq config with DNS off so no query can be forwarded off the host.
// ip_forward is restored afterwards.
func testSettings(t *testing.T) Settings {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	if _, err := findTool("dnsmasq", "dnsmasq-base"); err != nil {
		t.Skip(err)
	}
	if _, err := findTool("nft", "nftables"); err != nil {
		t.Skip(err)
	}
	fwd, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	t.Cleanup(func() { os.WriteFile("/proc/sys/net/ipv4/ip_forward", fwd, 0) })
	x, _ := rand.Int(rand.Reader, big.NewInt(1<<30))
	sub := fmt.Sprintf("10.250.%d.", 2+x.Int64()%250)
	dir := t.TempDir()
	conf := filepath.Join(dir, "dnsmasq.conf")
	os.WriteFile(conf, []byte("port=0\n"), 0o644)
	s := Defaults()
	s.Bridge = fmt.Sprintf("gxbr%06d", x.Int64()%1000000)
	s.BridgeMAC = "02:16:3e:00:00:01"
	s.Addr, s.Network = sub+"1", sub+"0/24"
	s.DHCPRange = sub + "100," + sub + "150"
	s.DHCPConfile = conf
	s.RunDir, s.LeaseDir = filepath.Join(dir, "run"), filepath.Join(dir, "lib")
	s.NftTable = fmt.Sprintf("gxtest%d", x.Int64()%1000000)
	t.Cleanup(func() { stop(s) })
	return s
}

func TestStartStatusStop(t *testing.T) {
	s := testSettings(t)
	created, err := Start(s)
	if err != nil || !created {
		t.Fatalf("start: %v %v", created, err)
	}
	if _, err := Start(s); err != ErrAlreadyRunning {
		t.Fatalf("second start: %v", err)
	}
	br, err := netlink.LinkByName(s.Bridge)
	if err != nil || br.Type() != "bridge" || br.Attrs().Flags&net.FlagUp == 0 {
		t.Fatalf("bridge: %v %v", br, err)
	}
	if br.Attrs().HardwareAddr.String() != s.BridgeMAC {
		t.Errorf("bridge MAC %s", br.Attrs().HardwareAddr)
	}
	st := GetStatus(s)
	if !st.Running || !st.BridgeUp || st.DnsmasqPID == 0 || !st.NAT || len(st.Addrs) == 0 || st.Addrs[0] != s.Addr+"/24" {
		t.Fatalf("status: %+v", st)
	}
	rules, err := exec.Command("nft", "list", "table", "ip", s.NftTable).CombinedOutput()
	if err != nil || !strings.Contains(string(rules), "ip saddr "+s.Network+" ip daddr != "+s.Network+" counter") ||
		!strings.Contains(string(rules), "masquerade") {
		t.Errorf("NAT rules: %s %v", rules, err)
	}
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", st.DnsmasqPID))
	args := strings.Split(string(cmdline), "\x00")
	for _, want := range []string{"--interface=" + s.Bridge, "--bind-interfaces", "--dhcp-leasefile=" + filepath.Join(s.LeaseDir, "dnsmasq."+s.Bridge+".leases"),
		"--conf-file=" + s.DHCPConfile, "--dhcp-lease-max=253", "--except-interface=lo"} {
		if !contains(args, want) {
			t.Errorf("dnsmasq lacks %s: %q", want, args)
		}
	}
	pid := st.DnsmasqPID
	if err := Stop(s, false); err != nil {
		t.Fatal(err)
	}
	if _, err := netlink.LinkByName(s.Bridge); err == nil {
		t.Error("bridge left after stop")
	}
	if processName(pid) == "dnsmasq" {
		t.Error("dnsmasq still running")
	}
	if exec.Command("nft", "list", "table", "ip", s.NftTable).Run() == nil {
		t.Error("nftables table left")
	}
	if err := Stop(s, false); err != ErrNotRunning {
		t.Errorf("second stop: %v", err)
	}
}

// TestExistingBridgeUnchanged: a bridge someone configured (an admin
// gave it an address) is used as it is: no address, NAT or dnsmasq added.
func TestExistingBridgeUnchanged(t *testing.T) {
	s := testSettings(t)
	attrs := netlink.NewLinkAttrs()
	attrs.Name = s.Bridge
	if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil {
		t.Fatal(err)
	}
	br, err := netlink.LinkByName(s.Bridge)
	if err != nil {
		t.Fatal(err)
	}
	admins, _ := netlink.ParseAddr("10.254.77.1/24")
	if err := netlink.AddrAdd(br, admins); err != nil {
		t.Fatal(err)
	}
	for _, f := range []func() error{
		func() error { _, err := Start(s); return err },
		func() error { _, err := Ensure(s); return err },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	st := GetStatus(s)
	if st.Running || len(st.Addrs) != 1 || st.DnsmasqPID != 0 || st.NAT {
		t.Fatalf("existing bridge changed: %+v", st)
	}
}

// TestLeftoverBridgeTakenOver: the bridge an lxc-net stop leaves while a
// container is still attached (down, no address, a port) is configured
// again by lxc-net start, as LXC's lxc-net does; before, it stayed
// without address or DHCP and every container on it waited for a lease.
func TestLeftoverBridgeTakenOver(t *testing.T) {
	s := testSettings(t)
	if _, err := Start(s); err != nil {
		t.Fatal(err)
	}
	port := netlink.NewLinkAttrs()
	port.Name = "lnt" + s.Bridge[len(s.Bridge)-4:]
	veth := &netlink.Veth{LinkAttrs: port, PeerName: port.Name + "p"}
	if err := netlink.LinkAdd(veth); err != nil {
		t.Fatal(err)
	}
	defer netlink.LinkDel(veth)
	br, err := netlink.LinkByName(s.Bridge)
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetMaster(veth, br.(*netlink.Bridge)); err != nil {
		t.Fatal(err)
	}
	for what, up := range map[string]func(Settings) (bool, error){"lxc-net start": Start, "a container's start (Ensure)": Ensure} {
		if err := Stop(s, false); err != nil {
			t.Fatal(err)
		}
		if _, err := netlink.LinkByName(s.Bridge); err != nil {
			t.Fatalf("stop with a port attached removed the bridge: %v", err)
		}
		if _, err := up(s); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		st := GetStatus(s)
		if !st.Running || len(st.Addrs) == 0 || st.DnsmasqPID == 0 || !st.BridgeUp {
			t.Fatalf("%s: leftover bridge not configured again: %+v", what, st)
		}
	}
}

// TestEnsureStartsMissingBridge and keeps the leases file across a
// restart.
func TestEnsureStartsMissingBridge(t *testing.T) {
	s := testSettings(t)
	if _, err := Ensure(s); err != nil {
		t.Fatal(err)
	}
	if st := GetStatus(s); !st.Running || st.DnsmasqPID == 0 {
		t.Fatalf("ensure did not start: %+v", st)
	}
	lease := filepath.Join(s.LeaseDir, "dnsmasq."+s.Bridge+".leases")
	line := "4000000000 02:16:3e:aa:bb:cc " + strings.TrimSuffix(s.Addr, "1") + "120 gx *\n"
	if err := Stop(s, false); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lease, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(s); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(lease)
	if !strings.Contains(string(b), "02:16:3e:aa:bb:cc") {
		t.Fatalf("lease lost across restart: %q", b)
	}
	s2 := s
	s2.UseBridge = false
	if _, err := Ensure(s2); err == nil || !strings.Contains(err.Error(), "USE_LXC_BRIDGE") {
		t.Errorf("disabled bridge: %v", err)
	}
}

// TestEnsureRevivesDeadDnsmasq: a network lxc-net brought up whose
// dnsmasq died (killed with the session that started it, as a CI machine
// showed) gets dnsmasq and its NAT rules back from the next container
// start; a healthy one is left alone.
func TestEnsureRevivesDeadDnsmasq(t *testing.T) {
	s := testSettings(t)
	if _, err := Start(s); err != nil {
		t.Fatal(err)
	}
	if revived, err := Ensure(s); err != nil || revived {
		t.Fatalf("ensure on a healthy network: revived=%v %v", revived, err)
	}
	old := GetStatus(s).DnsmasqPID
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200 && processName(old) == "dnsmasq"; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if err := exec.Command("nft", "delete", "table", "ip", s.NftTable).Run(); err != nil {
		t.Fatal(err)
	}
	revived, err := Ensure(s)
	if err != nil || !revived {
		t.Fatalf("ensure after dnsmasq died: revived=%v %v", revived, err)
	}
	st := GetStatus(s)
	if st.DnsmasqPID == 0 || st.DnsmasqPID == old || !st.NAT || !st.Running {
		t.Fatalf("not revived: %+v (old dnsmasq %d)", st, old)
	}
	// lxc-net start revives too, rather than saying "already running".
	killDnsmasq(s.pidFile())
	if created, err := Start(s); err != nil || !created || GetStatus(s).DnsmasqPID == 0 {
		t.Fatalf("start after dnsmasq died: %v %v %+v", created, err, GetStatus(s))
	}
	if _, err := Start(s); err != ErrAlreadyRunning {
		t.Fatalf("start on a healthy network: %v", err)
	}
	addrs := 0
	for _, a := range st.Addrs {
		if a == s.Addr+"/24" {
			addrs++
		}
	}
	if addrs != 1 {
		t.Errorf("bridge addresses after revival: %v", st.Addrs)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
