package spawn

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Process is a process made by Start. It is a direct child of the caller
// (the C stage forks it with CLONE_PARENT), so Wait reaps it with wait4 and
// no subreaper is needed; until it is reaped its pid cannot be reused.
type Process struct {
	Pid  int      // in the caller's pid namespace
	Sync *os.File // parent end of the sync socket, for Send/Recv; the caller closes it

	waitMu sync.Mutex // serialises Wait
	mu     sync.Mutex // guards pidfd and done
	pidfd  int        // -1 when the kernel has no pidfds or after Wait
	done   bool
	status syscall.WaitStatus
}

// PidFD returns a pidfd for the process (valid until Wait returns), or -1.
func (p *Process) PidFD() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pidfd
}

// Wait reaps the process and returns its status. Later calls return the
// same status.
func (p *Process) Wait() (syscall.WaitStatus, error) {
	p.waitMu.Lock()
	defer p.waitMu.Unlock()
	if p.isDone() {
		return p.status, nil
	}
	awaitExit(p.Pid)
	ws, err := wait4(p.Pid)
	if err != nil {
		return 0, fmt.Errorf("spawn: wait for pid %d: %w", p.Pid, err)
	}
	p.mu.Lock()
	p.done, p.status = true, ws
	if p.pidfd >= 0 {
		unix.Close(p.pidfd)
		p.pidfd = -1
	}
	p.mu.Unlock()
	return ws, nil
}

func (p *Process) isDone() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// Signal sends sig through the pidfd, so it cannot hit a recycled pid. It
// returns os.ErrProcessDone once Wait has reaped the process.
func (p *Process) Signal(sig syscall.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return os.ErrProcessDone
	}
	var err error
	if p.pidfd >= 0 {
		err = unix.PidfdSendSignal(p.pidfd, sig, nil, 0)
	} else {
		err = unix.Kill(p.Pid, sig) // unreaped child: the pid is still ours
	}
	if err != nil {
		return fmt.Errorf("spawn: send %v to pid %d: %w", sig, p.Pid, err)
	}
	return nil
}

func wait4(pid int) (syscall.WaitStatus, error) {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			return ws, err
		}
	}
}

func describe(ws syscall.WaitStatus) string {
	switch {
	case ws.Exited():
		return fmt.Sprintf("exited with status %d", ws.ExitStatus())
	case ws.Signaled():
		return fmt.Sprintf("was killed by signal %d (%s)", int(ws.Signal()), unix.SignalName(ws.Signal()))
	}
	return fmt.Sprintf("ended with wait status %#x", uint32(ws))
}

// awaitExit blocks until pid (our unreaped child) has exited, in the
// runtime's poller: a monitor waits for its container's whole life, and a
// wait4 blocked in the kernel would hold an OS thread all that time. Any
// failure just leaves the waiting to wait4.
func awaitExit(pid int) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	// The pidfd's readiness alone was seen to go unnoticed (a storm of
	// stops and attaches on kernel 6.18 left an exited attached process
	// unreaped, and its container's pid ns could not finish dying): look
	// with waitid(WNOWAIT) every exitCheck too.
	for !exited(pid) {
		_ = f.SetReadDeadline(time.Now().Add(exitCheck))
		first := true
		err := rc.Read(func(uintptr) bool {
			if first { // wait for readability once: a pidfd is readable once the process exited
				first = false
				return false
			}
			return true
		})
		if err == nil {
			return
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return
		}
	}
}

// exitCheck is how often awaitExit looks without the pidfd's help.
const exitCheck = time.Second

// exited reports whether pid (our child) can be reaped, without reaping it.
func exited(pid int) bool {
	var info unix.Siginfo
	err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
	if err != nil {
		return err != unix.EINTR // ECHILD and the like: let wait4 report it
	}
	return info.Signo != 0 // zero: nothing to reap yet
}
