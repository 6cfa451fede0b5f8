package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tools start with their affinity narrowed to one CPU (so the Go
// runtime sizes itself to one P) and put the caller's mask back on every
// thread before doing anything (internal/nsexec/cheapstart.c). These tests fail
// if a thread, or a process the tool starts, keeps the narrowed mask.

var cpusAllowed = regexp.MustCompile(`(?m)^Cpus_allowed_list:\s*(\S+)$`)

// allowedCPUs is the Cpus_allowed_list of a /proc/.../status file.
func allowedCPUs(t *testing.T, status string) string {
	t.Helper()
	b, err := os.ReadFile(status)
	if err != nil {
		return ""
	}
	m := cpusAllowed.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no Cpus_allowed_list in %s", status)
	}
	return string(m[1])
}

// needSeveralCPUs skips when the test runs on one CPU: nothing is narrowed.
func needSeveralCPUs(t *testing.T) string {
	t.Helper()
	own := allowedCPUs(t, "/proc/self/status")
	if !strings.ContainsAny(own, ",-") {
		t.Skipf("the test runs on CPU %s only: tools do not narrow a single-CPU mask", own)
	}
	return own
}

func TestAttachAffinityRestored(t *testing.T) {
	own := needSeveralCPUs(t)
	const name = "gcheap1"
	lp := attachContainer(t, name)
	r := run(t, nil, "lxc-attach", "-P", lp, "-n", name, "--", "grep", "Cpus_allowed_list", "/proc/self/status")
	if r.code != 0 {
		t.Fatalf("lxc-attach: %s", r)
	}
	if got := strings.TrimSpace(strings.TrimPrefix(r.stdout, "Cpus_allowed_list:")); got != own {
		t.Fatalf("attached command runs on CPUs %q, the caller on %q", got, own)
	}
}

func TestWaitAffinityRestored(t *testing.T) {
	needRoot(t)
	own := needSeveralCPUs(t)
	lp := lxcpath(t)
	// Waiting for a container that never runs: the tool lives until -t.
	// golxc itself (the lxc-wait link runs golxc-query, which has no
	// cheap-start constructor).
	cmd := exec.Command(filepath.Join(binDir, "golxc"), "lxc-wait", "-P", lp, "-n", "gcheap-none", "-s", "RUNNING", "-t", "20")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitMaskRestored(t, cmd.Process.Pid, "", own)
}

// waitMaskRestored waits until every thread of pid (once it runs exe,
// when exe is set) has the caller's CPU mask own again, with more than
// one thread: the Go runtime is up and its init restored the mask. The
// tool under test must live long enough (a wait with -t).
func waitMaskRestored(t *testing.T, pid int, exe, own string) {
	t.Helper()
	task := filepath.Join("/proc", strconv.Itoa(pid), "task")
	var last string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got, _ := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe")); exe != "" && got != exe {
			continue
		}
		tids, err := os.ReadDir(task)
		if err != nil {
			t.Fatal(err)
		}
		last = ""
		for _, tid := range tids {
			if got := allowedCPUs(t, filepath.Join(task, tid.Name(), "status")); got != own && got != "" {
				last += " thread " + tid.Name() + " on " + got
			}
		}
		if last == "" && len(tids) > 1 {
			return
		}
	}
	t.Fatalf("pid %d's threads keep a narrowed mask (caller: %s):%s", pid, own, last)
}

// Only tools that start no process get the coarse timer slack: an attached
// command (and so a container's processes) keeps the caller's.
func TestAttachTimerSlackNotInherited(t *testing.T) {
	own, err := os.ReadFile("/proc/self/timerslack_ns")
	if err != nil {
		t.Skipf("no timerslack_ns: %v", err)
	}
	const name = "gcheap2"
	lp := attachContainer(t, name)
	r := run(t, nil, "lxc-attach", "-P", lp, "-n", name, "--", "cat", "/proc/self/timerslack_ns")
	if r.code != 0 {
		t.Fatalf("lxc-attach: %s", r)
	}
	if got, want := strings.TrimSpace(r.stdout), strings.TrimSpace(string(own)); got != want {
		t.Fatalf("attached command has %s ns of timer slack, the caller %s", got, want)
	}
}

// threadSlacks is the timer slack of each of pid's threads once pid runs
// exe and its Go runtime is up (more than one thread).
func threadSlacks(t *testing.T, pid int, exe string) []string {
	t.Helper()
	task := filepath.Join("/proc", strconv.Itoa(pid), "task")
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got, _ := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe")); got != exe {
			continue
		}
		tids, err := os.ReadDir(task)
		if err != nil {
			t.Fatal(err)
		}
		if len(tids) < 2 {
			continue
		}
		var slacks []string
		for _, tid := range tids {
			b, err := os.ReadFile(filepath.Join("/proc", tid.Name(), "timerslack_ns"))
			if err != nil {
				t.Skipf("no timerslack_ns: %v", err)
			}
			slacks = append(slacks, strings.TrimSpace(string(b)))
		}
		return slacks
	}
	t.Fatalf("pid %d never ran %s with a second thread", pid, exe)
	return nil
}

