package lxcnet

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// ErrAlreadyRunning and ErrNotRunning are lxc-net's two refusals.
var (
	ErrAlreadyRunning = errors.New("lxc-net is already running")
	ErrNotRunning     = errors.New("lxc-net isn't running")
)

func (s Settings) upFile() string    { return filepath.Join(s.RunDir, "network_up") }
func (s Settings) pidFile() string   { return filepath.Join(s.RunDir, "dnsmasq.pid") }
func (s Settings) lockFile() string  { return filepath.Join(s.RunDir, "golxc-lxc-net.lock") }
func (s Settings) leaseFile() string { return filepath.Join(s.LeaseDir, "dnsmasq."+s.Bridge+".leases") }

// Start brings the network up, or revives it if its dnsmasq died. A bridge
// that already exists without lxc-net's marker is used as it is (an admin
// made it): nothing is changed.
func Start(s Settings) (bool, error) {
	if !s.UseBridge {
		return false, nil
	}
	unlock, err := lock(s)
	if err != nil {
		return false, err
	}
	defer unlock()
	if _, err := netlink.LinkByName(s.Bridge); err == nil {
		if revived, err := revive(s); revived || err != nil {
			return revived, err
		}
	}
	return start(s)
}

// Ensure brings the network up unless its bridge exists, and revives a
// network lxc-net brought up whose dnsmasq has died; containers whose link
// is the lxc-net bridge call it at start. revived says dnsmasq was
// restarted.
func Ensure(s Settings) (revived bool, err error) {
	if !s.UseBridge {
		return false, fmt.Errorf("bridge %s is missing and USE_LXC_BRIDGE is not \"true\" in /etc/default/lxc-net", s.Bridge)
	}
	unlock, err := lock(s)
	if err != nil {
		return false, err
	}
	defer unlock()
	if br, err := netlink.LinkByName(s.Bridge); err == nil {
		if _, err := os.Stat(s.upFile()); err != nil && leftoverBridge(br) {
			// What an lxc-net stop left: containers on it would wait
			// for a lease forever.
			_, err = start(s)
			return false, err
		}
		return revive(s)
	}
	os.Remove(s.upFile()) // the bridge is gone, so the marker is stale
	_, err = start(s)
	return false, err
}

// revive restarts the DHCP/DNS server and NAT rules of a network that
// lxc-net (golxc's or LXC's, which share the marker and pid file) brought
// up when its dnsmasq is gone: killed with a session, OOM, or by hand.
// Without it the bridge stays up and every container waits for a lease
// that never comes. A bridge without the marker is someone else's and
// stays untouched. The caller has seen that the bridge exists.
func revive(s Settings) (bool, error) {
	if _, err := os.Stat(s.upFile()); err != nil || dnsmasqPID(s.pidFile()) > 0 {
		return false, nil
	}
	p, nft, dnsmasq, err := s.prepare()
	if err != nil {
		return false, err
	}
	if err := s.serve(p, nft, dnsmasq); err != nil {
		return false, fmt.Errorf("restart lxc-net's dnsmasq on %s (it had died): %w; run \"lxc-net restart\"", s.Bridge, err)
	}
	return true, nil
}

// leftoverBridge: a bridge without any address but link-local ones is
// what lxc-net stop leaves when containers are still attached (LXC's and
// golxc's both keep such a bridge), not a bridge someone configured:
// lxc-net start configures it again, as LXC's does with any bridge.
func leftoverBridge(br netlink.Link) bool {
	addrs, err := netlink.AddrList(br, netlink.FAMILY_ALL)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if !a.IP.IsLinkLocalUnicast() {
			return false
		}
	}
	return true
}

// start returns created=false when an existing bridge was left alone.
func start(s Settings) (bool, error) {
	if _, err := os.Stat(s.upFile()); err == nil {
		return false, ErrAlreadyRunning
	}
	if br, err := netlink.LinkByName(s.Bridge); err == nil && !leftoverBridge(br) {
		return false, nil
	}
	plan, nft, dnsmasq, err := s.prepare()
	if err != nil {
		return false, err
	}
	if err := s.up(plan, nft, dnsmasq); err != nil {
		stop(s)
		return false, fmt.Errorf("Failed to setup lxc-net: %w", err)
	}
	return true, nil
}

