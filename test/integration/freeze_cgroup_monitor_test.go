package integration

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Freeze, cgroup and monitor tools against golxc-started busybox containers.

// payloadPids lists the pids in the container's freezer cgroup.
func payloadPids(t *testing.T, init int) []int {
	t.Helper()
	dir := cgroupOf(t, init, "freezer")
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("cgroup.procs: %q", f)
		}
		pids = append(pids, pid)
	}
	if len(pids) == 0 {
		t.Fatalf("no process in %s", dir)
	}
	return pids
}

// procState is the one-letter state of /proc/PID/status ("S", "D", ...).
func procState(t *testing.T, pid int) string {
	t.Helper()
	f := strings.Fields(procStatus(t, pid, "State"))
	if len(f) == 0 {
		t.Fatalf("/proc/%d/status: empty State", pid)
	}
	return f[0]
}

func TestFreezeUnfreeze(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	const name = "fz-c1"
	busybox(t, lp, name)

	// Stopped: freeze fails, unfreeze is a successful no-op (LXC 5.0.2).
	// LXC 5.0.2's four lines on this hybrid host (its client serves the
	// FREEZING and RUNNING states to a monitor that is not there).
	r := run(t, nil, "lxc-freeze", "-P", lp, "-n", name)
	expect(t, r, 1, "", fmt.Sprintf("lxc-freeze: %[2]s: Connection refused - Failed to serve state clients\n"+
		"lxc-freeze: %[2]s: Failed to freeze %[2]s\n"+
		"lxc-freeze: %[2]s: Connection refused - Failed to serve state clients\n"+
		"lxc-freeze: %[2]s: Failed to freeze %[1]s:%[2]s\n", lp, name))
	expect(t, run(t, nil, "lxc-unfreeze", "-P", lp, "-n", name), 0, "", "")
	r = run(t, nil, "lxc-unfreeze", "-P", lp, "-n", "nosuch")
	expect(t, r, 1, "", fmt.Sprintf("lxc-unfreeze: nosuch: Failed to unfreeze %s:nosuch\n", lp))

	startRunning(t, lp, name)
	defer killStop(t, lp, name)
	init := initPid(t, lp, name)
	freezer := filepath.Join(cgroupOf(t, init, "freezer"), "freezer.state")

	expect(t, run(t, nil, "lxc-freeze", "-P", lp, "-n", name), 0, "", "")
	if got := state(t, lp, name); got != "FROZEN" {
		t.Fatalf("lxc-info -s after freeze: %s", got)
	}
	if b, _ := os.ReadFile(freezer); strings.TrimSpace(string(b)) != "FROZEN" {
		t.Fatalf("%s reads %q", freezer, b)
	}
	// Every task of the payload is stopped by the freezer: on cgroup v1 a
	// frozen task sleeps uninterruptibly (D).
	for _, pid := range payloadPids(t, init) {
		if st := procState(t, pid); st != "D" {
			t.Fatalf("pid %d of the frozen container is in state %s, want D", pid, st)
		}
	}
	// Freezing a frozen container is a no-op success.
	expect(t, run(t, nil, "lxc-freeze", "-P", lp, "-n", name), 0, "", "")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "STOPPED|FROZEN", "-t", "10"), 0, "", "")

	expect(t, run(t, nil, "lxc-unfreeze", "-P", lp, "-n", name), 0, "", "")
	if got := state(t, lp, name); got != "RUNNING" {
		t.Fatalf("lxc-info -s after unfreeze: %s", got)
	}
	if b, _ := os.ReadFile(freezer); strings.TrimSpace(string(b)) != "THAWED" {
		t.Fatalf("%s reads %q after unfreeze", freezer, b)
	}
	for _, pid := range payloadPids(t, init) {
		if st := procState(t, pid); st == "D" {
			t.Fatalf("pid %d still in state D after unfreeze", pid)
		}
	}
	// A running container is not FROZEN: lxc-wait times out.
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "FROZEN", "-t", "1"), 1, "", "")
	// Unfreezing a running container is a no-op success.
	expect(t, run(t, nil, "lxc-unfreeze", "-P", lp, "-n", name), 0, "", "")
}

