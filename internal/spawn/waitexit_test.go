package spawn

import (
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestWaitExitRightAfterLook: a child that exits just after waitExit
// looked at it (and found it running) must be seen through its pidfd, not
// by the periodic safety net. The old wait returned false from the
// poller's callback once without looking; the poller had already taken the
// exit's readiness, so the exit waited for the next periodic check.
func TestWaitExitRightAfterLook(t *testing.T) {
	for i := 0; i < 3; i++ {
		pid, reap := startSleeper(t)
		looks := 0
		look := func(p int) bool {
			looks++
			done := exited(p)
			if looks == 1 && !done {
				// The exit lands between the look and the wait for
				// readability. The pause lets the runtime's poller
				// collect the exit's readiness before the wait begins
				// (the race the old wait lost); it is no time limit.
				if err := unix.Kill(p, unix.SIGKILL); err != nil {
					t.Errorf("kill %d: %v", p, err)
				}
				awaitZombie(t, p)
				time.Sleep(50 * time.Millisecond)
			}
			return done
		}
		late, err := waitExit(pid, look, exitSafetyNet)
		if err != nil {
			t.Fatalf("waitExit(%d): %v", pid, err)
		}
		if late {
			t.Fatalf("the exit of %d was seen by the periodic check after %d looks, not through the pidfd", pid, looks)
		}
		if looks < 2 {
			t.Fatalf("waitExit returned after %d look(s), before it could have seen the exit", looks)
		}
		if ws, err := reap(); err != nil || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("wait4(%d) = %v, %v; want killed by SIGKILL", pid, ws, err)
		}
	}
}

// TestWaitExitAlreadyExited: an exit before the wait is seen at once.
func TestWaitExitAlreadyExited(t *testing.T) {
	pid, reap := startSleeper(t)
	if err := unix.Kill(pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	awaitZombie(t, pid)
	late, err := waitExit(pid, exited, exitSafetyNet)
	if err != nil || late {
		t.Fatalf("waitExit of an exited child = late %v, %v", late, err)
	}
	if _, err := reap(); err != nil {
		t.Fatal(err)
	}
}

// startSleeper starts a child that runs until killed; reap reaps it. The
// test's cleanup kills and reaps it unless reap did (after that the pid
// may be someone else's).
func startSleeper(t *testing.T) (pid int, reap func() (syscall.WaitStatus, error)) {
	t.Helper()
	pid, err := syscall.ForkExec("/bin/sleep", []string{"sleep", "1000"}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	reaped := false
	t.Cleanup(func() {
		if !reaped {
			unix.Kill(pid, unix.SIGKILL)
			wait4(pid)
		}
	})
	return pid, func() (syscall.WaitStatus, error) {
		reaped = true
		return wait4(pid)
	}
}

// awaitZombie blocks until pid (our child) has exited, without reaping it.
func awaitZombie(t *testing.T, pid int) {
	t.Helper()
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			t.Fatalf("waitid(%d): %v", pid, err)
		}
		return
	}
}
