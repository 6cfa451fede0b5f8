package monitor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/cmdsock"
)

func TestDaemonStartHaltStop(t *testing.T) {
	c := newCT(t, "mon-basic", "")
	o := c.opts()
	o.PidFile = filepath.Join(c.lxcpath, "pidfile")
	code, err := Start(o)
	if err != nil || code != 0 {
		t.Fatalf("Start = %d, %v", code, err)
	}
	if st := c.state(); st != cmdsock.RUNNING {
		t.Fatalf("state %s, want RUNNING", st)
	}
	pid := c.initPID()
	for _, ns := range []string{"mnt", "pid", "uts", "ipc", "net", "cgroup"} {
		if nsLink(pid, ns) == nsLink(os.Getpid(), ns) {
			t.Errorf("init shares the host %s namespace", ns)
		}
	}
	if got := c.fact("pid"); got != "1" {
		t.Errorf("init sees itself as pid %s, want 1", got)
	}
	if got := c.fact("hostname"); got != c.name {
		t.Errorf("hostname %q, want %q", got, c.name)
	}
	env := c.fact("env")
	if !strings.Contains(env, "container=lxc") {
		t.Errorf("init env lacks container=lxc:\n%s", env)
	}
	b, err := os.ReadFile(o.PidFile)
	must(t, err)
	mon, _ := strconv.Atoi(string(b))
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", mon))
	if want := "[lxc monitor] " + c.lxcpath + " " + c.name; !strings.HasPrefix(string(cmdline), want) {
		t.Errorf("monitor title %q, want %q", cmdline, want)
	}
	if len(cgroupDirs(c.name)) == 0 {
		t.Error("no lxc.payload/lxc.monitor cgroups found while running: the leak check would be blind")
	}
	if len(mountsUnder(c.lxcpath)) != 0 {
		t.Error("container mounts leaked into the host mount namespace")
	}
	cg, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if !strings.Contains(string(cg), "lxc.payload."+c.name) {
		t.Errorf("init not in the payload cgroup:\n%s", cg)
	}

	// Clean shutdown as lxc-stop does it: lxc.signal.halt to init.
	must(t, syscall.Kill(pid, syscall.SIGUSR1))
	c.waitStopped()
	if got := c.fact("halt"); got != "halted" {
		t.Errorf("init did not run its halt trap: %q", got)
	}
	waitFor(t, "monitor exit", func() bool { return !alive(mon) })
	if _, err := os.Stat(o.PidFile); !os.IsNotExist(err) {
		t.Errorf("pidfile not removed: %v", err)
	}
	c.assertClean()

	// Hard stop through the STOP command.
	os.Remove(filepath.Join(c.facts, "ready"))
	if _, err := Start(c.opts()); err != nil {
		t.Fatal(err)
	}
	c.fact("ready")
	cl := c.client()
	must(t, cl.Stop())
	c.waitStopped()
	c.assertClean()
}

func TestHooksOrderAndEnv(t *testing.T) {
	needRoot(t)
	lp := t.TempDir()
	out := filepath.Join(lp, "facts", "hooks")
	host := filepath.Join(lp, "hook.sh")
	must(t, os.WriteFile(host, []byte(`#!/bin/sh
echo "$3 args=$# pid=${LXC_PID:-} target=${LXC_TARGET:-} netns=${LXC_NET_NS:+yes} name=$LXC_NAME cfg=${LXC_CONFIG_FILE##*/}" >> `+out+"\n"), 0o755))
	extra := ""
	for _, h := range []string{"pre-start", "pre-mount", "mount", "autodev", "start-host", "stop", "post-stop"} {
		extra += "lxc.hook." + h + " = " + host + "\n"
	}
	extra += "lxc.hook.start = /bin/inhook.sh\n"
	c := newCTAt(t, lp, "mon-hooks", extra)
	must(t, os.WriteFile(filepath.Join(c.rootfs, "bin/inhook.sh"), []byte("#!/bin/sh\necho \"$3 in-container cwd=$(pwd)\" >> /facts/hooks\n"), 0o755))
	if _, err := Start(c.opts()); err != nil {
		t.Fatal(err)
	}
	c.fact("ready")
	cl := c.client()
	must(t, cl.Stop())
	c.waitStopped()
	b, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var order []string
	for _, l := range lines {
		order = append(order, strings.Fields(l)[0])
	}
	want := "pre-start pre-mount mount autodev start start-host stop post-stop"
	if strings.Join(order, " ") != want {
		t.Fatalf("hook order %q, want %q\n%s", strings.Join(order, " "), want, b)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		switch f[0] {
		case "start-host", "stop", "post-stop":
			if strings.Contains(l, "pid= ") {
				t.Errorf("%s hook without LXC_PID: %s", f[0], l)
			}
		}
		switch f[0] {
		case "stop":
			if !strings.Contains(l, "target=stop") || !strings.Contains(l, "netns=yes") || strings.Contains(l, "args=3 ") {
				t.Errorf("stop hook lacks target/ns args/env: %s", l)
			}
		case "start":
			if !strings.Contains(l, "cwd=/") {
				t.Errorf("start hook: %s", l)
			}
		default:
			if !strings.Contains(l, "name=mon-hooks cfg=config") {
				t.Errorf("%s hook env: %s", f[0], l)
			}
		}
	}
}

