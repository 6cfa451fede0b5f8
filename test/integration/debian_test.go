package integration

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// A Debian bookworm system container made by LXC's own debian template
// (debootstrap from the machine's apt mirror), run under golxc the way a
// user runs one: systemd boots with no failed unit, DHCP on lxcbr0, the
// host is reachable, attach, a console login through a pty, lxc-stop -r,
// a clean halt and destroy. systemd finds what busybox hides.
//
// The template keeps the debootstrapped tree in its cache
// (/var/cache/lxc/debian, LXC's default LXC_CACHE_PATH), so only the first
// run on a machine downloads (a few minutes); later ones copy it.

const (
	debianTemplate = "/usr/share/lxc/templates/lxc-debian"
	debianRelease  = "bookworm"
	// sigRTMin3 is glibc's SIGRTMIN+3, systemd's "halt" signal.
	sigRTMin3 = 37
)

func TestDebianSystemContainer(t *testing.T) {
	needRoot(t)
	mirror := debianPrereqs(t)
	ownLxcbr0(t)
	lp := lxcpath(t)
	name := "deb-it1"
	t.Cleanup(func() {
		run(t, nil, "lxc-destroy", "-P", lp, "-n", name, "-f")
		killMonitors(t, lp, name)
	})

	start := time.Now()
	r := runPathTimeout(t, 20*time.Minute, []string{"MIRROR=" + mirror}, filepath.Join(binDir, "lxc-create"), "-P", lp, "-n", name, "-t", "debian", "--", "-r", debianRelease)
	if r.code != 0 {
		t.Fatalf("lxc-create -t debian -- -r %s: %s", debianRelease, r)
	}
	t.Logf("lxc-create -t debian: %v", time.Since(start).Round(time.Millisecond))

	// GOGC=5 for the monitor: its heap then follows what it really keeps,
	// so the memory check below sees growth, not collector slack.
	startLog := filepath.Join(lp, "start.log")
	r = run(t, []string{"GOGC=5"}, "lxc-start", "-P", lp, "-n", name, "-l", "DEBUG", "-o", startLog)
	if r.code != 0 {
		t.Fatalf("lxc-start: %s", r)
	}
	// The Debian template's config (common.conf, its lxcfs mount hook
	// included) is covered by the init plan: no Go runtime in the container.
	if b, _ := os.ReadFile(startLog); !strings.Contains(string(b), planLine) {
		t.Errorf("the Debian container's init did not run the exec plan:\n%s", b)
	}
	mustRun(t, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "30")
	waitSystemd(t, lp, name)

	// systemd as PID 1 blocks SIGRTMIN+3 (its halt signal): the premise of
	// lxc-stop's signal choice.
	if blk, err := strconv.ParseUint(procStatus(t, initPid(t, lp, name), "SigBlk"), 16, 64); err != nil || blk&(1<<(sigRTMin3-1)) == 0 {
		t.Errorf("systemd's SigBlk %x (%v) lacks SIGRTMIN+3", blk, err)
	}

	ip, link := debianDHCP(t, lp, name)
	debianReachHost(t, lp, name)

	r = mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "cat", "/etc/debian_version")
	if !strings.HasPrefix(r.stdout, "12.") {
		t.Errorf("/etc/debian_version: %q, want 12.x", r.stdout)
	}
	debianConsoleLogin(t, lp, name)
	debianMonitorMemory(t, lp, name)

	// lxc-stop -r returns once the container runs again (as LXC's reboot2).
	oldInit := initPid(t, lp, name)
	timedStop(t, lp, name, "RUNNING", "-r", "-t", "120")
	if pid := initPid(t, lp, name); pid == oldInit {
		t.Fatalf("lxc-stop -r returned with the old init %d still running", pid)
	}
	waitSystemd(t, lp, name)
	if got, _ := debianDHCPAddr(t, lp, name); got == "" {
		t.Errorf("no DHCP address after the reboot (had %s)", ip)
	}

	// A clean halt: with --nokill a halt signal systemd ignores would end
	// in exit 1 after the timeout instead of a kill.
	timedStop(t, lp, name, "STOPPED", "--nokill", "-t", "60")
	if _, err := netlink.LinkByName(link); err == nil {
		t.Errorf("host veth %s still exists after stop", link)
	}
	mustRun(t, "lxc-destroy", "-P", lp, "-n", name)
	assertClean(t, lp, name)
	if _, err := os.Stat(filepath.Join(lp, name)); !os.IsNotExist(err) {
		t.Errorf("container directory still there after destroy: %v", err)
	}
}

