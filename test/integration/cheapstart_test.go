package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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
	task := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "task")
	var last string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
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
		// More than one thread: the runtime is up, and restored its mask.
		if last == "" && len(tids) > 1 {
			return
		}
	}
	t.Fatalf("lxc-wait's threads keep a narrowed mask (caller: %s):%s", own, last)
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
