// Package timerslack gives the processes golxc starts the timer slack golxc
// itself was started with.
//
// lxc-execute, lxc-attach and lxc-start start with a coarse timer slack on
// their main thread (internal/nsexec, cheapstart.c): the Go runtime's sysmon
// thread, created from it, inherits the slack, so its 20 us polls during
// the first milliseconds of a process (and again after every wake-up from
// a syscall) become a few wake-ups instead of dozens of context switches.
// The main thread gets the caller's slack back in nsexec's init, before any
// golxc code runs, and SetCaller records it here. Other threads the runtime
// created before that, and the threads sysmon creates later, keep the
// coarse slack, and a child inherits the slack of the thread that forked
// it: Fork runs a fork on a thread that has the caller's slack again, so
// containers, attached commands, hooks and network scripts keep the slack
// they would have had.
package timerslack

import (
	"os/exec"
	"runtime"

	"golang.org/x/sys/unix"
)

// caller is the slack (ns) this process was started with, when its own
// threads may carry another; 0 when they all have the caller's.
var caller uint64

// SetCaller records the caller's slack. Called from an init, before any
// goroutine forks.
func SetCaller(ns uint64) { caller = ns }

// Caller returns the slack recorded by SetCaller (0: none).
func Caller() uint64 { return caller }

// Fork runs fn, which starts a process, on a thread whose timer slack is the
// caller's. The thread keeps that slack afterwards (it is the one every
// thread should have). A caller that has locked its goroutine to its thread
// stays on it.
func Fork(fn func()) {
	ns := caller
	if ns == 0 {
		fn()
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_ = unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(ns), 0, 0, 0)
	fn()
}

// Run starts cmd as Fork does and waits for it (exec.Cmd's Run).
func Run(cmd *exec.Cmd) error {
	var err error
	Fork(func() { err = cmd.Start() })
	if err != nil {
		return err
	}
	return cmd.Wait()
}
