package integration

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/golxc/golxc/internal/lxcnet"
)

// Networking tests. All traffic stays on bridges and veths these tests
// create (10.250.N.0/24 subnets no host interface uses) or, for the
// lxcbr0 test, on an lxcbr0 the test itself brings up and removes.

func netRand(n int64) int64 {
	x, _ := rand.Int(rand.Reader, big.NewInt(n))
	return x.Int64()
}

// netSubnet picks a 10.250.N. prefix no host address uses.
func netSubnet(t *testing.T) string {
	t.Helper()
	addrs, _ := net.InterfaceAddrs()
	for try := 0; try < 50; try++ {
		p := fmt.Sprintf("10.250.%d.", 2+netRand(250))
		free := true
		for _, a := range addrs {
			free = free && !strings.HasPrefix(a.String(), p)
		}
		if free {
			return p
		}
	}
	t.Fatal("no free test subnet")
	return ""
}

// netBridge creates a test bridge with address cidr ("" for none).
func netBridge(t *testing.T, cidr string) string {
	t.Helper()
	return netBridgeNamed(t, "gxbr", cidr)
}

// netBridgeNamed is netBridge with the name prefix given (at most 9 bytes).
func netBridgeNamed(t *testing.T, prefix, cidr string) string {
	t.Helper()
	name := fmt.Sprintf("%s%06d", prefix, netRand(1000000))
	attrs := netlink.NewLinkAttrs()
	attrs.Name = name
	if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { netDel(name) })
	l, _ := netlink.LinkByName(name)
	if cidr != "" {
		a, _ := netlink.ParseAddr(cidr)
		if err := netlink.AddrAdd(l, a); err != nil {
			t.Fatal(err)
		}
	}
	netlink.LinkSetUp(l)
	return name
}

// netVeth creates an up test veth pair (this kernel has no dummy driver,
// so a veth end plays the physical device).
func netVeth(t *testing.T) (string, string) {
	t.Helper()
	n := netRand(1000000)
	a, b := fmt.Sprintf("gxva%06d", n), fmt.Sprintf("gxvb%06d", n)
	attrs := netlink.NewLinkAttrs()
	attrs.Name = a
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: attrs, PeerName: b}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { netDel(a); netDel(b) })
	for _, x := range []string{a, b} {
		l, _ := netlink.LinkByName(x)
		netlink.LinkSetUp(l)
	}
	return a, b
}

func netDel(name string) {
	if l, err := netlink.LinkByName(name); err == nil {
		netlink.LinkDel(l)
	}
}

// bridgePorts lists the devices attached to a bridge.
func bridgePorts(br string) []string {
	ents, _ := os.ReadDir("/sys/class/net/" + br + "/brif")
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// proxyCount counts the IPv4 proxy neighbour entries on a link. A dump
// that races with a veth going away reports ErrDumpInterrupted with
// partial results: it is retried, never counted.
func proxyCount(t *testing.T, index int) int {
	t.Helper()
	for i := 0; ; i++ {
		ns, err := netlink.NeighProxyList(index, netlink.FAMILY_V4)
		if err == nil {
			return len(ns)
		}
		if !errors.Is(err, netlink.ErrDumpInterrupted) || i == 50 {
			t.Fatalf("proxy neighbour dump: %v", err)
		}
	}
}

func vethCount(t *testing.T) int {
	t.Helper()
	ls, err := netlink.LinkList()
	for i := 0; errors.Is(err, netlink.ErrDumpInterrupted) && i < 50; i++ {
		ls, err = netlink.LinkList() // raced with a link change: partial
	}
	if err != nil {
		t.Fatalf("link dump: %v", err)
	}
	n := 0
	for _, l := range ls {
		if l.Type() == "veth" && strings.HasPrefix(l.Attrs().Name, "veth") {
			n++
		}
	}
	return n
}

// inNS is a netlink handle in the network namespace of pid.
func inNS(t *testing.T, pid int) *netlink.Handle {
	t.Helper()
	ns, err := netns.GetFromPid(pid)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// privateLxcnet runs golxc's lxc-net on a private bridge and subnet with
// DNS off (dnsmasq answers DHCP only), stopped at the end of the test.
func privateLxcnet(t *testing.T) (lxcnet.Settings, string) {
	t.Helper()
	for _, tool := range []string{"dnsmasq", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			if _, err := os.Stat("/usr/sbin/" + tool); err != nil {
				t.Skipf("%s not installed", tool)
			}
		}
	}
	fwd, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	t.Cleanup(func() { os.WriteFile("/proc/sys/net/ipv4/ip_forward", fwd, 0) })
	sub := netSubnet(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "dnsmasq.conf")
	os.WriteFile(conf, []byte("port=0\n"), 0o644)
	s := lxcnet.Defaults()
	n := netRand(1000000)
	s.Bridge, s.NftTable = fmt.Sprintf("gxbr%06d", n), fmt.Sprintf("gxtest%06d", n)
	s.Addr, s.Network, s.DHCPRange = sub+"1", sub+"0/24", sub+"100,"+sub+"150"
	s.DHCPConfile, s.RunDir, s.LeaseDir = conf, filepath.Join(dir, "run"), filepath.Join(dir, "lib")
	if _, err := lxcnet.Start(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lxcnet.Stop(s, true) })
	return s, sub
}