func TestExecuteExitCodes(t *testing.T) {
	c := newCT(t, "mon-exec", "")
	for _, tc := range []struct {
		script string
		want   int
	}{
		{"exit 0", 0}, {"exit 1", 1}, {"exit 42", 42}, {"kill -9 $$", 128 + 9},
		// The command is not PID 1 (the in-process init is); it is not PID 2
		// either, as the Go runtime's threads take the first pids.
		{"test $$ != 1 && test -d /proc/1", 0},
	} {
		o := c.opts()
		o.Daemonize, o.Execute = false, true
		o.Command = []string{"/bin/sh", "-c", tc.script}
		code, err := Start(o)
		if err != nil {
			t.Fatalf("%q: %v", tc.script, err)
		}
		if code != tc.want {
			t.Errorf("%q: exit %d, want %d", tc.script, code, tc.want)
		}
		c.assertClean()
	}
	o := c.opts()
	o.Daemonize, o.Execute = false, true
	o.Command = []string{"/no/such/command"}
	if code, _ := Start(o); code != 255 {
		t.Errorf("exec failure: exit %d, want 255", code)
	}
}

func TestFailingMountEntryIsOneLineAndLeavesNothing(t *testing.T) {
	c := newCT(t, "mon-fail", "lxc.mount.entry = /nonexistent/golxc-src tmp/x none bind,create=dir 0 0\n")
	code, err := Start(c.opts())
	if err == nil || code == 0 {
		t.Fatalf("Start = %d, %v; want a failure", code, err)
	}
	msg := err.Error()
	t.Logf("error: %s", msg)
	if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, c.name+": ") || !strings.Contains(msg, "/nonexistent/golxc-src") {
		t.Errorf("error is not one line naming the container and the entry: %q", msg)
	}
	c.waitStopped()
	c.assertClean()
}

func TestConcurrentStarts(t *testing.T) {
	c := newCT(t, "mon-twice", "")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	codes := make([]int, 2)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i], errs[i] = Start(c.opts())
		}(i)
	}
	wg.Wait()
	ok, already := 0, 0
	for i, err := range errs {
		switch {
		case err == nil && codes[i] == 0:
			ok++
		case errors.Is(err, ErrAlreadyRunning) && codes[i] == 0:
			already++
		default:
			t.Errorf("start %d: %d, %v", i, codes[i], err)
		}
	}
	if ok != 1 || already != 1 {
		t.Fatalf("%d started, %d already running; want 1 and 1", ok, already)
	}
	if n := len(processesMentioningMonitor(c)); n != 1 {
		t.Errorf("%d monitors running, want 1", n)
	}
}

func processesMentioningMonitor(c *ct) []string {
	var out []string
	for _, p := range processesMentioning(c.lxcpath) {
		if strings.Contains(p, "[lxc monitor]") && !strings.Contains(p, "zombie") {
			out = append(out, p)
		}
	}
	return out
}

