package spawn

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
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
	late, err := waitExit(pid, exited, exitSafetyNet)
	switch {
	case err != nil:
		log.Tracef("Waiting for pid %d in wait4: %v", pid, err)
	case late:
		log.Debugf("Exit of pid %d was seen by the periodic check, not through its pidfd", pid)
	}
}

// waitExit waits for exited(pid) to hold, woken by pid's pidfd becoming
// readable. late reports that a periodic check (every `every`), not the
// pidfd, saw the exit: a wakeup was lost.
//
// exited is called inside the poller's callback, every time: the poller
// clears the pidfd's readiness before the first call, so an exit that
// came before that (since the pidfd was opened) leaves no edge to wait
// for and only a look at the process itself can see it. An exit after
// that look brings a new edge.
func waitExit(pid int, exited func(pid int) bool, every time.Duration) (late bool, err error) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return false, fmt.Errorf("pidfd_open(%d): %w", pid, err)
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return false, fmt.Errorf("pidfd of %d: %w", pid, err)
	}
	for {
		_ = f.SetReadDeadline(time.Now().Add(every))
		err := rc.Read(func(uintptr) bool { return exited(pid) })
		if err == nil {
			return false, nil
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return false, fmt.Errorf("poll the pidfd of %d: %w", pid, err)
		}
		if exited(pid) {
			return true, nil
		}
	}
}

// exitSafetyNet is how often waitExit looks at the process without the
// pidfd's help. The pidfd path needs no help; the net is there because a
// lost wakeup must cost a delay, never a process left unreaped for good
// (an unreaped attached process keeps its container's pid namespace from
// ever finishing dying, and so the container from stopping).
const exitSafetyNet = time.Minute

// exited reports whether pid (our child) can be reaped, without reaping it.
func exited(pid int) bool {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		if err == unix.EINTR {
			continue // a false answer would wait for an edge that may be gone
		}
		if err != nil {
			return true // ECHILD and the like: let wait4 report it
		}
		return info.Signo != 0 // zero: nothing to reap yet
	}
}

// Adopt wraps a child this process made before it exec'd itself (a
// monitor waking from hibernation): pid is still our unreaped child and
// pidfd (-1: none) refers to it.
func Adopt(pid, pidfd int) *Process {
	return &Process{Pid: pid, pidfd: pidfd}
}

// AdoptChild adopts pid, a direct child of the caller that another
// program made (criu restore --restore-sibling makes the restored init a
// child of criu's parent), after checking it is one; its pidfd is opened
// here.
func AdoptChild(pid int) (*Process, error) {
	var info unix.Siginfo
	// WNOWAIT: only check that pid is our child, without reaping it.
	if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT|unix.WALL, nil); err != nil {
		return nil, fmt.Errorf("spawn: pid %d is not a child of this process: %w", pid, err)
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		fd = -1
	}
	return Adopt(pid, fd), nil
}