// TestNetDHCP: the user story on a private bridge: busybox's
// udhcpc gets an address from dnsmasq, lxc-ls -f and lxc-info show it,
// lxc-info shows the host veth with traffic, the container pings the
// bridge, and the lease is on disk.
func TestNetDHCP(t *testing.T) {
	needRoot(t)
	s, sub := privateLxcnet(t)
	lp := lxcpath(t)
	name := "netdhcp1"
	busybox(t, lp, name, "lxc.net.0.type = veth", "lxc.net.0.link = "+s.Bridge, "lxc.net.0.flags = up",
		"lxc.net.0.hwaddr = 02:16:3e:xx:xx:xx")
	startRunning(t, lp, name)
	defer killStop(t, lp, name)
	var ip string
	eventually(t, "a DHCP address in lxc-ls -f", func() bool {
		out := mustRun(t, "lxc-ls", "-P", lp, "-f", "-F", "NAME,IPV4").stdout
		m := regexp.MustCompile(`(?m)^` + name + ` +(` + regexp.QuoteMeta(sub) + `\d+) *$`).FindStringSubmatch(out)
		if m != nil {
			ip = m[1]
		}
		return m != nil
	})
	info := mustRun(t, "lxc-info", "-P", lp, "-n", name).stdout
	m := regexp.MustCompile(`(?m)^IP:             ` + regexp.QuoteMeta(ip) + `\n(?s:.*)^Link:           (veth\w{6})\n TX bytes:      .+\n RX bytes:      .+\n Total bytes:   .+\n`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("lxc-info:\n%s", info)
	}
	if ports := bridgePorts(s.Bridge); len(ports) != 1 || ports[0] != m[1] {
		t.Errorf("Link %s, bridge ports %v", m[1], ports)
	}
	r := run(t, nil, "lxc-attach", "-P", lp, "-n", name, "--", "ping", "-c1", "-W5", s.Addr)
	if r.code != 0 || !strings.Contains(r.stdout, "1 packets received") {
		t.Errorf("ping %s from the container: %s", s.Addr, r)
	}
	lease, _ := os.ReadFile(filepath.Join(s.LeaseDir, "dnsmasq."+s.Bridge+".leases"))
	if !strings.Contains(string(lease), " "+ip+" ") {
		t.Errorf("lease file lacks %s: %q", ip, lease)
	}
}