func TestCyclesLeakNothing(t *testing.T) {
	c := newCT(t, "mon-cycle", "")
	// Warm up once so lazily created things (sealed exe, lock file) exist.
	cycle(t, c)
	fds := openFDs(t)
	for i := 0; i < 20; i++ {
		cycle(t, c)
	}
	if n := openFDs(t); n != fds {
		t.Errorf("test process fds: %d before, %d after 20 cycles", fds, n)
	}
}

func cycle(t *testing.T, c *ct) {
	t.Helper()
	os.Remove(filepath.Join(c.facts, "ready"))
	if _, err := Start(c.opts()); err != nil {
		t.Fatal(err)
	}
	c.fact("ready")
	cl := c.client()
	must(t, cl.Stop())
	c.waitStopped()
	waitFor(t, "monitor exit", func() bool { return len(processesMentioningMonitor(c)) == 0 })
	c.assertClean()
}

// TestCommandsDuringSetupCannotHangStart: a freeze (or anything else but a
// stop that needs init) sent while the container is STARTING waits until
// setup is over, as LXC's clients wait for its mainloop. Before, a freeze
// stopped init between two setup steps and lxc-start waited forever.
func TestCommandsDuringSetupCannotHangStart(t *testing.T) {
	needRoot(t)
	lp := t.TempDir()
	// The hook holds the start in STARTING until the test opens the gate.
	gate := newSetupGate(t, lp)
	c := newCTAt(t, lp, "mon-setup", "lxc.hook.start-host = "+gate.hook+"\n")
	started := make(chan error, 1)
	go func() { _, err := Start(c.opts()); started <- err }()
	gate.waitEntered(t, "start-host hook")
	if st := c.state(); st != cmdsock.STARTING {
		t.Fatalf("state during start-host hook %s, want STARTING", st)
	}
	froze := make(chan error, 1)
	go func() {
		cl := c.client()
		defer cl.Close()
		froze <- cl.Freeze(-1)
	}()
	gotPid := make(chan int, 1)
	go func() {
		cl := c.client()
		defer cl.Close()
		pid, _ := cl.InitPID()
		gotPid <- pid
	}()
	select {
	case err := <-froze:
		t.Fatalf("freeze answered (%v) while the container was STARTING", err)
	case pid := <-gotPid:
		t.Fatalf("init pid %d answered while STARTING (attach would join a half-made container)", pid)
	case <-time.After(300 * time.Millisecond):
	}
	gate.open(t)
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("start hung after a command during setup")
	}
	if err := <-froze; err != nil {
		t.Errorf("freeze held during setup: %v, want it done once RUNNING", err)
	}
	if pid := <-gotPid; pid <= 0 {
		t.Errorf("init pid held during setup = %d", pid)
	}
	if st := c.state(); st != cmdsock.FROZEN {
		t.Errorf("state after the held freeze %s, want FROZEN", st)
	}
	cl := c.client()
	must(t, cl.Unfreeze(-1))
	cl.Close()
	c.fact("ready")
}

// TestStopBeforeInitAbortsStart: a stop, or SIGTERM to the monitor, that
// comes while setup has not spawned init yet (here held in a pre-start
// hook) is not lost: the start aborts once the hook returns, and the stop
// is answered as LXC answers a successful one (the monitor hangs up as it
// exits). Before, the stop got ESRCH, the signal was ignored, and the
// container ran on (TestStorm's hung lxc-stop -k).
// The after-spawn cases hold setup in a start-host hook, with the setup
// stage spawned: it is killed, and the start reports the stop, not the
// stage's broken handshake.
func TestStopBeforeInitAbortsStart(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		name, how, hook, logged string
		ephemeral               bool
	}{
		{"stop", "stop", "pre-start", "before init was spawned: the start", false},
		{"sigterm", "sigterm", "pre-start", "before init was spawned: the start", false},
		{"stop-after-spawn", "stop", "start-host", "Stop requested during setup: killing the setup stage", false},
		{"sigterm-after-spawn", "sigterm", "start-host", "Monitor received terminated: killing init", false},
		// As LXC's lxc_end: an aborted start destroys an ephemeral one.
		{"stop-ephemeral", "stop", "pre-start", "before init was spawned: the start", true},
	} {
		t.Run(tc.name, func(t *testing.T) { stopBeforeInit(t, tc.how, tc.hook, tc.logged, tc.ephemeral) })
	}
}

