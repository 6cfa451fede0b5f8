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