// TestNetStaticTwoContainers: static IPv4/IPv6 and gateways inside; two
// containers on one bridge reach each other.
func TestNetStaticTwoContainers(t *testing.T) {
	needRoot(t)
	sub := netSubnet(t)
	br := netBridge(t, sub+"1/24")
	lp := lxcpath(t)
	out, mount := outDir(t)
	a, b := "netst1", "netst2"
	busybox(t, lp, a, "lxc.net.0.type = veth", "lxc.net.0.link = "+br, "lxc.net.0.flags = up",
		"lxc.net.0.ipv4.address = "+sub+"10/24", "lxc.net.0.ipv4.gateway = auto",
		"lxc.net.0.ipv6.address = fd42:250:9::10/64", "lxc.net.0.ipv6.gateway = fd42:250:9::1",
		"lxc.net.0.name = lan0", "lxc.init.cmd = /bin/sleep 1000")
	busybox(t, lp, b, "lxc.net.0.type = veth", "lxc.net.0.link = "+br, "lxc.net.0.flags = up",
		"lxc.net.0.ipv4.address = "+sub+"11/24", mount,
		`lxc.init.cmd = /bin/sh -c "ping -c1 -W5 `+sub+`10 > /mnt/out/p.tmp 2>&1; echo rc=$? >> /mnt/out/p.tmp; mv /mnt/out/p.tmp /mnt/out/ping; exec sleep 1000"`)
	startRunning(t, lp, a)
	defer killStop(t, lp, a)
	h := inNS(t, initPid(t, lp, a))
	l, err := h.LinkByName("lan0")
	if err != nil {
		t.Fatal(err)
	}
	v4, _ := h.AddrList(l, netlink.FAMILY_V4)
	v6, _ := h.AddrList(l, netlink.FAMILY_V6)
	var addrs []string
	for _, x := range append(v4, v6...) {
		if !x.IP.IsLinkLocalUnicast() {
			addrs = append(addrs, x.IPNet.String())
		}
	}
	if strings.Join(addrs, " ") != sub+"10/24 fd42:250:9::10/64" {
		t.Errorf("addresses inside: %v", addrs)
	}
	gws := map[string]bool{}
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rs, _ := h.RouteList(l, fam)
		for _, r := range rs {
			if r.Gw != nil {
				gws[r.Gw.String()] = true
			}
		}
	}
	if !gws[sub+"1"] || !gws["fd42:250:9::1"] {
		t.Errorf("gateways inside: %v", gws)
	}
	startRunning(t, lp, b)
	defer killStop(t, lp, b)
	got := readOut(t, out, "ping")
	if !strings.Contains(got, "1 packets received") || !strings.HasSuffix(got, "rc=0\n") {
		t.Errorf("%s could not reach %s:\n%s", b, a, got)
	}
}

