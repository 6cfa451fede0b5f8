package attach

import (
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestInitStopping: a killed init counts as stopping before it is reaped
// (its monitor reaps it only once its pid namespace is empty, after the
// failed attach is over), not only once it is gone (ESRCH).
func TestInitStopping(t *testing.T) {
	pid, err := syscall.ForkExec("/bin/sleep", []string{"sleep", "1000"}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	reaped := false
	reap := func() {
		reaped = true
		var ws syscall.WaitStatus
		for {
			if _, err := syscall.Wait4(pid, &ws, 0, nil); err != syscall.EINTR {
				return
			}
		}
	}
	t.Cleanup(func() {
		if !reaped {
			unix.Kill(pid, unix.SIGKILL)
			reap()
		}
	})
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Skipf("no pidfds: %v", err)
	}
	defer unix.Close(pidfd)

	if initStopping(pidfd, pid) {
		t.Fatal("a running init counts as stopping")
	}
	if err := unix.Kill(pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var info unix.Siginfo
	for { // exited, not reaped
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err == nil {
			break
		}
		if err != unix.EINTR {
			t.Fatal(err)
		}
	}
	if !initStopping(pidfd, pid) {
		t.Fatal("a killed init that is not reaped yet does not count as stopping")
	}
	reap()
	if !initStopping(pidfd, pid) {
		t.Fatal("a reaped init does not count as stopping")
	}
}
