package monitor

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/procenv"
	"github.com/golxc/golxc/internal/selfexe"
	"github.com/golxc/golxc/internal/timerslack"
)

// The daemonized monitor is this same binary re-executed with these
// variables set; RunDaemonIfRequested picks them up.
const (
	envMonitor     = "GOLXC_MONITOR"      // "1"
	envMonitorOpts = "GOLXC_MONITOR_OPTS" // JSON Options
	envStatusFD    = "GOLXC_MONITOR_STATUS_FD"
)

// status is the one message the monitor writes on the status pipe once the
// container is RUNNING or has failed.
type status struct {
	OK      bool   `json:"ok,omitempty"`
	Already bool   `json:"already,omitempty"`
	Error   string `json:"error,omitempty"`
}

// reporter delivers the start outcome: to the waiting lxc-start through a
// pipe (daemon) or to the in-process caller (foreground). Only the first
// report counts.
type reporter struct {
	pipe *os.File
	done bool
	ch   chan status // foreground: buffered(1)
	// hold (a monitor in a preforked lxc-start): after reporting on ch,
	// wait until lxc-start has printed its verdict (prefork.go).
	hold chan struct{}
	// waiter is the pipe whose reader waits for the verdict: the status
	// pipe, or a preforked lxc-start's verdict pipe; nil in the foreground.
	waiter *os.File
}

// errWaiterGone aborts a start nobody waits for any more.
var errWaiterGone = errors.New("the process waiting for the start result (lxc-start) is gone: aborting the start")

// waiterGone reports, until the verdict is reported, whether the process
// waiting for it died. LXC's monitor aborts such a start: lxc-start
// killed by SIGTERM, SIGINT or SIGHUP (or anything) before the container
// is RUNNING leaves no container behind.
func (r *reporter) waiterGone() bool {
	return r != nil && !r.done && r.waiter != nil && readerGone(r.waiter)
}

// readerGone reports whether the read end of pipe w is closed (POLLERR on
// the write end).
func readerGone(w *os.File) bool {
	fds := []unix.PollFd{{Fd: int32(w.Fd())}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&unix.POLLERR != 0
}

// foreground reports whether the monitor runs under the caller's eyes
// (lxc-start -F, lxc-execute), which prints its errors itself.
func (r *reporter) foreground() bool { return r.pipe == nil && r.hold == nil }

func (r *reporter) report(s status) {
	if r == nil || r.done {
		return
	}
	r.done = true
	if r.ch != nil {
		r.ch <- s
	}
	if r.hold != nil {
		<-r.hold
	}
	if r.pipe != nil {
		b, _ := json.Marshal(s)
		_, _ = r.pipe.Write(append(b, '\n'))
		r.pipe.Close()
	}
}

// startDaemon runs golxc as the monitor and waits for its verdict on the
// status pipe. golxc re-executes itself; any other program using package
// lxc runs the golxc binary selfexe finds, never its own image.
func startDaemon(o Options) (int, error) {
	if code, err, ok := startInProcess(o); ok {
		return code, err
	}
	bin, err := selfexe.Find()
	if err != nil {
		return 1, fmt.Errorf("%s: start the monitor: %w", o.Name, err)
	}
	exe := bin.Path
	if bin.Self {
		if exe, err = os.Executable(); err != nil {
			return 1, fmt.Errorf("%s: find own executable to start the monitor: %w", o.Name, err)
		}
	}
	log.Debugf("Starting the monitor of %q from %s", o.Name, exe)
	rd, wr, err := os.Pipe()
	if err != nil {
		return 1, fmt.Errorf("%s: status pipe: %w", o.Name, err)
	}
	defer rd.Close()
	opts, _ := json.Marshal(o)
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		wr.Close()
		return 1, err
	}
	defer devnull.Close()
	// syscall, not os/exec: os probes pidfd support with an extra fork
	// before a process's first child.
	var pid int
	timerslack.Fork(func() {
		pid, err = syscall.ForkExec(exe, []string{monitorTitle(o)}, &syscall.ProcAttr{
			Dir: "/",
			Env: append(procenv.SingleP(os.Environ()), envMonitor+"=1", envMonitorOpts+"="+string(opts), envStatusFD+"=3"),
			// The status pipe is fd 3.
			Files: []uintptr{devnull.Fd(), devnull.Fd(), devnull.Fd(), wr.Fd()},
			Sys:   &syscall.SysProcAttr{Setsid: true},
		})
	})
	if err != nil {
		wr.Close()
		return 1, fmt.Errorf("%s: start the monitor process: %w", o.Name, err)
	}
	wr.Close()
	log.Tracef("Started the monitor process %d", pid)
	// Reap the monitor whenever it ends; a CLI exits long before that.
	go func() {
		var ws syscall.WaitStatus
		for {
			if _, err := syscall.Wait4(pid, &ws, 0, nil); err != syscall.EINTR {
				return
			}
		}
	}()

	line, rerr := bufio.NewReader(rd).ReadBytes('\n')
	var s status
	if rerr != nil || json.Unmarshal(line, &s) != nil {
		return 1, errNoVerdict(o)
	}
	return s.result(log.Current())
}

func errNoVerdict(o Options) error {
	return fmt.Errorf("%s: the monitor process exited before reporting the start result", o.Name)
}

// result is what Start returns for the monitor's report; lg is the
// caller's log (lxc-start's).
func (s status) result(lg *log.Logger) (int, error) {
	switch {
	case s.Already:
		return 0, ErrAlreadyRunning
	case s.OK:
		lg.Tracef("Container is in \"RUNNING\" state")
		return 0, nil
	default:
		return 1, errors.New(s.Error)
	}
}

func monitorTitle(o Options) string { return "[lxc monitor] " + o.LXCPath + " " + o.Name }

// RunDaemonIfRequested runs the monitor and exits the process when this
// process was started by Start as a daemonized monitor; otherwise it
// returns at once. Call it at the top of main.
func RunDaemonIfRequested() {
	if os.Getenv(envMonitor) != "1" {
		return
	}
	procenv.Restore()
	var o Options
	err := json.Unmarshal([]byte(os.Getenv(envMonitorOpts)), &o)
	fd, _ := strconv.Atoi(os.Getenv(envStatusFD))
	os.Unsetenv(envMonitor)
	os.Unsetenv(envMonitorOpts)
	os.Unsetenv(envStatusFD)
	pipe := os.NewFile(uintptr(fd), "status")
	if err != nil || pipe == nil {
		os.Exit(1)
	}
	syscall.CloseOnExec(fd)
	leakedFDsClosed = closeLeakedFDs()
	r := &reporter{pipe: pipe, waiter: pipe}
	code, _ := run(o, r)
	os.Exit(code)
}
