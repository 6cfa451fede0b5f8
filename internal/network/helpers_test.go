package network

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

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/lock"
	"github.com/golxc/golxc/internal/lxcnet"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "golxc-net-state-")
	if err != nil {
		panic(err)
	}
	StateDir = dir
	// Never bring up the host's real lxcbr0 from unit tests.
	lxcnetSettings = func() (lxcnet.Settings, error) {
		s := lxcnet.Defaults()
		s.UseBridge = false
		return s, nil
	}
	// Another container's dead record: no test may sweep it.
	foreign := foreignRecord()
	if err := foreign.save(); err != nil {
		panic(err)
	}
	code := m.Run()
	if _, err := os.Stat(foreign.path()); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: a test swept %s, a record it did not make (another container's): sweep only the test's own lxcpath (sweepUnder, recordsUnder)\n", foreign.path())
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// foreignRecord stands for another container's dead record in the state
// directory the tests share with nothing else.
func foreignRecord() *record {
	return &record{Container: "/nonexistent/golxc-net-test-foreign/other", MonitorPID: 1 << 22, MonitorStart: "1", Addrs: []string{"10.250.97.1"}}
}

// testLXCPath is a fresh lxcpath for a test's made-up containers; it and
// the lock files a sweep takes for them go when the test ends.
func testLXCPath(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gxnet-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.RemoveAll(dir)
		os.RemoveAll(filepath.Dir(lock.Path(config.RuntimeDir(), dir, "x")))
	})
	return dir
}

// ownRecords: the live and dead records of lxcpath's containers.
func ownRecords(lxcpath string) (live, dead []*record) {
	l, d := readRecords()
	return recordsUnder(l, lxcpath), recordsUnder(d, lxcpath)
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

func randSuffix(t *testing.T, n int) string {
	b := make([]byte, n)
	for i := range b {
		x, err := rand.Int(rand.Reader, big.NewInt(26))
		if err != nil {
			t.Fatal(err)
		}
		b[i] = byte('a' + x.Int64())
	}
	return string(b)
}

// testSubnet picks 10.250.N.0/24 with no address of it on the host.
func testSubnet(t *testing.T) string {
	t.Helper()
	addrs, _ := net.InterfaceAddrs()
	for try := 0; try < 50; try++ {
		x, _ := rand.Int(rand.Reader, big.NewInt(250))
		prefix := fmt.Sprintf("10.250.%d.", x.Int64()+2)
		used := false
		for _, a := range addrs {
			if strings.HasPrefix(a.String(), prefix) {
				used = true
			}
		}
		if !used {
			return prefix
		}
	}
	t.Fatal("no free 10.250.N.0/24 test subnet")
	return ""
}

// testBridge creates bridge gxbrXXXXX with address cidr ("" for none),
// removed at the end of the test.
func testBridge(t *testing.T, cidr string) string {
	t.Helper()
	name := "gxbr" + randSuffix(t, 6)
	attrs := netlink.NewLinkAttrs()
	attrs.Name = name
	if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil {
		t.Fatalf("create test bridge: %v", err)
	}
	t.Cleanup(func() { delLink(name) })
	l, _ := netlink.LinkByName(name)
	if cidr != "" {
		a, _ := netlink.ParseAddr(cidr)
		if err := netlink.AddrAdd(l, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := netlink.LinkSetUp(l); err != nil {
		t.Fatal(err)
	}
	return name
}

// testVeth creates a veth pair a/b (both up), removed at the end.
func testVeth(t *testing.T) (string, string) {
	t.Helper()
	a, b := "gxva"+randSuffix(t, 6), "gxvb"+randSuffix(t, 6)
	attrs := netlink.NewLinkAttrs()
	attrs.Name = a
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: attrs, PeerName: b}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { delLink(a); delLink(b) })
	for _, n := range []string{a, b} {
		l, _ := netlink.LinkByName(n)
		netlink.LinkSetUp(l)
	}
	return a, b
}

func delLink(name string) {
	if l, err := netlink.LinkByName(name); err == nil {
		netlink.LinkDel(l)
	}
}

// nsProcess starts a process in a new network namespace, like a
// container's init, killed at the end of the test.
func nsProcess(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("sleep", "600")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd.Process.Pid
}

// nsHandle is a netlink handle in the namespace of pid.
func nsHandle(t *testing.T, pid int) *netlink.Handle {
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

// spec parses config lines into a Spec.
func spec(t *testing.T, lines ...string) *config.Spec {
	t.Helper()
	c := config.New()
	if err := c.LoadBytes("test.conf", []byte(strings.Join(lines, "\n")+"\n")); err != nil {
		t.Fatal(err)
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// up runs New and Setup for lines against pid; Teardown at test end.
func up(t *testing.T, pid int, lines ...string) *Network {
	t.Helper()
	n, err := New(Params{Name: "gxtest", LXCPath: "/tmp/gxtest", Spec: spec(t, lines...)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { n.Teardown() })
	if err := n.Setup(pid); err != nil {
		n.Teardown()
		t.Fatalf("Setup: %v", err)
	}
	return n
}

func linkIn(t *testing.T, h *netlink.Handle, name string) netlink.Link {
	t.Helper()
	l, err := h.LinkByName(name)
	if err != nil {
		t.Fatalf("device %s: %v", name, err)
	}
	return l
}

func addrsOf(t *testing.T, h *netlink.Handle, l netlink.Link, fam int) []string {
	t.Helper()
	as, err := h.AddrList(l, fam)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range as {
		if a.IP.IsLinkLocalUnicast() {
			continue
		}
		s := a.IPNet.String()
		if a.Broadcast != nil {
			s += " brd " + a.Broadcast.String()
		}
		out = append(out, s)
	}
	return out
}

func hostLinkNames(t *testing.T) map[string]bool {
	t.Helper()
	ls, _ := netlink.LinkList()
	m := map[string]bool{}
	for _, l := range ls {
		m[l.Attrs().Name] = true
	}
	return m
}

func stateFiles(t *testing.T) []string {
	t.Helper()
	ents, _ := os.ReadDir(StateDir)
	var out []string
	for _, e := range ents {
		if e.Name() != filepath.Base(foreignRecord().path()) {
			out = append(out, e.Name())
		}
	}
	return out
}