// golxc-query (lxc-wait, lxc-stop) sets a 1 ms timer slack at its ELF
// entry, so the runtime's sysmon, started before any Go code of ours,
// has it too (cmd/golxc-query/entry_amd64.s); a command it hands over to
// golxc runs with the caller's slack again.
func TestQueryBinaryTimerSlack(t *testing.T) {
	needRoot(t)
	if runtime.GOARCH != "amd64" {
		t.Skip("golxc-query sets its slack at the ELF entry on amd64 only")
	}
	own, err := os.ReadFile("/proc/self/timerslack_ns")
	if err != nil {
		t.Skipf("no timerslack_ns: %v", err)
	}
	if strings.TrimSpace(string(own)) == "1000000" {
		t.Skip("the test already runs with 1 ms of timer slack")
	}
	lp := lxcpath(t)
	// Waiting for a container that never runs: the tool lives until -t.
	wait := exec.Command(filepath.Join(binDir, "lxc-wait"), "-P", lp, "-n", "gslack-none", "-s", "RUNNING", "-t", "20")
	if err := wait.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wait.Process.Kill(); wait.Wait() })
	for i, s := range threadSlacks(t, wait.Process.Pid, filepath.Join(binDir, "golxc-query")) {
		if s != "1000000" {
			t.Errorf("lxc-wait (golxc-query) thread %d: timer slack %s ns, want 1000000", i, s)
		}
	}
	// golxc-query hands a tool it does not run to golxc; lxc-monitor gets
	// no slack of golxc's own (it execs nothing, but it is no query tool)
	// and keeps running: once it runs golxc, its threads must have the
	// caller's slack.
	dir := t.TempDir()
	for _, f := range []string{"golxc", "golxc-query"} {
		if err := os.Symlink(filepath.Join(binDir, f), filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("golxc-query", filepath.Join(dir, "lxc-monitor")); err != nil {
		t.Fatal(err)
	}
	mon := exec.Command(filepath.Join(dir, "lxc-monitor"), "-P", lp, "-n", "gslack-none")
	if err := mon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mon.Process.Kill(); mon.Wait() })
	for i, s := range threadSlacks(t, mon.Process.Pid, filepath.Join(binDir, "golxc")) {
		if s != strings.TrimSpace(string(own)) {
			t.Errorf("lxc-monitor handed over by golxc-query, thread %d: timer slack %s ns, the caller's %s", i, s, own)
		}
	}
}

// golxc-query's ELF entry narrows its affinity to one CPU so the Go
// runtime starts with one P (cmd/golxc-query/entry_amd64.s), and its init
// puts the caller's mask back on every thread. Fails without the entry
// (two Ps on a machine with two CPUs) and without the restore.
func TestQueryBinaryOneP(t *testing.T) {
	needRoot(t)
	own := needSeveralCPUs(t)
	if runtime.GOARCH != "amd64" {
		t.Skip("golxc-query narrows its mask at the ELF entry on amd64 only")
	}
	lp := lxcpath(t)
	// The scheduler trace's first line comes from sysmon as it starts; the
	// tool waits 20 s for the container, so the line is written whole (a
	// tool that exits at once may cut it).
	wait := exec.Command(filepath.Join(binDir, "lxc-wait"), "-P", lp, "-n", "gonep-none", "-s", "RUNNING", "-t", "20")
	wait.Env = append(os.Environ(), "GODEBUG=schedtrace=100000")
	var trace syncBuffer
	wait.Stderr = &trace
	if err := wait.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wait.Process.Kill(); wait.Wait() })
	eventually(t, "golxc-query's first scheduler trace line", func() bool {
		first, _, ok := strings.Cut(trace.String(), "\n")
		return ok && strings.HasPrefix(first, "SCHED 0ms: ")
	})
	if first, _, _ := strings.Cut(trace.String(), "\n"); !strings.HasPrefix(first, "SCHED 0ms: gomaxprocs=1 ") {
		t.Fatalf("lxc-wait (golxc-query) did not start with one P: %q", first)
	}
	// The mask goes back in main's init, after the runtime started its
	// threads: wait for it (the tool waits 20 s for the container).
	waitMaskRestored(t, wait.Process.Pid, filepath.Join(binDir, "golxc-query"), own)
}