func stopBeforeInit(t *testing.T, how, hookType, logged string, ephemeral bool) {
	lp := t.TempDir()
	gate := newSetupGate(t, lp)
	logf := filepath.Join(lp, "monitor.log")
	extra := "lxc.hook." + hookType + " = " + gate.hook + "\nlxc.log.file = " + logf + "\nlxc.log.level = DEBUG\n"
	if ephemeral {
		extra += "lxc.ephemeral = 1\n"
	}
	c := newCTAt(t, lp, "mon-stop-setup", extra)
	o := c.opts()
	o.PidFile = filepath.Join(lp, "pid")
	started := make(chan error, 1)
	go func() { _, err := Start(o); started <- err }()
	gate.waitEntered(t, hookType+" hook")
	stopped := make(chan error, 1)
	if how == "stop" {
		cl := c.client()
		defer cl.Close()
		go func() { stopped <- cl.Stop() }()
	} else {
		must(t, syscall.Kill(monitorPid(t, o.PidFile), syscall.SIGTERM))
		stopped <- nil
	}
	// The gate opens once the monitor has taken the stop in: the start
	// is then aborted whatever the timing.
	waitFor(t, "the monitor's log of the stop", func() bool {
		b, _ := os.ReadFile(logf)
		return strings.Contains(string(b), logged)
	})
	if how == "stop" {
		select {
		case err := <-stopped:
			t.Fatalf("stop answered (%v) before the start it overtook was aborted", err)
		default:
		}
	}
	gate.open(t)
	select {
	case err := <-started:
		if err == nil || !strings.Contains(err.Error(), "stopped while starting") {
			t.Errorf("start overtaken by a %s: %v, want the abort", how, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("start hung after a %s during setup", how)
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("stop during setup: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("stop during setup never answered")
	}
	c.waitStopped()
	c.assertClean()
	if _, err := os.Stat(c.dir); ephemeral != os.IsNotExist(err) {
		t.Errorf("container directory after the aborted start (ephemeral %v): %v", ephemeral, err)
	}
}

// TestExecuteHoldsSignalsUntilTheCommandRuns: lxc-execute's SIGTERM that
// comes while the container still starts (held here in a pre-start hook)
// reaches the command once it runs, as LXC's signalfd keeps it for its
// mainloop; it used to be dropped, and the command ran on.
func TestExecuteHoldsSignalsUntilTheCommandRuns(t *testing.T) {
	needRoot(t)
	t.Run("exec-plan", executeHoldsSignals)
	// The Go stage's init (no exec plan) tells the monitor it runs only
	// once its handler is in place (before, the runtime would exit 2).
	t.Run("go-stage", func(t *testing.T) {
		t.Setenv("GOLXC_NO_INIT_PLAN", "1")
		executeHoldsSignals(t)
	})
}

func executeHoldsSignals(t *testing.T) {
	lp := t.TempDir()
	gate := newSetupGate(t, lp)
	logf := filepath.Join(lp, "monitor.log")
	c := newCTAt(t, lp, "mon-exec-sig", "lxc.hook.pre-start = "+gate.hook+"\nlxc.log.file = "+logf+"\nlxc.log.level = DEBUG\n")
	o := c.opts()
	o.Daemonize, o.Execute = false, true
	o.Command = []string{"/bin/sleep", "30"}
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() { code, err := Start(o); done <- result{code, err} }()
	gate.waitEntered(t, "pre-start hook")
	// The monitor runs in this process (lxc-execute's foreground
	// monitor), which catches SIGTERM while it runs.
	must(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	waitFor(t, "the monitor's log of the held signal", func() bool {
		b, _ := os.ReadFile(logf)
		return strings.Contains(string(b), "before the command runs: holding it")
	})
	gate.open(t)
	select {
	case r := <-done:
		if r.err != nil || r.code != 128+int(syscall.SIGTERM) {
			t.Errorf("lxc-execute given SIGTERM while starting: exit %d (%v), want %d", r.code, r.err, 128+int(syscall.SIGTERM))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the command ran on: the SIGTERM that came during the start was lost")
	}
	c.assertClean()
}