func TestCgroupTool(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	const name = "cg-c1"
	busybox(t, lp, name)

	expect(t, run(t, nil, "lxc-cgroup", "-P", lp, "-n", name), 1, "", "lxc-cgroup: could not parse command line\n")
	expect(t, run(t, nil, "lxc-cgroup", "-P", lp, "-n", name, "memory.limit_in_bytes"), 1, "",
		fmt.Sprintf("lxc-cgroup: %s: '%s:%s' is not running\n", name, lp, name))

	startRunning(t, lp, name)
	defer killStop(t, lp, name)

	expect(t, run(t, nil, "lxc-cgroup", "-P", lp, "-n", name, "memory.limit_in_bytes", "256M"), 0, "", "")
	// LXC prints the raw file (newline included) and one more newline.
	expect(t, run(t, nil, "lxc-cgroup", "-P", lp, "-n", name, "memory.limit_in_bytes"), 0, "268435456\n\n", "")
	b, err := os.ReadFile(filepath.Join(cgroupOf(t, initPid(t, lp, name), "memory"), "memory.limit_in_bytes"))
	if err != nil || strings.TrimSpace(string(b)) != "268435456" {
		t.Fatalf("the payload's memory.limit_in_bytes is %q (%v)", b, err)
	}
	// The name may come as the first operand.
	expect(t, run(t, nil, "lxc-cgroup", "-P", lp, name, "memory.limit_in_bytes"), 0, "268435456\n\n", "")

	expect(t, run(t, nil, "lxc-cgroup", "-P", lp, "-n", name, "memory.limit_in_bytes", "abc"), 1, "",
		fmt.Sprintf("lxc-cgroup: %s: Failed to assign 'abc' value to 'memory.limit_in_bytes' for '%s'\n", name, name))
	expect(t, run(t, nil, "lxc-cgroup", "-P", lp, "-n", name, "memory.nosuch"), 1, "",
		fmt.Sprintf("lxc-cgroup: %s: Failed to retrieve value of 'memory.nosuch' for '%s:%s'\n", name, lp, name))
	expect(t, run(t, nil, "lxc-cgroup", "-P", lp, "-n", name, "../memory.limit_in_bytes"), 1, "",
		fmt.Sprintf("lxc-cgroup: %s: Failed to retrieve value of '../memory.limit_in_bytes' for '%s:%s'\n", name, lp, name))
}

// startMonitor runs lxc-monitor with args in the background and returns a
// line reader of its stdout; it is killed at the end of the test. It
// returns once the monitor has registered its listeners (its INFO log
// line), after which every transition is printed.
func startMonitor(t *testing.T, args ...string) *bufio.Reader {
	t.Helper()
	logf := filepath.Join(t.TempDir(), "monitor.log")
	cmd := exec.Command(filepath.Join(binDir, "lxc-monitor"), append(args, "-o", logf, "-l", "INFO")...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	eventually(t, "lxc-monitor's registration", func() bool {
		b, _ := os.ReadFile(logf)
		return strings.Contains(string(b), "watching ")
	})
	return bufio.NewReader(out)
}

func readLines(t *testing.T, r *bufio.Reader, n int) []string {
	t.Helper()
	type line struct {
		s   string
		err error
	}
	ch := make(chan line, n)
	go func() { // unblocked by the cleanup that stops lxc-monitor
		for i := 0; i < n; i++ {
			l, err := r.ReadString('\n')
			ch <- line{l, err}
			if err != nil {
				return
			}
		}
	}()
	var lines []string
	timeout := time.After(30 * time.Second)
	for len(lines) < n {
		select {
		case l := <-ch:
			if l.err != nil {
				t.Fatalf("lxc-monitor output after %q: %v", lines, l.err)
			}
			lines = append(lines, l.s)
		case <-timeout:
			t.Fatalf("lxc-monitor printed only %q in 30 s", lines)
		}
	}
	return lines
}

func TestMonitorSequence(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	busybox(t, lp, "mo-c1")
	busybox(t, lp, "mo-x1") // does not match the regex: must not show up

	out := startMonitor(t, "-P", lp, "-n", "mo-c.*")
	startRunning(t, lp, "mo-x1")
	defer killStop(t, lp, "mo-x1")
	startRunning(t, lp, "mo-c1")
	mustRun(t, "lxc-freeze", "-P", lp, "-n", "mo-c1")
	mustRun(t, "lxc-unfreeze", "-P", lp, "-n", "mo-c1")
	killStop(t, lp, "mo-c1")

	var want []string
	for _, s := range []string{"STARTING", "RUNNING", "FREEZING", "FROZEN", "THAWED", "RUNNING"} {
		want = append(want, "'mo-c1' changed state to ["+s+"]\n")
	}
	// SIGKILL: WEXITSTATUS of the wait status is 0, as LXC prints it.
	want = append(want, "'mo-c1' exited with status [0]\n",
		"'mo-c1' changed state to [STOPPING]\n", "'mo-c1' changed state to [STOPPED]\n")
	got := readLines(t, out, len(want))
	if strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("lxc-monitor printed\n%s\nwant\n%s", strings.Join(got, ""), strings.Join(want, ""))
	}
}