// prepare parses the addresses and finds the tools bringing the network
// up (or back) needs.
func (s Settings) prepare() (p *plan, nft, dnsmasq string, err error) {
	if p, err = s.plan(); err != nil {
		return nil, "", "", err
	}
	if dnsmasq, err = findTool("dnsmasq", "dnsmasq-base"); err != nil {
		return nil, "", "", err
	}
	if nft, err = findTool("nft", "nftables"); err != nil {
		return nil, "", "", err
	}
	return p, nft, dnsmasq, nil
}

// plan holds the parsed addresses.
type plan struct {
	addr *netlink.Addr
	mac  net.HardwareAddr
	v6   *netlink.Addr
}

func (s Settings) plan() (*plan, error) {
	ip := net.ParseIP(s.Addr).To4()
	if ip == nil {
		return nil, fmt.Errorf("LXC_ADDR=%q: not an IPv4 address", s.Addr)
	}
	m := net.ParseIP(s.Netmask).To4()
	if m == nil {
		return nil, fmt.Errorf("LXC_NETMASK=%q: not a netmask", s.Netmask)
	}
	mask := net.IPMask(m)
	if ones, bits := mask.Size(); bits == 0 || ones == 0 {
		return nil, fmt.Errorf("LXC_NETMASK=%q: not a netmask", s.Netmask)
	}
	if _, _, err := net.ParseCIDR(s.Network); err != nil {
		return nil, fmt.Errorf("LXC_NETWORK=%q: expected NETWORK/PREFIX", s.Network)
	}
	first, last, ok := strings.Cut(s.DHCPRange, ",")
	if !ok || net.ParseIP(strings.TrimSpace(first)) == nil || net.ParseIP(strings.TrimSpace(last)) == nil {
		return nil, fmt.Errorf("LXC_DHCP_RANGE=%q: expected FIRST,LAST", s.DHCPRange)
	}
	bcast := make(net.IP, 4)
	for i := range bcast {
		bcast[i] = ip[i] | ^mask[i]
	}
	p := &plan{addr: &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: mask}, Broadcast: bcast}}
	if s.BridgeMAC != "" {
		mac, err := net.ParseMAC(s.BridgeMAC)
		if err != nil {
			return nil, fmt.Errorf("LXC_BRIDGE_MAC=%q: not a MAC address", s.BridgeMAC)
		}
		p.mac = mac
	}
	if s.IPv6Addr != "" && s.IPv6Mask != "" && s.IPv6Network != "" {
		a, err := netlink.ParseAddr(s.IPv6Addr + "/" + s.IPv6Mask)
		if err != nil {
			return nil, fmt.Errorf("LXC_IPV6_ADDR/LXC_IPV6_MASK=%s/%s: %v", s.IPv6Addr, s.IPv6Mask, err)
		}
		p.v6 = a
	}
	if s.NftTable == "" || strings.ContainsAny(s.NftTable, " ;{}") {
		return nil, fmt.Errorf("nftables table name %q is not valid", s.NftTable)
	}
	return p, nil
}

func findTool(name, pkg string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found: install the Debian package %s (apt-get install %s)", name, pkg, pkg)
}

func (s Settings) up(p *plan, nft, dnsmasq string) error {
	if err := os.MkdirAll(s.RunDir, 0o755); err != nil {
		return err
	}
	if _, err := netlink.LinkByName(s.Bridge); err == nil {
		log.Infof("Taking over bridge %s: it has no address (left by an lxc-net stop while containers were attached)", s.Bridge)
	} else {
		attrs := netlink.NewLinkAttrs()
		attrs.Name = s.Bridge
		if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil {
			return fmt.Errorf("create bridge %s: %w", s.Bridge, err)
		}
	}
	br, err := netlink.LinkByName(s.Bridge)
	if err != nil {
		return err
	}
	_ = writeSysctl("ipv6/conf/"+s.Bridge+"/accept_dad", "0")
	if err := netlink.AddrAdd(br, p.addr); err != nil {
		return fmt.Errorf("address %s on %s: %w", p.addr.IPNet, s.Bridge, err)
	}
	if p.mac != nil {
		if err := netlink.LinkSetHardwareAddr(br, p.mac); err != nil {
			return fmt.Errorf("LXC_BRIDGE_MAC=%s: %w", s.BridgeMAC, err)
		}
	}
	if err := netlink.LinkSetUp(br); err != nil {
		return err
	}
	if p.v6 != nil {
		if err := writeSysctl("ipv6/conf/all/forwarding", "1"); err != nil {
			return err
		}
		_ = writeSysctl("ipv6/conf/"+s.Bridge+"/autoconf", "0")
		if err := netlink.AddrAdd(br, p.v6); err != nil {
			return fmt.Errorf("address %s on %s: %w", p.v6.IPNet, s.Bridge, err)
		}
	}
	if err := s.serve(p, nft, dnsmasq); err != nil {
		return err
	}
	return os.WriteFile(s.upFile(), nil, 0o644)
}

