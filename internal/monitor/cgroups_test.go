package monitor

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/golxc/golxc/internal/cgroup"
)

func fakeLayout(t *testing.T, v1, v2 bool) (*cgroup.Layout, string) {
	t.Helper()
	root := t.TempDir()
	var mi, self string
	if v1 {
		d := filepath.Join(root, "pids")
		mi += "31 30 0:28 / " + d + " rw - cgroup cgroup rw,pids\n"
		self += "8:pids:/\n"
	}
	if v2 {
		d := filepath.Join(root, "unified")
		mi += "40 30 0:37 / " + d + " rw - cgroup2 cgroup2 rw\n"
		self += "0::/\n"
	}
	for _, d := range []string{"pids", "unified"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l, err := cgroup.DetectFrom(cgroup.Sources{Mountinfo: mi, SelfCgroup: self})
	if err != nil {
		t.Fatal(err)
	}
	return l, root
}

// TestFirstMove: where v1 hierarchies take moves, the monitor's move runs
// beside the setup (or, without a monitor cgroup, a no-op move starts the
// grace period); a pure cgroup2 host keeps the move it had.
func TestFirstMove(t *testing.T) {
	hybrid, _ := fakeLayout(t, true, true)
	legacy, _ := fakeLayout(t, true, false)
	unified, _ := fakeLayout(t, false, true)
	for _, c := range []struct {
		l         *cgroup.Layout
		noMonitor bool
		want      firstMoveKind
	}{
		{hybrid, false, monitorBeside},
		{legacy, false, monitorBeside},
		{unified, false, monitorFirst},
		{hybrid, true, primeLock},
		{legacy, true, primeLock},
		{unified, true, noMove},
	} {
		if got := firstMove(c.l, c.noMonitor); got != c.want {
			t.Errorf("firstMove(%v, noMonitor %v) = %d, want %d", c.l.Mode, c.noMonitor, got, c.want)
		}
	}
}

// TestFailedFirstMoveSameLine: a monitor move that failed in the
// background fails the stage's move (and the start) with the line
// newCgroups gave when the move ran there, and no stage move is made.
func TestFailedFirstMoveSameLine(t *testing.T) {
	l, root := fakeLayout(t, true, false)
	cg := cgroup.New(l, cgroup.Options{Name: "gp1"})
	if err := cg.CreateMonitorDirs(); err != nil {
		t.Fatal(err)
	}
	if err := cg.CreatePayload(); err != nil {
		t.Fatal(err)
	}
	payProcs := filepath.Join(root, "pids", "lxc.payload.gp1", "cgroup.procs")
	if err := os.WriteFile(payProcs, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c := &cgroups{layout: l, cg: cg, first: cg.StartEnterMonitor(4242)}
	err := c.enter(4343)
	d := filepath.Join(root, "pids", "lxc.monitor.gp1")
	want := "create monitor cgroup: move monitor 4242 into " + d + ": open " + d + "/cgroup.procs: no such file or directory"
	if err == nil || err.Error() != want {
		t.Fatalf("enter = %v, want %s", err, want)
	}
	if err := c.joinFirst(); err == nil || err.Error() != want {
		t.Fatalf("joinFirst = %v, want %s", err, want)
	}
	if b, _ := os.ReadFile(payProcs); len(b) != 0 {
		t.Fatalf("the stage was moved (%q) after the monitor's move failed", b)
	}
	// With the monitor's cgroup.procs there, the stage follows it.
	if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c.first = cg.StartEnterMonitor(4242)
	if err := c.enter(4343); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(payProcs); string(b) != "4343" {
		t.Fatalf("payload cgroup.procs = %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(d, "cgroup.procs")); string(b) != "4242" {
		t.Fatalf("monitor cgroup.procs = %q", b)
	}
}