// TestNetVethCreatedInside: a veth's container end is created in the
// container's network namespace, as LXC does, not on the host and moved
// there: the TRACE log says so and has no move for it, script.up sees the
// host end's peer in another namespace already, and eth0 works (address,
// ping of the bridge).
func TestNetVethCreatedInside(t *testing.T) {
	needRoot(t)
	sub := netSubnet(t)
	br := netBridgeNamed(t, "gxveth", sub+"1/24")
	lp := lxcpath(t)
	name := "netveth1"
	dir := t.TempDir()
	script := filepath.Join(dir, "up.sh")
	seen := filepath.Join(dir, "seen")
	// Hook version 0: NAME net up veth LINK HOSTEND.
	if err := os.WriteFile(script, []byte("#!/bin/sh\nip -o link show dev \"$6\" > "+seen+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	busybox(t, lp, name, "lxc.net.0.type = veth", "lxc.net.0.link = "+br, "lxc.net.0.flags = up",
		"lxc.net.0.ipv4.address = "+sub+"10/24", "lxc.net.0.script.up = "+script, "lxc.init.cmd = /bin/sleep 1000")
	startLog := filepath.Join(dir, "start.log")
	startRunning(t, lp, name, "-l", "TRACE", "-o", startLog)
	defer killStop(t, lp, name)

	start := readLog(t, startLog, "lxc-start", name)
	m := regexp.MustCompile(`lxc\.net\.0: created veth pair "(veth\w{6})" and "(veth\w{6})", "veth\w{6}" directly in the container's network namespace`).FindStringSubmatch(start)
	if m == nil {
		t.Errorf("the start log does not say the container end was created in the container's namespace:\n%s", start)
	}
	if regexp.MustCompile(`moved network device "veth`).MatchString(start) {
		t.Errorf("the start log moves a veth into the container:\n%s", start)
	}
	// The host end's peer is in another namespace ("@ifN", not "@vethXXXXXX")
	// by the time script.up runs, as with LXC.
	b, err := os.ReadFile(seen)
	if err != nil {
		t.Fatal(err)
	}
	if m != nil && !regexp.MustCompile(`^\d+: `+m[1]+`@if\d+: `).Match(b) {
		t.Errorf("script.up saw the host end as %q, want its peer in the container (%s@ifN)", strings.TrimSpace(string(b)), m[1])
	}
	if ports := bridgePorts(br); m != nil && (len(ports) != 1 || ports[0] != m[1]) {
		t.Errorf("bridge ports %v, want %s", ports, m[1])
	}

	h := inNS(t, initPid(t, lp, name))
	l, err := h.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	v4, _ := h.AddrList(l, netlink.FAMILY_V4)
	if len(v4) != 1 || v4[0].IPNet.String() != sub+"10/24" {
		t.Errorf("eth0 addresses: %v", v4)
	}
	r := run(t, nil, "lxc-attach", "-P", lp, "-n", name, "--", "ping", "-c1", "-W5", sub+"1")
	if r.code != 0 || !strings.Contains(r.stdout, "1 packets received") {
		t.Errorf("ping %s1 from the container: %s", sub, r)
	}
}

// TestNetMacvlanAndPhys: a macvlan on a test parent and a phys device in
// one container; at stop the phys device is back under its name.
func TestNetMacvlanAndPhys(t *testing.T) {
	needRoot(t)
	parent, _ := netVeth(t)
	phys, _ := netVeth(t)
	orig, _ := netlink.LinkByName(phys)
	lp := lxcpath(t)
	name := "netmv1"
	busybox(t, lp, name, "lxc.net.0.type = macvlan", "lxc.net.0.link = "+parent, "lxc.net.0.flags = up",
		"lxc.net.0.macvlan.mode = bridge", "lxc.net.0.ipv4.address = 10.250.1.5/24",
		"lxc.net.1.type = phys", "lxc.net.1.link = "+phys, "lxc.net.1.name = uplink", "lxc.net.1.flags = up",
		"lxc.init.cmd = /bin/sleep 1000")
	startRunning(t, lp, name)
	h := inNS(t, initPid(t, lp, name))
	if l, err := h.LinkByName("eth0"); err != nil || l.Type() != "macvlan" {
		t.Errorf("eth0 inside: %v %v", l, err)
	}
	if _, err := h.LinkByName("uplink"); err != nil {
		t.Errorf("phys device not inside as uplink: %v", err)
	}
	if _, err := netlink.LinkByName(phys); err == nil {
		t.Errorf("%s still on the host", phys)
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)
	back, err := netlink.LinkByName(phys)
	if err != nil {
		t.Fatalf("%s not back on the host: %v", phys, err)
	}
	if back.Attrs().Index != orig.Attrs().Index || back.Attrs().HardwareAddr.String() != orig.Attrs().HardwareAddr.String() {
		t.Errorf("returned device differs: %+v", back.Attrs())
	}
}

// announcedDown subscribes to link changes; the function it returns waits
// (10s at most) until the kernel has announced that link name is no
// longer up. The kernel sends that announcement after its carrier-down
// handlers ran (netdev_state_change: the NETDEV_CHANGE notifiers, the
// neighbour flush among them, then RTM_NEWLINK), whereas the operstate a
// query shows changes just before them.
func announcedDown(t *testing.T, name string) func() {
	t.Helper()
	ch, done := make(chan netlink.LinkUpdate, 256), make(chan struct{})
	if err := netlink.LinkSubscribe(ch, done); err != nil {
		t.Fatalf("subscribe to link changes: %v", err)
	}
	t.Cleanup(func() {
		close(done)
		for range ch { // until the subscription closes it
		}
	})
	return func() {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case u, ok := <-ch:
				if !ok {
					t.Fatal("the link subscription ended")
				}
				if u.Link.Attrs().Name == name && u.Link.Attrs().OperState != netlink.OperUp {
					return
				}
			case <-deadline:
				t.Fatalf("no announcement that %s lost its carrier within 10s", name)
			}
		}
	}
}

