package cgroup

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/config"
)

var nameSeq atomic.Int32

func needRoot(t *testing.T) *Layout {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates real cgroups")
	}
	l, err := Detect()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func testName() string { return fmt.Sprintf("%s-%d", testPrefix, nameSeq.Add(1)) }

// newContainer creates monitor and payload for a throw-away name and
// destroys them at the end of the test, failing it if Destroy fails.
func newContainer(t *testing.T, l *Layout, o Options) *Container {
	t.Helper()
	if o.Name == "" {
		o.Name = testName()
	}
	c := New(l, o)
	t.Cleanup(func() {
		if err := c.Destroy(); err != nil {
			t.Errorf("Destroy: %v", err)
		}
	})
	if err := c.CreateMonitor(); err != nil {
		t.Fatal(err)
	}
	if err := c.CreatePayload(); err != nil {
		t.Fatal(err)
	}
	return c
}

// gated starts `sh -c 'read _; SCRIPT'`: it waits on stdin, so it can be
// moved into the payload before the script runs. release lets it go.
type gated struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	done   chan struct{}
	err    error
	stderr strings.Builder
}

func startGated(t *testing.T, script string) *gated {
	t.Helper()
	g := &gated{cmd: exec.Command("/bin/sh", "-c", "read _; "+script), done: make(chan struct{})}
	g.cmd.Stderr = &g.stderr
	var err error
	if g.stdin, err = g.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Reap in the background, as a monitor does, so Destroy never waits
	// on a zombie.
	go func() { g.err = g.cmd.Wait(); close(g.done) }()
	t.Cleanup(func() {
		_ = g.cmd.Process.Kill()
		<-g.done
	})
	return g
}

func (g *gated) pid() int { return g.cmd.Process.Pid }

func (g *gated) release(t *testing.T) {
	t.Helper()
	if _, err := g.stdin.Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	g.stdin.Close()
}

func (g *gated) wait() error { <-g.done; return g.err }

func signaled(err error) syscall.Signal {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return ws.Signal()
		}
	}
	return 0
}