// serve installs the NAT rules (flushed first, so it can run again) and
// starts dnsmasq on the bridge, which has its addresses already.
func (s Settings) serve(p *plan, nft, dnsmasq string) error {
	if err := writeSysctl("ipv4/ip_forward", "1"); err != nil {
		return err
	}
	var v6args []string
	if p.v6 != nil {
		v6args = []string{"--dhcp-range=" + s.IPv6Addr + ",ra-only", "--listen-address", s.IPv6Addr}
	}
	if err := runNft(nft, s.nftRules(p.v6 != nil)); err != nil {
		return err
	}
	if err := os.MkdirAll(s.LeaseDir, 0o755); err != nil {
		return err
	}
	return s.startDnsmasq(dnsmasq, v6args)
}

// nftRules: accept DHCP/DNS from the bridge, forward to and from it, and
// masquerade the network, as lxc-net's nftables variant does.
func (s Settings) nftRules(v6nat bool) string {
	t, br := s.NftTable, s.Bridge
	var b strings.Builder
	if v6nat && s.IPv6NAT {
		fmt.Fprintf(&b, "add table ip6 %s\nflush table ip6 %s\n", t, t)
		fmt.Fprintf(&b, "add chain ip6 %s postrouting { type nat hook postrouting priority 100; }\n", t)
		fmt.Fprintf(&b, "add rule ip6 %s postrouting ip6 saddr %s ip6 daddr != %s counter masquerade\n", t, s.IPv6Network, s.IPv6Network)
	}
	fmt.Fprintf(&b, "add table inet %s\nflush table inet %s\n", t, t)
	fmt.Fprintf(&b, "add chain inet %s input { type filter hook input priority 0; }\n", t)
	fmt.Fprintf(&b, "add rule inet %s input iifname %q udp dport { 53, 67 } accept\n", t, br)
	fmt.Fprintf(&b, "add rule inet %s input iifname %q tcp dport { 53, 67 } accept\n", t, br)
	fmt.Fprintf(&b, "add chain inet %s forward { type filter hook forward priority 0; }\n", t)
	fmt.Fprintf(&b, "add rule inet %s forward iifname %q accept\n", t, br)
	fmt.Fprintf(&b, "add rule inet %s forward oifname %q accept\n", t, br)
	fmt.Fprintf(&b, "add table ip %s\nflush table ip %s\n", t, t)
	fmt.Fprintf(&b, "add chain ip %s postrouting { type nat hook postrouting priority 100; }\n", t)
	fmt.Fprintf(&b, "add rule ip %s postrouting ip saddr %s ip daddr != %s counter masquerade\n", t, s.Network, s.Network)
	return b.String()
}