// TestNetKilledMonitor: after kill -9 of the monitor the host veth goes
// with the namespace, a leaked proxy entry and the state record go with
// `golxc net cleanup`, and the container starts again.
func TestNetKilledMonitor(t *testing.T) {
	needRoot(t)
	sub := netSubnet(t)
	br := netBridge(t, sub+"1/24")
	os.WriteFile("/proc/sys/net/ipv4/conf/"+br+"/forwarding", []byte("1"), 0)
	lp := lxcpath(t)
	name := "netkill1"
	busybox(t, lp, name, "lxc.net.0.type = veth", "lxc.net.0.link = "+br, "lxc.net.0.flags = up",
		"lxc.net.0.ipv4.address = "+sub+"40/24", "lxc.net.0.l2proxy = 1", "lxc.init.cmd = /bin/sleep 1000")
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	mons := monitors(lp, name)
	if len(mons) != 1 || len(bridgePorts(br)) != 1 {
		t.Fatalf("monitors %v, ports %v", mons, bridgePorts(br))
	}
	brl, _ := netlink.LinkByName(br)
	proxies := func() int { return proxyCount(t, brl.Attrs().Index) }
	if proxies() != 1 {
		t.Fatal("no l2proxy entry")
	}
	carrierLost := announcedDown(t, br)
	syscall.Kill(mons[0], syscall.SIGKILL)
	// Orphaned, init may stay a zombie under a pid 1 that does not reap;
	// its namespaces are released all the same.
	eventually(t, "init to die with its monitor", func() bool {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		return err != nil || strings.Contains(string(b), ") Z ")
	})
	eventually(t, "the host veth to go with the namespace", func() bool { return len(bridgePorts(br)) == 0 })
	// The entry stays: it is permanent, so the kernel keeps it when the
	// bridge loses its last port's carrier (it flushes the others in
	// that carrier event, which can come a second after the port goes),
	// and another container's start sweeps only its own records. golxc
	// net cleanup removes it.
	carrierLost()
	other := "netkill2"
	busybox(t, lp, other, "lxc.init.cmd = /bin/sleep 1000")
	startRunning(t, lp, other)
	killStop(t, lp, other)
	if proxies() != 1 {
		t.Fatal("the killed monitor's proxy entry is gone before golxc net cleanup")
	}
	mustRun(t, "golxc", "net", "cleanup")
	if proxies() != 0 {
		t.Error("cleanup left the proxy entry")
	}
	startRunning(t, lp, name)
	if len(bridgePorts(br)) != 1 || proxies() != 1 {
		t.Errorf("restart: ports %v proxies %d", bridgePorts(br), proxies())
	}
	killStop(t, lp, name)
	if len(bridgePorts(br)) != 0 || proxies() != 0 {
		t.Errorf("after stop: ports %v proxies %d", bridgePorts(br), proxies())
	}
}

// TestNetCycles: 50 start/stop cycles leave no veth behind.
func TestNetCycles(t *testing.T) {
	needRoot(t)
	br := netBridge(t, "")
	lp := lxcpath(t)
	name := "netcyc1"
	busybox(t, lp, name, "lxc.net.0.type = veth", "lxc.net.0.link = "+br, "lxc.net.0.flags = up",
		"lxc.net.1.type = veth", "lxc.net.1.link = "+br, "lxc.init.cmd = /bin/sleep 1000")
	before := vethCount(t)
	for i := 0; i < 50; i++ {
		startRunning(t, lp, name)
		if p := bridgePorts(br); len(p) != 2 {
			t.Fatalf("cycle %d: bridge ports %v", i, p)
		}
		killStop(t, lp, name)
		eventually(t, "ports to go", func() bool { return len(bridgePorts(br)) == 0 })
	}
	assertClean(t, lp, name)
	if after := vethCount(t); after != before {
		t.Errorf("veths on the host: %d before, %d after", before, after)
	}
}

