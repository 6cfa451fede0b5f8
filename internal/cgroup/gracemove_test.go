package cgroup

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// fakeLegacy is a v1-only layout over plain directories (pids and
// name=systemd), the caller in the root cgroup of both.
func fakeLegacy(t *testing.T) (*Layout, string) {
	t.Helper()
	root := t.TempDir()
	pids, sd := filepath.Join(root, "pids"), filepath.Join(root, "systemd")
	for _, d := range []string{pids, sd} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mi := "31 30 0:28 / " + pids + " rw - cgroup cgroup rw,pids\n39 30 0:36 / " + sd + " rw - cgroup cgroup rw,name=systemd\n"
	l, err := DetectFrom(Sources{Mountinfo: mi, SelfCgroup: "8:pids:/\n9:name=systemd:/\n"})
	if err != nil {
		t.Fatal(err)
	}
	return l, root
}

func TestHasLegacy(t *testing.T) {
	hybrid, err := DetectFrom(Sources{Mountinfo: hybridMountinfo, SelfCgroup: hybridSelf})
	if err != nil {
		t.Fatal(err)
	}
	legacy, _ := fakeLegacy(t)
	unified, _ := fakeUnified(t)
	for _, c := range []struct {
		l    *Layout
		want bool
	}{{hybrid, true}, {legacy, true}, {unified, false}} {
		if got := c.l.HasLegacy(); got != c.want {
			t.Errorf("%v: HasLegacy = %v, want %v", c.l.Mode, got, c.want)
		}
	}
	if m := StartGracePeriod(unified); m != nil {
		t.Errorf("StartGracePeriod on a pure cgroup2 layout started a move")
	}
}

// TestStartEnterMonitorBeside: the monitor's move runs while the caller
// creates the payload cgroups, and Wait returns once it is done. The
// monitor cgroup's cgroup.procs is a FIFO here, so the move cannot finish
// before the test reads it.
func TestStartEnterMonitorBeside(t *testing.T) {
	l, root := fakeLegacy(t)
	c := New(l, Options{Name: "c1"})
	if err := c.CreateMonitorDirs(); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(root, "pids", "lxc.monitor.c1", "cgroup.procs")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "systemd", "lxc.monitor.c1", "cgroup.procs"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m := c.StartEnterMonitor(4242)
	if err := c.CreatePayload(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.done:
		t.Fatal("the move finished before its cgroup.procs was read")
	default:
	}
	b, err := os.ReadFile(fifo)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "4242" {
		t.Fatalf("monitor move wrote %q", b)
	}
	if err := m.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := m.Wait(); err != nil { // again: the same answer
		t.Fatal(err)
	}
	if c.monitorPid != 4242 {
		t.Fatalf("monitorPid = %d", c.monitorPid)
	}
	got, _ := os.ReadFile(filepath.Join(root, "systemd", "lxc.monitor.c1", "cgroup.procs"))
	if string(got) != "4242" {
		t.Fatalf("systemd monitor cgroup.procs = %q", got)
	}
}

// TestStartEnterMonitorError: Wait returns EnterMonitor's own error.
func TestStartEnterMonitorError(t *testing.T) {
	l, root := fakeLegacy(t)
	c := New(l, Options{Name: "c1"})
	if err := c.CreateMonitorDirs(); err != nil {
		t.Fatal(err)
	}
	err := c.StartEnterMonitor(4242).Wait()
	d := filepath.Join(root, "pids", "lxc.monitor.c1")
	want := "move monitor 4242 into " + d + ": open " + d + "/cgroup.procs: no such file or directory"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if c.monitorPid != 0 {
		t.Fatalf("monitorPid = %d after a failed move", c.monitorPid)
	}
	var nilMove *Move
	if err := nilMove.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestStartGracePeriodMovesIntoOwnCgroup: the early move writes this
// process into the cgroup it is in, in the first v1 hierarchy only.
func TestStartGracePeriodMovesIntoOwnCgroup(t *testing.T) {
	l, root := fakeLegacy(t)
	for _, h := range []string{"pids", "systemd"} {
		if err := os.WriteFile(filepath.Join(root, h, "cgroup.procs"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := StartGracePeriod(l)
	if m == nil {
		t.Fatal("no move on a v1 layout")
	}
	if err := m.Wait(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(root, "pids", "cgroup.procs"))
	if strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Fatalf("pids cgroup.procs = %q, want our pid", b)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "systemd", "cgroup.procs")); len(b) != 0 {
		t.Fatalf("systemd cgroup.procs = %q, want nothing", b)
	}
	// A failure is no error of the start's: the real moves report theirs.
	os.Remove(filepath.Join(root, "pids", "cgroup.procs"))
	if err := StartGracePeriod(l).Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestRootEnterMonitorBeside: on the real hierarchies the monitor's move
// in the background ends where CreateMonitor's does, with the payload
// made meanwhile, and Destroy pivots it out as usual.
func TestRootEnterMonitorBeside(t *testing.T) {
	l := needRoot(t)
	name := testName()
	c := New(l, Options{Name: name})
	t.Cleanup(func() {
		if err := c.Destroy(); err != nil {
			t.Errorf("Destroy: %v", err)
		}
	})
	if err := c.CreateMonitorDirs(); err != nil {
		t.Fatal(err)
	}
	m := c.StartEnterMonitor(os.Getpid())
	if err := c.CreatePayload(); err != nil {
		t.Fatal(err)
	}
	if err := m.Wait(); err != nil {
		t.Fatal(err)
	}
	self, err := pidCgroups(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range l.Hierarchies {
		if !strings.HasSuffix(self[h.ID], "/lxc.monitor."+name) {
			t.Errorf("%s: monitor (us) in %q, want .../lxc.monitor.%s", h.Name(), self[h.ID], name)
		}
	}
}

// TestRootStartGracePeriodMovesNothing: the early no-op move leaves this
// process where it is in every hierarchy.
func TestRootStartGracePeriodMovesNothing(t *testing.T) {
	l := needRoot(t)
	before, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	m := StartGracePeriod(l)
	if l.HasLegacy() != (m != nil) {
		t.Fatalf("StartGracePeriod on a %v host: move %v", l.Mode, m != nil)
	}
	if err := m.Wait(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile("/proc/self/cgroup")
	if string(before) != string(after) {
		t.Fatalf("cgroups changed:\n%s\nto\n%s", before, after)
	}
}