func runNft(nft, rules string) error {
	cmd := exec.Command(nft, "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("nft: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (s Settings) startDnsmasq(dnsmasq string, v6args []string) error {
	conf := s.DHCPConfile
	if conf == "" {
		conf = "/dev/null" // hermetic: never read /etc/dnsmasq.conf
	}
	args := []string{"--conf-file=" + conf}
	if s.Domain != "" {
		args = append(args, "-s", s.Domain, "-S", "/"+s.Domain+"/")
	}
	if !s.DHCPPing {
		args = append(args, "--no-ping")
	}
	args = append(args, "-u", dnsmasqUser(),
		"--strict-order", "--bind-interfaces", "--pid-file="+s.pidFile(),
		"--listen-address", s.Addr, "--dhcp-range", s.DHCPRange,
		"--dhcp-lease-max="+strconv.Itoa(s.DHCPMax), "--dhcp-no-override",
		"--except-interface=lo", "--interface="+s.Bridge,
		"--dhcp-leasefile="+s.leaseFile(), "--dhcp-authoritative")
	args = append(args, v6args...)
	cmd := exec.Command(dnsmasq, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil { // dnsmasq forks; the parent reports errors
		return fmt.Errorf("dnsmasq: %v: %s", err, strings.TrimSpace(out.String()))
	}
	if pid := dnsmasqPID(s.pidFile()); pid > 0 {
		leaveCgroups(pid)
	}
	return nil
}

func dnsmasqUser() string {
	for _, u := range []string{"lxc-dnsmasq", "dnsmasq", "nobody"} {
		if _, err := user.Lookup(u); err == nil {
			return u
		}
	}
	return "nobody"
}

func writeSysctl(name, v string) error {
	if err := os.WriteFile("/proc/sys/net/"+name, []byte(v), 0); err != nil {
		return fmt.Errorf("sysctl net.%s=%s: %w", strings.ReplaceAll(name, "/", "."), v, err)
	}
	return nil
}

// Stop takes the network down: addresses, NAT rules, dnsmasq, and the
// bridge unless containers are still attached. force stops even without
// the running marker (as lxc-net's "stop force").
func Stop(s Settings, force bool) error {
	if !s.UseBridge {
		return nil
	}
	unlock, err := lock(s)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(s.upFile()); err != nil && !force {
		return ErrNotRunning
	}
	return stop(s)
}

func stop(s Settings) error {
	var errs []error
	if br, err := netlink.LinkByName(s.Bridge); err == nil {
		addrs, _ := netlink.AddrList(br, netlink.FAMILY_ALL)
		for _, a := range addrs {
			if a.IP.IsLinkLocalUnicast() {
				continue
			}
			a := a
			_ = netlink.AddrDel(br, &a)
		}
		_ = netlink.LinkSetDown(br)
		if nft, err := findTool("nft", "nftables"); err == nil {
			del := fmt.Sprintf("add table inet %[1]s\ndelete table inet %[1]s\nadd table ip %[1]s\ndelete table ip %[1]s\n", s.NftTable)
			if s.IPv6NAT {
				del += fmt.Sprintf("add table ip6 %[1]s\ndelete table ip6 %[1]s\n", s.NftTable)
			}
			if err := runNft(nft, del); err != nil {
				errs = append(errs, err)
			}
		}
		killDnsmasq(s.pidFile())
		if ports, _ := os.ReadDir("/sys/class/net/" + s.Bridge + "/brif"); len(ports) == 0 {
			if err := netlink.LinkDel(br); err != nil {
				errs = append(errs, fmt.Errorf("delete bridge %s: %w", s.Bridge, err))
			}
		}
	}
	os.Remove(s.pidFile())
	os.Remove(s.upFile())
	return errors.Join(errs...)
}

// killDnsmasq stops the dnsmasq of the pid file, if that pid is dnsmasq.
func killDnsmasq(pidFile string) {
	pid := dnsmasqPID(pidFile)
	if pid <= 0 {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	for i := 0; i < 100 && processName(pid) == "dnsmasq"; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if processName(pid) == "dnsmasq" {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// dnsmasqPID reads the pid file; 0 unless that process is a dnsmasq.
func dnsmasqPID(pidFile string) int {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 || processName(pid) != "dnsmasq" {
		return 0
	}
	return pid
}

// processName is the comm of a live process ("" for none or a zombie).
func processName(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open || strings.HasPrefix(strings.TrimSpace(s[end+1:]), "Z") {
		return ""
	}
	return s[open+1 : end]
}

// lock serialises lxc-net changes (two containers starting at once).
func lock(s Settings) (func(), error) {
	if err := os.MkdirAll(s.RunDir, 0o755); err != nil {
		return nil, fmt.Errorf("lxc-net: %w", err)
	}
	f, err := os.OpenFile(s.lockFile(), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lxc-net: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lxc-net: lock %s: %w", s.lockFile(), err)
	}
	return func() { f.Close() }, nil
}

// Status describes the network for `lxc-net status`.
type Status struct {
	Enabled    bool
	Running    bool // the network_up marker exists
	Bridge     string
	BridgeUp   bool
	Addrs      []string
	DnsmasqPID int
	NAT        bool // the nftables table exists
	Leases     string
}

// GetStatus reads the current state without changing anything.
func GetStatus(s Settings) Status {
	st := Status{Enabled: s.UseBridge, Bridge: s.Bridge, Leases: s.leaseFile()}
	if _, err := os.Stat(s.upFile()); err == nil {
		st.Running = true
	}
	if br, err := netlink.LinkByName(s.Bridge); err == nil {
		st.BridgeUp = br.Attrs().Flags&net.FlagUp != 0
		addrs, _ := netlink.AddrList(br, netlink.FAMILY_ALL)
		for _, a := range addrs {
			st.Addrs = append(st.Addrs, a.IPNet.String())
		}
	}
	st.DnsmasqPID = dnsmasqPID(s.pidFile())
	if nft, err := findTool("nft", "nftables"); err == nil {
		st.NAT = exec.Command(nft, "list", "table", "ip", s.NftTable).Run() == nil
	}
	return st
}