func TestMonitorExitStatusAndOptions(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	busybox(t, lp, "me-c1")
	out := startMonitor(t, "-P", lp)
	// An application container exits by itself with status 3, at once:
	// its monitor pushes every record to the registered lxc-monitor, so
	// no transition can be missed however short the container's life.
	mustRun(t, "lxc-start", "-P", lp, "-n", "me-c1", "--", "/bin/sh", "-c", "exit 3")
	got := strings.Join(readLines(t, out, 5), "")
	want := "'me-c1' changed state to [STARTING]\n'me-c1' changed state to [RUNNING]\n" +
		"'me-c1' exited with status [3]\n'me-c1' changed state to [STOPPING]\n'me-c1' changed state to [STOPPED]\n"
	if got != want {
		t.Fatalf("lxc-monitor printed\n%s\nwant\n%s", got, want)
	}

	expect(t, run(t, nil, "lxc-monitor", "-Q", "-P", lp), 0, "", "")
	r := run(t, nil, "lxc-monitor", "--usage")
	if r.code != 0 || !strings.HasPrefix(r.stderr, "Usage: lxc-monitor [-Q|--quit] [-n|--name=NAME]") {
		t.Fatalf("--usage: %s", r)
	}
	if lxc, err := os.Stat("/usr/bin/lxc-monitor"); err == nil && !lxc.IsDir() {
		for _, args := range [][]string{{"--usage"}, {"--help"}, {"-x"}} {
			ours := run(t, nil, "lxc-monitor", args...)
			theirs := runPath(t, nil, "/usr/bin/lxc-monitor", args...)
			if ours.code != theirs.code || ours.stdout != theirs.stdout ||
				strings.ReplaceAll(ours.stderr, filepath.Join(binDir, "lxc-monitor"), "/usr/bin/lxc-monitor") != theirs.stderr {
				t.Fatalf("lxc-monitor %v:\nours %s\ntheirs %s", args, ours, theirs)
			}
		}
	}
}

// TestMonitorSeesShortLivedContainers: containers that start and stop
// at once, or fail to start, show every transition, run after run. The
// former design found containers by scanning for their command sockets
// every 100 ms and missed those gone before the next scan.
func TestMonitorSeesShortLivedContainers(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	busybox(t, lp, "ms-ok")
	busybox(t, lp, "ms-bad", "lxc.hook.pre-start = /bin/false")
	out := startMonitor(t, "-P", lp, "-n", "ms-.*")

	const runs = 5
	want := map[string][]string{}
	for i := 0; i < runs; i++ {
		mustRun(t, "lxc-execute", "-P", lp, "-n", "ms-ok", "--", "/bin/true")
		for _, s := range []string{"STARTING", "RUNNING", "exited 0", "STOPPING", "STOPPED"} {
			want["ms-ok"] = append(want["ms-ok"], monitorLine("ms-ok", s))
		}
		if r := run(t, nil, "lxc-start", "-P", lp, "-n", "ms-bad"); r.code == 0 {
			t.Fatalf("lxc-start with a failing pre-start hook: %s", r)
		}
		for _, s := range []string{"STARTING", "ABORTING", "STOPPED"} {
			want["ms-bad"] = append(want["ms-bad"], monitorLine("ms-bad", s))
		}
		// The failed monitor may still be tearing down: wait for it
		// before the next start.
		mustRun(t, "lxc-wait", "-P", lp, "-n", "ms-bad", "-s", "STOPPED", "-t", "30")
	}
	// The two containers' lines may interleave; each one's are in order.
	got := map[string][]string{}
	for _, l := range readLines(t, out, len(want["ms-ok"])+len(want["ms-bad"])) {
		name := strings.SplitN(l, "'", 3)[1]
		got[name] = append(got[name], l)
	}
	for name, w := range want {
		if strings.Join(got[name], "") != strings.Join(w, "") {
			t.Fatalf("lxc-monitor printed for %s\n%s\nwant\n%s", name, strings.Join(got[name], ""), strings.Join(w, ""))
		}
	}
}

// monitorLine is what lxc-monitor prints for a state, or "exited N".
func monitorLine(name, what string) string {
	if code, ok := strings.CutPrefix(what, "exited "); ok {
		return "'" + name + "' exited with status [" + code + "]\n"
	}
	return "'" + name + "' changed state to [" + what + "]\n"
}

// TestFreezerToolsMatchLXCHelp compares the static texts with LXC 5.0.2.
func TestFreezerToolsMatchLXCHelp(t *testing.T) {
	for _, tool := range []string{"lxc-freeze", "lxc-unfreeze", "lxc-cgroup"} {
		theirsPath := lxcTool(t, tool)
		for _, args := range [][]string{{"--usage"}, {"--help"}, {"--version"}, {"-x"}} {
			ours := run(t, nil, tool, args...)
			theirs := runPath(t, nil, theirsPath, args...)
			if ours.code != theirs.code || ours.stdout != theirs.stdout ||
				strings.ReplaceAll(ours.stderr, filepath.Join(binDir, tool), theirsPath) != theirs.stderr {
				t.Fatalf("%s %v:\nours %s\ntheirs %s", tool, args, ours, theirs)
			}
		}
	}
}