// debianPrereqs skips unless the template, its tools and a reachable
// mirror are there; it returns the mirror the template is to use.
func debianPrereqs(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(debianTemplate); err != nil {
		t.Skipf("LXC's debian template is missing (%v): install lxc-templates", err)
	}
	for _, tool := range []string{"debootstrap", "rsync", "wget", "dnsmasq", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			if _, err := os.Stat("/usr/sbin/" + tool); err != nil {
				t.Skipf("%s is not installed: the debian template or lxc-net needs it", tool)
			}
		}
	}
	mirror := debianMirror()
	url := strings.TrimRight(mirror, "/") + "/dists/" + debianRelease + "/Release"
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Head(url)
	if err != nil {
		t.Skipf("debootstrap cannot reach the Debian mirror %s (%v): set MIRROR to a reachable one", mirror, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Skipf("the Debian mirror %s has no %s (HTTP %d): set MIRROR to a reachable one", mirror, debianRelease, resp.StatusCode)
	}
	return mirror
}

// debianMirror is $MIRROR, else the first Debian archive of the machine's
// apt sources, else the template's default.
func debianMirror() string {
	if m := os.Getenv("MIRROR"); m != "" {
		return m
	}
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	files = append(files, "/etc/apt/sources.list")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			var uris []string
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "URIs:"); ok {
				uris = strings.Fields(v)
			} else if fs := strings.Fields(l); len(fs) >= 3 && fs[0] == "deb" {
				uris = fs[1:2]
			}
			for _, u := range uris {
				if strings.HasPrefix(u, "http") && strings.HasSuffix(strings.TrimRight(u, "/"), "/debian") {
					return u
				}
			}
		}
	}
	return "http://deb.debian.org/debian"
}

// ownLxcbr0: the container's link is lxcbr0. When it does not exist
// yet, golxc's lxc-net brings it up at start, and the test takes it down
// again (with the lease file, if it made one).
func ownLxcbr0(t *testing.T) {
	t.Helper()
	if _, err := netlink.LinkByName("lxcbr0"); err == nil {
		return
	}
	lease := "/var/lib/misc/dnsmasq.lxcbr0.leases"
	_, leaseErr := os.Stat(lease)
	fwd, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	t.Cleanup(func() {
		run(t, nil, "golxc", "net", "stop")
		if leaseErr != nil {
			os.Remove(lease)
		}
		os.WriteFile("/proc/sys/net/ipv4/ip_forward", fwd, 0)
	})
}

// bridgeNet is lxcbr0's first IPv4 address and network.
func bridgeNet(t *testing.T) *net.IPNet {
	t.Helper()
	l, err := netlink.LinkByName("lxcbr0")
	if err != nil {
		t.Fatalf("lxcbr0: %v", err)
	}
	addrs, err := netlink.AddrList(l, netlink.FAMILY_V4)
	if err != nil || len(addrs) == 0 {
		t.Fatalf("lxcbr0 has no IPv4 address (%v)", err)
	}
	return addrs[0].IPNet
}

// waitSystemd polls `systemctl is-system-running` (it cannot answer
// before systemd's bus is up) until "running"; "degraded" or a timeout
// fails the test with the failed units.
func waitSystemd(t *testing.T, lp, name string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		r := run(t, nil, "lxc-attach", "-P", lp, "-n", name, "--", "systemctl", "is-system-running")
		last = strings.TrimSpace(r.stdout + r.stderr)
		if last == "running" || last == "degraded" {
			break
		}
	}
	failed := run(t, nil, "lxc-attach", "-P", lp, "-n", name, "--", "systemctl", "--failed", "--plain", "--no-legend", "--no-pager")
	if last != "running" || strings.TrimSpace(failed.stdout) != "" {
		t.Fatalf("systemctl is-system-running: %q; failed units:\n%s", last, failed.stdout)
	}
}