// golxc-query's ELF entry maps its whole image at once (MADV_POPULATE_READ
// for code and read-only data, MADV_POPULATE_WRITE for data and bss)
// instead of taking a page fault per page: every page of those mappings
// is resident once it runs. Without the entry, most of the bss is not
// (a run touches a third of it).
func TestQueryBinaryPrefaulted(t *testing.T) {
	needRoot(t)
	if runtime.GOARCH != "amd64" {
		t.Skip("golxc-query maps its image at the ELF entry on amd64 only")
	}
	lp := lxcpath(t)
	wait := exec.Command(filepath.Join(binDir, "lxc-wait"), "-P", lp, "-n", "gpop-none", "-s", "RUNNING", "-t", "20")
	if err := wait.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wait.Process.Kill(); wait.Wait() })
	exe := filepath.Join(binDir, "golxc-query")
	threadSlacks(t, wait.Process.Pid, exe) // the runtime is up
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(wait.Process.Pid), "smaps"))
	if err != nil {
		t.Fatal(err)
	}
	// The binary's mappings, and the anonymous one that follows its
	// data (the bss beyond the file's last page).
	type mapping struct{ head, size, rss string }
	var maps []mapping
	image, lastEnd := false, ""
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			start, end, _ := strings.Cut(f[0], "-")
			isExe := len(f) >= 6 && f[5] == exe
			image = isExe || (len(f) == 5 && start == lastEnd && len(maps) > 0)
			if isExe {
				lastEnd = end
			} else {
				lastEnd = ""
			}
			if image {
				maps = append(maps, mapping{head: l})
			}
			continue
		}
		if image && len(f) >= 2 {
			switch f[0] {
			case "Size:":
				maps[len(maps)-1].size = f[1]
			case "Rss:":
				maps[len(maps)-1].rss = f[1]
			}
		}
	}
	if len(maps) < 4 {
		t.Fatalf("golxc-query's mappings (code, rodata, data, bss) not found:\n%s", b)
	}
	for _, m := range maps {
		if m.size != m.rss {
			t.Errorf("mapping %s: %s kB of %s kB resident, want all", m.head, m.rss, m.size)
		}
	}
}

// lxc-execute starts with a coarse timer slack on its main thread, which the
// Go runtime's sysmon thread inherits (fewer wake-ups), and gives the main
// thread the caller's slack back before any golxc code runs; every process
// it starts gets the caller's slack (internal/timerslack): the container's
// init, the command and a host hook. The caller here has an unusual slack,
// so a process that kept the default or the coarse one shows.
func TestExecuteTimerSlack(t *testing.T) {
	needRoot(t)
	if _, err := os.Stat("/proc/self/timerslack_ns"); err != nil {
		t.Skipf("no timerslack_ns: %v", err)
	}
	const callers, coarse = "77000", "1000000"
	lp := lxcpath(t)
	const name = "gslack1"
	out, mnt := outDir(t)
	busybox(t, lp, name, mnt,
		"lxc.hook.pre-start = /bin/sh -c 'cat /proc/self/timerslack_ns > "+out+"/hook.tmp && mv "+out+"/hook.tmp "+out+"/hook'")
	// The command reports its own slack and init's, then waits for its
	// stdin to close, while the test looks at lxc-execute's threads.
	cmd := exec.Command("/bin/sh", "-c", "echo "+callers+" > /proc/self/timerslack_ns && exec \"$0\" \"$@\"",
		filepath.Join(binDir, "lxc-execute"), "-P", lp, "-n", name, "--", "/bin/sh", "-c",
		"cat /proc/self/timerslack_ns /proc/1/timerslack_ns > /mnt/out/c.tmp && mv /mnt/out/c.tmp /mnt/out/c && cat >/dev/null")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	if got := strings.Fields(readOut(t, out, "c")); len(got) != 2 || got[0] != callers || got[1] != callers {
		t.Errorf("the command's and init's slack: %q, want the caller's %s", got, callers)
	}
	if got := strings.TrimSpace(readOut(t, out, "hook")); got != callers {
		t.Errorf("the pre-start hook's slack: %s, want the caller's %s", got, callers)
	}
	task := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "task")
	tids, err := os.ReadDir(task)
	if err != nil {
		t.Error(err)
	}
	slack := map[string]string{}
	sawCoarse := false
	for _, tid := range tids {
		// Only /proc/TID has the file, not /proc/PID/task/TID.
		b, err := os.ReadFile(filepath.Join("/proc", tid.Name(), "timerslack_ns"))
		if err != nil {
			t.Error(err)
		}
		slack[tid.Name()] = strings.TrimSpace(string(b))
		sawCoarse = sawCoarse || slack[tid.Name()] == coarse
	}
	if main := slack[strconv.Itoa(cmd.Process.Pid)]; main != callers {
		t.Errorf("lxc-execute's main thread has %s ns of slack, want the caller's %s (threads: %v)", main, callers, slack)
	}
	if !sawCoarse {
		t.Errorf("no lxc-execute thread has the coarse slack %s (sysmon's): %v", coarse, slack)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("lxc-execute: %v", err)
	}
}

// syncBuffer is a bytes.Buffer a process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