// TestNetStartErrors: one line naming key and value, exit 1, nothing left.
func TestNetStartErrors(t *testing.T) {
	needRoot(t)
	sub := netSubnet(t)
	br := netBridge(t, sub+"1/24")
	lp := lxcpath(t)
	for i, c := range []struct {
		lines []string
		want  string
	}{
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.link = gxnobr0"}, "lxc.net.0.link = gxnobr0: no such bridge on the host"},
		{[]string{"lxc.net.0.type = phys", "lxc.net.0.link = gxnophys0"}, "lxc.net.0.link = gxnophys0: no such network device on the host"},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.link = " + br, "lxc.net.0.ipv4.address = " + sub + "1/24"},
			"lxc.net.0.ipv4.address = " + sub + "1/24: address already used by host interface " + br},
		{[]string{"lxc.net.0.type = veth", "lxc.net.0.link = " + br, "lxc.net.0.script.up = /bin/false"},
			"lxc.net.0.script.up = /bin/false: exited with status 1"},
	} {
		name := fmt.Sprintf("neterr%d", i)
		busybox(t, lp, name, append(c.lines, "lxc.init.cmd = /bin/sleep 1000")...)
		before := vethCount(t)
		r := run(t, nil, "lxc-start", "-P", lp, "-n", name, "-F")
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: %s", c.lines, r)
		}
		if vethCount(t) != before || len(bridgePorts(br)) != 0 {
			t.Errorf("%v: a veth was left behind", c.lines)
		}
		assertClean(t, lp, name)
	}
}

// TestNetLxcbr0Autostart: on a host without lxcbr0, a container whose
// link is lxcbr0 brings golxc's lxc-net up (10.0.3.1/24, dnsmasq, NAT)
// and gets a DHCP address. The test owns that whole setup: it runs only
// when neither lxcbr0 nor a running lxc-net exists, and takes everything
// down again (bridge, NAT tables, dnsmasq, a lease file it created).
func TestNetLxcbr0Autostart(t *testing.T) {
	needRoot(t)
	s, err := lxcnet.LoadSettings()
	if err != nil || !s.UseBridge || s.Bridge != "lxcbr0" {
		t.Skipf("lxc-net not configured for lxcbr0 here (%v)", err)
	}
	if _, err := netlink.LinkByName("lxcbr0"); err == nil {
		t.Skip("lxcbr0 exists: the host's lxc-net owns it")
	}
	if _, err := os.Stat("/run/lxc/network_up"); err == nil {
		t.Skip("an lxc-net is running")
	}
	for _, tool := range []string{"dnsmasq", "nft"} {
		if _, err := os.Stat("/usr/sbin/" + tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	ownLxcbr0(t) // lxcbr0 is absent: the start brings it up, the cleanup takes it down
	lp := lxcpath(t)
	name := "netbr0"
	busybox(t, lp, name, "lxc.net.0.type = veth", "lxc.net.0.link = lxcbr0", "lxc.net.0.flags = up")
	startRunning(t, lp, name)
	defer killStop(t, lp, name)
	st := mustRun(t, "golxc", "net", "status").stdout
	// dnsmasq is a host service, not part of the container's monitor.
	if m := regexp.MustCompile(`running \(pid (\d+)\)`).FindStringSubmatch(st); m == nil {
		t.Fatalf("golxc net status:\n%s", st)
	} else if cg, _ := os.ReadFile("/proc/" + m[1] + "/cgroup"); strings.Contains(string(cg), "lxc.monitor."+name) {
		t.Errorf("dnsmasq runs in the monitor's cgroup:\n%s", cg)
	}
	if !strings.Contains(st, "State:     running") || !strings.Contains(st, "10.0.3.1/24") || !strings.Contains(st, "NAT:       yes") {
		t.Fatalf("golxc net status:\n%s", st)
	}
	eventually(t, "a 10.0.3.x address in lxc-ls -f", func() bool {
		out := mustRun(t, "lxc-ls", "-P", lp, "-f", "-F", "NAME,IPV4").stdout
		return regexp.MustCompile(`(?m)^` + name + ` +10\.0\.3\.\d+ *$`).MatchString(out)
	})
}