var ipv4Re = regexp.MustCompile(`(?m)^IP: +(\d+\.\d+\.\d+\.\d+)$`)

// debianDHCPAddr returns the container's address in lxcbr0's network and
// its host veth, as lxc-info shows them ("" if none yet).
func debianDHCPAddr(t *testing.T, lp, name string) (string, string) {
	t.Helper()
	bn := bridgeNet(t)
	info := run(t, nil, "lxc-info", "-P", lp, "-n", name).stdout
	link := ""
	if m := regexp.MustCompile(`(?m)^Link: +(\S+)$`).FindStringSubmatch(info); m != nil {
		link = m[1]
	}
	for _, m := range ipv4Re.FindAllStringSubmatch(info, -1) {
		if ip := net.ParseIP(m[1]); ip != nil && bn.Contains(ip) {
			return m[1], link
		}
	}
	return "", link
}

// debianDHCP waits for the container's dhclient to get a lease from
// golxc's dnsmasq on lxcbr0.
func debianDHCP(t *testing.T, lp, name string) (ip, link string) {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if ip, link = debianDHCPAddr(t, lp, name); ip != "" {
			break
		}
	}
	if ip == "" {
		t.Fatalf("no DHCP address from lxcbr0:\n%s", run(t, nil, "lxc-info", "-P", lp, "-n", name))
	}
	if link == "" {
		t.Fatalf("lxc-info shows no host veth")
	}
	l, err := netlink.LinkByName(link)
	if err != nil || l.Attrs().MasterIndex == 0 {
		t.Fatalf("host veth %s: %v, not on a bridge", link, err)
	}
	if br, err := netlink.LinkByIndex(l.Attrs().MasterIndex); err != nil || br.Attrs().Name != "lxcbr0" {
		t.Fatalf("host veth %s is not on lxcbr0 (%v)", link, err)
	}
	return ip, link
}