func readTrim(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func procStatus(t *testing.T, pid int, field string) string {
	t.Helper()
	for _, line := range strings.Split(readTrim(t, fmt.Sprintf("/proc/%d/status", pid)), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return ""
}

func TestRootCreateEnter(t *testing.T) {
	l := needRoot(t)
	c := newContainer(t, l, Options{})
	name := c.o.Name
	g := startGated(t, "exec sleep 100")
	if err := c.Enter(g.pid()); err != nil {
		t.Fatal(err)
	}
	paths, err := pidCgroups(g.pid())
	if err != nil {
		t.Fatal(err)
	}
	self, err := pidCgroups(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range l.Hierarchies {
		if !strings.HasSuffix(paths[h.ID], "/lxc.payload."+name) {
			t.Errorf("%s: child in %q, want .../lxc.payload.%s", h.Name(), paths[h.ID], name)
		}
		if !strings.HasSuffix(self[h.ID], "/lxc.monitor."+name) {
			t.Errorf("%s: monitor (us) in %q, want .../lxc.monitor.%s", h.Name(), self[h.ID], name)
		}
		// Root, not relative: under init's cgroup, not ours.
		if want := h.Dir(filepath.Join(h.InitPath, "lxc.payload."+name)); c.pay[h] != want {
			t.Errorf("%s: payload dir %s, want %s", h.Name(), c.pay[h], want)
		}
	}
	p := c.Paths()
	for _, ctl := range []string{"memory", "cpu", "pids", "freezer"} {
		if l.ForController(ctl) != nil && p[ctl] == "" {
			t.Errorf("Paths() lacks %s: %v", ctl, p)
		}
	}
	if l.Unified() != nil && p["unified"] == "" {
		t.Errorf("Paths() lacks unified: %v", p)
	}
	pids, err := c.Pids()
	if err != nil || len(pids) != 1 || pids[0] != g.pid() {
		t.Fatalf("Pids = %v %v, want [%d]", pids, err, g.pid())
	}
}

func TestRootApplyGetSet(t *testing.T) {
	l := needRoot(t)
	if l.ForController("memory") == nil || l.Mode == Unified {
		t.Skip("needs a v1 memory controller")
	}
	c := newContainer(t, l, Options{})
	if err := c.Apply([]config.KeyValue{{Key: "memory.limit_in_bytes", Value: "64M"}}, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Get("memory.limit_in_bytes"); err != nil || got != "67108864\n" {
		t.Fatalf("Get = %q %v, want \"67108864\\n\"", got, err)
	}
	err := c.Apply([]config.KeyValue{{Key: "memory.limit_in_bytes", Value: "12x"}}, nil)
	want := "lxc.cgroup.memory.limit_in_bytes = 12x: write memory.limit_in_bytes: invalid argument"
	if err == nil || err.Error() != want {
		t.Fatalf("bad value: err = %v\nwant %s", err, want)
	}
	if err := c.Set("memory.limit_in_bytes", "32M"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Get("memory.limit_in_bytes"); got != "33554432\n" {
		t.Fatalf("after Set: %q", got)
	}
	if err := c.Apply([]config.KeyValue{{Key: "nosuchctl.file", Value: "1"}}, nil); err == nil || !strings.Contains(err.Error(), "lxc.cgroup.nosuchctl.file = 1") {
		t.Fatalf("unknown controller: %v", err)
	}
	if _, err := c.Get("memory.no_such_file"); err == nil {
		t.Fatal("Get of a missing file must fail")
	}
	if l.Mode == Hybrid {
		// lxc.cgroup2.* goes to the (empty) v2 hierarchy: memory.max is not there.
		err := c.Apply(nil, []config.KeyValue{{Key: "memory.max", Value: "1G"}})
		if err == nil || !strings.HasPrefix(err.Error(), "lxc.cgroup2.memory.max = 1G: write memory.max:") {
			t.Fatalf("cgroup2 key on hybrid: %v", err)
		}
	}
}

func TestRootMemoryLimitEnforced(t *testing.T) {
	l := needRoot(t)
	h := l.ForController("memory")
	if h == nil || h.Unified {
		t.Skip("needs a v1 memory controller")
	}
	c := newContainer(t, l, Options{})
	kvs := []config.KeyValue{{Key: "memory.limit_in_bytes", Value: "64M"}}
	if _, err := os.Stat(filepath.Join(c.lim[h], "memory.memsw.limit_in_bytes")); err == nil {
		kvs = append(kvs, config.KeyValue{Key: "memory.memsw.limit_in_bytes", Value: "64M"})
	}
	if err := c.Apply(kvs, nil); err != nil {
		t.Fatal(err)
	}
	// The shell keeps 200 MB in a variable: far over the limit.
	g := startGated(t, `x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived`)
	if err := c.Enter(g.pid()); err != nil {
		t.Fatal(err)
	}
	g.release(t)
	err := g.wait()
	oom := parseKeyed(readTrim(t, filepath.Join(c.lim[h], "memory.oom_control")))
	if oom["oom_kill"] == 0 {
		t.Fatalf("no OOM kill recorded (oom_control %v); child: %v %q", oom, err, g.stderr.String())
	}
	if err == nil {
		t.Fatalf("child finished although a process of it was OOM-killed")
	}
}

func TestRootPidsMax(t *testing.T) {
	l := needRoot(t)
	h := l.ForController("pids")
	if h == nil || h.Unified {
		t.Skip("needs a v1 pids controller")
	}
	c := newContainer(t, l, Options{})
	if err := c.Apply([]config.KeyValue{{Key: "pids.max", Value: "4"}}, nil); err != nil {
		t.Fatal(err)
	}
	g := startGated(t, `i=0; while [ $i -lt 10 ]; do sleep 100 </dev/null >/dev/null 2>&1 & i=$((i+1)); done; echo forked`)
	if err := c.Enter(g.pid()); err != nil {
		t.Fatal(err)
	}
	g.release(t)
	_ = g.wait()
	ev := parseKeyed(readTrim(t, filepath.Join(c.lim[h], "pids.events")))
	if ev["max"] == 0 {
		t.Fatalf("pids.events max = 0: no fork was refused (stderr %q)", g.stderr.String())
	}
	pids, err := c.Pids()
	if err != nil {
		t.Fatal(err)
	}
	if len(pids) > 4 {
		t.Fatalf("%d processes in a cgroup with pids.max 4: %v", len(pids), pids)
	}
	if len(pids) == 0 {
		t.Fatal("the background sleeps that did fork should still be there")
	}
	// Destroy (cleanup) must kill the orphaned sleeps too.
}

func TestRootFreezeThaw(t *testing.T) {
	l := needRoot(t)
	c := newContainer(t, l, Options{})
	if !c.drv.canFreeze(c) {
		t.Skip("no freezer")
	}
	g := startGated(t, "exec sleep 100")
	if err := c.Enter(g.pid()); err != nil {
		t.Fatal(err)
	}
	g.release(t)
	// Wait until sh has become sleep (exec done), so we freeze the sleeper.
	if _, err := pollUntil(10*time.Second, func() (bool, error) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", g.pid()))
		return strings.TrimSpace(string(b)) == "sleep", nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.Freeze(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if f, err := c.Frozen(); err != nil || !f {
		t.Fatalf("Frozen = %v %v after Freeze", f, err)
	}
	if h := l.ForController("freezer"); h != nil && !h.Unified {
		if s := readTrim(t, filepath.Join(c.lim[h], "freezer.state")); s != "FROZEN" {
			t.Fatalf("freezer.state = %s", s)
		}
	}
	st := procStatus(t, g.pid(), "State")
	wchan := readTrim(t, fmt.Sprintf("/proc/%d/wchan", g.pid()))
	if !strings.HasPrefix(st, "D") && !strings.HasPrefix(st, "T") && !strings.Contains(wchan, "refrigerator") && !strings.Contains(wchan, "freezer") {
		t.Fatalf("frozen process: State %q wchan %q", st, wchan)
	}
	if err := c.Thaw(); err != nil {
		t.Fatal(err)
	}
	if f, err := c.Frozen(); err != nil || f {
		t.Fatalf("Frozen = %v %v after Thaw", f, err)
	}
	// A thawed sleeper runs briefly, then sleeps again.
	ok, _ := pollUntil(10*time.Second, func() (bool, error) {
		return strings.HasPrefix(procStatus(t, g.pid(), "State"), "S"), nil
	})
	if !ok {
		t.Fatalf("thawed sleep: State %q, want S", procStatus(t, g.pid(), "State"))
	}
}

func TestRootStats(t *testing.T) {
	l := needRoot(t)
	c := newContainer(t, l, Options{})
	g := startGated(t, `i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done`)
	if err := c.Enter(g.pid()); err != nil {
		t.Fatal(err)
	}
	g.release(t)
	if err := g.wait(); err != nil {
		t.Fatal(err)
	}
	s, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if !s.HasCPU || s.CPU == 0 {
		t.Fatalf("CPU = %d (has %v) after a busy child", s.CPU, s.HasCPU)
	}
	if !s.HasCPUSplit || s.CPUUser+s.CPUSystem == 0 {
		t.Fatalf("CPU user/system = %d/%d (has %v)", s.CPUUser, s.CPUSystem, s.HasCPUSplit)
	}
	if l.ForController("memory") != nil && !s.HasMemory {
		t.Fatal("memory usage missing")
	}
	if l.ForController("blkio") != nil && !s.HasBlkIO {
		t.Fatal("blkio missing")
	}
}

func TestRootKillAll(t *testing.T) {
	l := needRoot(t)
	c := newContainer(t, l, Options{})
	g := startGated(t, "exec sleep 100")
	if err := c.Enter(g.pid()); err != nil {
		t.Fatal(err)
	}
	if err := c.KillAll(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if sig := signaled(g.wait()); sig != syscall.SIGTERM {
		t.Fatalf("child ended with %v, want SIGTERM", g.err)
	}
}

// Destroy with a live process inside a sub-cgroup the "container" made.
func TestRootDestroySubCgroups(t *testing.T) {
	l := needRoot(t)
	c := newContainer(t, l, Options{})
	g := startGated(t, "exec sleep 100")
	if err := c.Enter(g.pid()); err != nil {
		t.Fatal(err)
	}
	for _, h := range l.Hierarchies {
		sub := filepath.Join(c.pay[h], "system", "deeper")
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := writeFile(filepath.Join(sub, "cgroup.procs"), fmt.Sprint(g.pid())); err != nil {
			t.Fatalf("move into %s: %v", sub, err)
		}
	}
	if err := c.Freeze(10 * time.Second); err != nil {
		t.Fatal(err) // Destroy must thaw to kill
	}
	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
	if sig := signaled(g.wait()); sig != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want SIGKILL", g.err)
	}
	for _, h := range l.Hierarchies {
		for _, d := range []string{c.lim[h], c.mon[h]} {
			if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s still exists after Destroy (%v)", d, err)
			}
		}
	}
	self, _ := pidCgroups(os.Getpid())
	for _, h := range l.Hierarchies {
		if !strings.HasSuffix(self[h.ID], "/"+pivotName) {
			t.Errorf("%s: monitor (us) in %q after Destroy, want the pivot", h.Name(), self[h.ID])
		}
	}
	if err := c.Destroy(); err != nil {
		t.Fatalf("second Destroy: %v", err)
	}
}

func TestRootCollisionSuffix(t *testing.T) {
	l := needRoot(t)
	name := testName()
	// Stale cgroups of an earlier run, in one hierarchy only.
	h := l.Hierarchies[0]
	c0 := New(l, Options{Name: name})
	var stale []string
	for _, n := range []string{"lxc.monitor." + name, "lxc.payload." + name, "lxc.payload." + name + "-1"} {
		d := filepath.Join(c0.baseDir(h), n)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		stale = append(stale, d)
	}
	t.Cleanup(func() {
		for _, d := range stale {
			if err := syscall.Rmdir(d); err != nil {
				t.Errorf("remove %s: %v", d, err)
			}
		}
	})
	c := newContainer(t, l, Options{Name: name})
	if c.monitor != "lxc.monitor."+name+"-1" {
		t.Errorf("monitor = %s, want suffix -1", c.monitor)
	}
	if c.Name() != "lxc.payload."+name+"-2" {
		t.Errorf("payload = %s, want suffix -2", c.Name())
	}
	for _, d := range stale {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("pre-existing %s was removed: %v", d, err)
		}
	}
}

func TestRootFromPid(t *testing.T) {
	l := needRoot(t)
	c := newContainer(t, l, Options{})
	g := startGated(t, "exec sleep 100")
	if err := c.Enter(g.pid()); err != nil {
		t.Fatal(err)
	}
	f, err := FromPid(l, g.pid(), c.o.Name)
	if err != nil {
		t.Fatal(err)
	}
	want, got := c.Paths(), f.Paths()
	if len(got) != len(want) {
		t.Fatalf("FromPid paths %v\nwant %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("FromPid %s = %s, want %s", k, got[k], v)
		}
	}
	if l.ForController("pids") != nil {
		if err := c.Set("pids.max", "77"); err != nil {
			t.Fatal(err)
		}
		if v, err := f.Get("pids.max"); err != nil || v != "77\n" {
			t.Fatalf("Get via FromPid = %q %v", v, err)
		}
	}
	pids, err := f.Pids()
	if err != nil || len(pids) != 1 || pids[0] != g.pid() {
		t.Fatalf("FromPid Pids = %v %v", pids, err)
	}
}

func TestRootDefaultDevices(t *testing.T) {
	l := needRoot(t)
	h := l.ForController("devices")
	if h == nil || h.Unified {
		t.Skip("needs a v1 devices controller")
	}
	c := newContainer(t, l, Options{})
	list := readTrim(t, filepath.Join(c.lim[h], "devices.list"))
	want := strings.Join(DefaultDeviceRules()[1:], "\n")
	if list != want {
		t.Fatalf("devices.list =\n%s\nwant\n%s", list, want)
	}
	// A config with its own rules gets exactly those.
	err := c.Apply([]config.KeyValue{{Key: "devices.deny", Value: "a"}, {Key: "devices.allow", Value: "c 1:3 rwm"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if list := readTrim(t, filepath.Join(c.lim[h], "devices.list")); list != "c 1:3 rwm" {
		t.Fatalf("devices.list after config rules = %q", list)
	}
	// And the rule is enforced: /dev/zero (1:5) cannot be opened.
	g := startGated(t, "head -c1 /dev/zero >/dev/null && echo opened")
	if err := c.Enter(g.pid()); err != nil {
		t.Fatal(err)
	}
	g.release(t)
	if err := g.wait(); err == nil {
		t.Fatalf("reading /dev/zero succeeded despite devices.list %q", "c 1:3 rwm")
	}
}

func TestRootExplicitDirsInner(t *testing.T) {
	l := needRoot(t)
	n := testName()
	c := newContainer(t, l, Options{Name: n, DirContainer: n + "-pay", DirMonitor: n + "-mon", DirInner: "inner"})
	g := startGated(t, "exec sleep 100")
	if err := c.Enter(g.pid()); err != nil {
		t.Fatal(err)
	}
	paths, _ := pidCgroups(g.pid())
	for _, h := range l.Hierarchies {
		if !strings.HasSuffix(paths[h.ID], "/"+n+"-pay/inner") {
			t.Errorf("%s: child in %q, want .../%s-pay/inner", h.Name(), paths[h.ID], n)
		}
	}
	if h := l.ForController("pids"); h != nil && !h.Unified {
		// Limits go on the outer (limit) cgroup, above the inner leaf.
		if err := c.Apply([]config.KeyValue{{Key: "pids.max", Value: "9"}}, nil); err != nil {
			t.Fatal(err)
		}
		if v := readTrim(t, filepath.Join(c.lim[h], "pids.max")); v != "9" {
			t.Fatalf("limit pids.max = %s", v)
		}
	}
	// A second container on the same explicit paths must fail, not suffix.
	c2 := New(l, Options{Name: n + "b", DirContainer: n + "-pay", DirMonitor: n + "-mon2"})
	if err := c2.CreatePayload(); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second payload on an explicit path: %v", err)
	}
}

func TestRootDirOption(t *testing.T) {
	l := needRoot(t)
	n := testName()
	// Registered first so it runs after Destroy: like LXC, Destroy leaves
	// lxc.cgroup.dir itself and its lxc.pivot, where the monitor (we) went.
	t.Cleanup(func() {
		c0 := New(l, Options{Name: n})
		for _, h := range l.Hierarchies {
			base := c0.baseDir(h)
			parent := filepath.Join(base, n+"-dir")
			if err := writeFile(filepath.Join(base, "cgroup.procs"), fmt.Sprint(os.Getpid())); err != nil {
				t.Errorf("leave %s: %v", parent, err)
			}
			_ = syscall.Rmdir(filepath.Join(parent, pivotName))
			if err := syscall.Rmdir(parent); err != nil {
				t.Errorf("remove %s: %v", parent, err)
			}
		}
	})
	c := newContainer(t, l, Options{Name: n, Dir: n + "-dir"})
	for _, h := range l.Hierarchies {
		want := filepath.Join(c.baseDir(h), n+"-dir", "lxc.payload."+n)
		if c.pay[h] != want {
			t.Errorf("%s: payload %s, want %s", h.Name(), c.pay[h], want)
		}
		if want := filepath.Join(c.baseDir(h), n+"-dir", "lxc.monitor."+n); c.mon[h] != want {
			t.Errorf("%s: monitor %s, want %s", h.Name(), c.mon[h], want)
		}
	}
	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
	self, _ := pidCgroups(os.Getpid())
	for _, h := range l.Hierarchies {
		if !strings.HasSuffix(self[h.ID], "/"+n+"-dir/"+pivotName) {
			t.Errorf("%s: monitor pivoted to %q, want .../%s-dir/%s", h.Name(), self[h.ID], n, pivotName)
		}
	}
}

func TestRootPayloadFD(t *testing.T) {
	l := needRoot(t)
	u := l.Unified()
	if u == nil {
		t.Skip("no cgroup2 hierarchy")
	}
	c := newContainer(t, l, Options{})
	f, err := c.PayloadFD()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command("cat", "/proc/self/cgroup")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(f.Fd())}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines, err := parseProcCgroup(string(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, ln := range lines {
		if ln.ID == 0 && !strings.HasSuffix(ln.Path, "/"+c.Name()) {
			t.Fatalf("CLONE_INTO_CGROUP child in %q, want .../%s", ln.Path, c.Name())
		}
	}
}
