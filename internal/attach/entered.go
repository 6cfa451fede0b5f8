package attach

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/golxc/golxc/internal/spawn"
	"golang.org/x/sys/unix"
)

// stageReport is the stage's last message on the sync socket: whether it
// got as far as exec'ing the command, or why not. Without one, the stage
// died before it ran the command (killed with its container, say).
type stageReport struct {
	Exec   bool   `json:",omitempty"` // exec'ing the command: its status is the command's
	Failed bool   `json:",omitempty"` // setup failed and said why on the caller's stderr
	Err    string `json:",omitempty"` // failed before it had the caller's stderr: we say it
}

// reportWait bounds the read of the stage's report. The stage has been
// reaped and no one else holds its end, so the read never waits; the
// bound only keeps a mistake from hanging the attach.
const reportWait = 5 * time.Second

// readReport returns what the reaped stage said last; ok is false when it
// said nothing.
func readReport(sync *os.File) (r stageReport, ok bool) {
	_ = sync.SetReadDeadline(time.Now().Add(reportWait))
	if err := spawn.Recv(sync, &r); err != nil {
		return stageReport{}, false
	}
	return r, true
}

// entered judges a reaped stage by its report: nil when its status is the
// command's (or the stage printed its own error), else the attach failure
// to print, the container stopping meanwhile being told as such.
func (p *Process) entered(ws syscall.WaitStatus) error {
	if p.sync == nil {
		return nil // not tracked: Start's callers judge the status
	}
	r, ok := readReport(p.sync)
	switch {
	case r.Exec || r.Failed:
		return nil
	case ok && r.Err != "":
		if p.containerStopping() {
			return &Error{Step: "Failed to attach", Err: ErrStopped}
		}
		return &Error{Step: "Failed to attach", Err: errors.New(r.Err)}
	case p.containerStopping():
		return &Error{Step: "Failed to attach", Err: ErrStopped}
	case ws.Signaled():
		// A signal we forwarded (or someone's kill) ended it on its
		// way in: its status, as a shell would report it.
		return nil
	}
	return &Error{Step: "Failed to attach", Err: fmt.Errorf("the attached process %s before it ran the command", describeStatus(ws))}
}

func describeStatus(ws syscall.WaitStatus) string {
	if ws.Exited() {
		return "exited with status " + strconv.Itoa(ws.ExitStatus())
	}
	return fmt.Sprintf("ended with wait status %#x", uint32(ws))
}

func (p *Process) containerStopping() bool {
	return initStopping(p.initPidfd, p.initPid)
}

// initStopping reports whether the container's init (pidfd, pid) is gone
// or on its way out. Checking only that it is gone (ESRCH) is not enough:
// init can be reaped only after every process in its pid namespace is,
// an attach helper that got in included, so right after a failed attach
// a killed init is usually still exiting.
func initStopping(pidfd, pid int) bool {
	if pidfd < 0 {
		return false
	}
	exiting := pfExiting(pid)
	// Still there after the look: the flags read were init's own.
	if err := unix.PidfdSendSignal(pidfd, 0, nil, 0); err == unix.ESRCH {
		return true
	}
	return exiting
}

// pfExiting reads PF_EXITING from /proc/PID/stat: set as a task starts to
// exit, before its namespaces and children are let go.
func pfExiting(pid int) bool {
	const pfExitingFlag = 0x4
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// Fields after "(comm)", which may hold anything: state is the
	// first, flags the seventh.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 7 {
		return false
	}
	flags, err := strconv.ParseUint(f[6], 10, 64)
	return err == nil && flags&pfExitingFlag != 0
}