// debianReachHost: the container opens a TCP connection to a listener
// on the host's lxcbr0 address (bash's /dev/tcp: the minbase system has
// no ping) and sends a token through it.
func debianReachHost(t *testing.T, lp, name string) {
	t.Helper()
	host := bridgeNet(t).IP.String()
	ln, err := net.Listen("tcp4", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	token := fmt.Sprintf("deb-token-%d", time.Now().UnixNano())
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	r := run(t, nil, "lxc-attach", "-P", lp, "-n", name, "--", "timeout", "30", "bash", "-c",
		fmt.Sprintf("echo %s > /dev/tcp/%s/%d", token, host, port))
	if r.code != 0 {
		t.Fatalf("connect from the container to %s:%d: %s", host, port, r)
	}
	select {
	case s := <-got:
		if s != token {
			t.Fatalf("the host read %q, want %q", s, token)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("nothing reached %s:%d from the container", host, port)
	}
}

// debianConsoleLogin sets a root password and logs in on the console
// (lxc-console -t 0, where the template's systemd runs its getty) through
// a pty, runs a command, logs out and detaches with Ctrl-a q.
func debianConsoleLogin(t *testing.T, lp, name string) {
	t.Helper()
	const pass = "deb-it-Secret1"
	mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "sh", "-c", "echo root:"+pass+" | chpasswd")
	p := startPTY(t, "lxc-console", "-P", lp, "-n", name, "-t", "0")
	waitPTY(t, p, "login: ", "\r", time.Minute)
	p.write("root\r")
	waitPTY(t, p, "Password: ", "", 30*time.Second)
	p.write(pass + "\r")
	waitPTY(t, p, "root@"+name, "", time.Minute)
	p.write("echo LOGGED-IN-$((6*7)) $(tty)\r")
	waitPTY(t, p, "LOGGED-IN-42 /dev/console", "", 30*time.Second)
	p.write("exit\r")
	waitPTY(t, p, name+" login: ", "", time.Minute)
	p.write("\x01q")
	if code := p.wait(); code != 0 {
		t.Fatalf("lxc-console exited %d:\n%q", code, p.output())
	}
}

// waitPTY waits up to d for s in p's output, writing poke (if any) every
// two seconds meanwhile.
func waitPTY(t *testing.T, p *ptyRun, s, poke string, d time.Duration) {
	t.Helper()
	start := len(p.output())
	for deadline, i := time.Now().Add(d), 0; time.Now().Before(deadline); i++ {
		if strings.Contains(p.output()[start:], s) {
			return
		}
		if poke != "" && i%80 == 0 {
			p.write(poke)
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("console never showed %q; got %q", s, p.output())
}

// debianMonitorMemory: the monitor of a running container does not grow
// with use. After a warm-up (the Go heap settles within a few rounds),
// rounds of attaches, lxc-info queries, console output and console
// sessions must not raise its private memory by more than
// debianMonitorSlackKiB (a leak of about 5 KiB per operation would), nor
// its descriptors or threads.
const (
	debianMonitorWarmup   = 4
	debianMonitorRounds   = 10
	debianMonitorSlackKiB = 1536
)

func debianMonitorMemory(t *testing.T, lp, name string) {
	t.Helper()
	mons := monitors(lp, name)
	if len(mons) != 1 {
		t.Fatalf("monitors of %s: %v", name, mons)
	}
	mon := mons[0]
	round := func() {
		for i := 0; i < 15; i++ {
			mustRun(t, "lxc-info", "-P", lp, "-n", name)
			mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "sh", "-c", "head -c 3000 /dev/urandom | base64 > /dev/console")
		}
		for i := 0; i < 3; i++ {
			p := startPTY(t, "lxc-console", "-P", lp, "-n", name, "-t", "0")
			waitPTY(t, p, "Ctrl+a q", "", 30*time.Second)
			p.write("\x01q")
			if code := p.wait(); code != 0 {
				t.Fatalf("lxc-console exited %d:\n%q", code, p.output())
			}
		}
	}
	type usage struct{ anonKiB, fds, threads int }
	measure := func() usage {
		kb, err := strconv.Atoi(strings.TrimSuffix(procStatus(t, mon, "RssAnon"), " kB"))
		if err != nil {
			t.Fatal(err)
		}
		th, _ := strconv.Atoi(procStatus(t, mon, "Threads"))
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", mon))
		return usage{kb, len(fds), th}
	}
	for i := 0; i < debianMonitorWarmup; i++ {
		round()
	}
	before := measure()
	for i := 0; i < debianMonitorRounds; i++ {
		round()
	}
	after := measure()
	t.Logf("monitor %d: RssAnon %d -> %d KiB, fds %d -> %d, threads %d -> %d over %d rounds (%d lxc-info, %d lxc-attach, %d lxc-console)",
		mon, before.anonKiB, after.anonKiB, before.fds, after.fds, before.threads, after.threads,
		debianMonitorRounds, 15*debianMonitorRounds, 15*debianMonitorRounds, 3*debianMonitorRounds)
	if after.anonKiB-before.anonKiB > debianMonitorSlackKiB {
		t.Errorf("monitor private memory grew by %d KiB (limit %d)", after.anonKiB-before.anonKiB, debianMonitorSlackKiB)
	}
	if after.fds > before.fds || after.threads > before.threads+2 {
		t.Errorf("monitor fds %d -> %d, threads %d -> %d", before.fds, after.fds, before.threads, after.threads)
	}
}

// timedStop runs lxc-stop with args, which must succeed, logs how long it
// took and checks the state it leaves.
func timedStop(t *testing.T, lp, name, want string, args ...string) {
	t.Helper()
	start := time.Now()
	r := run(t, nil, "lxc-stop", append([]string{"-P", lp, "-n", name}, args...)...)
	if r.code != 0 {
		t.Fatalf("lxc-stop %v: %s", args, r)
	}
	t.Logf("lxc-stop %v: %v", args, time.Since(start).Round(time.Millisecond))
	if st := state(t, lp, name); st != want {
		t.Fatalf("after lxc-stop %v: %s, want %s", args, st, want)
	}
}
