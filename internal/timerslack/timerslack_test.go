package timerslack

import (
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// slackOfChild starts a child through fork (on the calling goroutine's thread,
// which the caller locked) and returns the timer slack the child reports.
func slackOfChild(t *testing.T, fork func(func())) string {
	t.Helper()
	cmd := exec.Command("/bin/cat", "/proc/self/timerslack_ns")
	var out strings.Builder
	cmd.Stdout = &out
	var err error
	fork(func() { err = cmd.Start() })
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out.String())
}

// A thread with a coarse slack (as sysmon's threads have in lxc-execute)
// forks: the child gets the caller's slack through Fork, the thread's own
// without it.
func TestForkGivesChildTheCallerSlack(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	own, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)
	if err != nil {
		t.Skipf("PR_GET_TIMERSLACK: %v", err)
	}
	// Whatever this thread ends with, put its slack back.
	defer unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(own), 0, 0, 0)
	const coarse, callers = 1000000, 77000
	if err := unix.Prctl(unix.PR_SET_TIMERSLACK, coarse, 0, 0, 0); err != nil {
		t.Skipf("PR_SET_TIMERSLACK: %v", err)
	}
	defer SetCaller(0)

	SetCaller(0) // nothing recorded: the fork is left alone
	if got := slackOfChild(t, Fork); got != strconv.Itoa(coarse) {
		t.Fatalf("without a caller slack, the child has %s ns, want the thread's %d", got, coarse)
	}
	SetCaller(callers)
	if got := slackOfChild(t, Fork); got != strconv.Itoa(callers) {
		t.Fatalf("child started through Fork has %s ns of slack, want the caller's %d", got, callers)
	}
	// The locked thread is still the test's, and keeps the caller's slack.
	if got, _ := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0); got != callers {
		t.Fatalf("thread slack after Fork: %d, want %d", got, callers)
	}
}
