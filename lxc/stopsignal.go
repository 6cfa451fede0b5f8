package lxc

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// sigRTMin is glibc's SIGRTMIN: the kernel's 32 and 33 are reserved by the
// C library, so the "SIGRTMIN+3" systemd halts on is signal 37.
const sigRTMin = 34

// sigSystemdHalt is SIGRTMIN+3, the signal systemd (as PID 1) takes as
// "halt": systemd blocks it and reads it through a signalfd.
const sigSystemdHalt = syscall.Signal(sigRTMin + 3)

// signalMasks are the signal sets of a process as /proc/PID/status shows
// them (SigBlk, SigIgn, SigCgt): bit N-1 stands for signal N.
type signalMasks struct {
	Blocked, Ignored, Caught uint64
}

func (m signalMasks) blocks(sig syscall.Signal) bool {
	return sig >= 1 && sig <= 64 && m.Blocked&(1<<(uint(sig)-1)) != 0
}

func (m signalMasks) catches(sig syscall.Signal) bool {
	return sig >= 1 && sig <= 64 && m.Caught&(1<<(uint(sig)-1)) != 0
}

// delivered: a signal from outside its pid namespace reaches a container's
// init only if init catches it or blocks it (to read it from a signalfd,
// as systemd does); otherwise the kernel drops it. Right after start an
// init has not installed its handlers yet (busybox's init takes a few
// milliseconds), and a halt sent then is lost: LXC's shutdown then waits
// out its whole timeout and kills. golxc waits a moment for init instead.
func (m signalMasks) delivered(sig syscall.Signal) bool {
	return sig == syscall.SIGKILL || sig == syscall.SIGSTOP || m.blocks(sig) || m.catches(sig)
}

// haltSignal picks the signal that asks init to halt, as LXC does: the
// configured lxc.signal.halt when set; otherwise SIGRTMIN+3 when init
// blocks it (systemd does: it reads the signal from a signalfd, and a
// SIGPWR would only start its sigpwr.target, which halts nothing), and
// SIGPWR for every other init. LXC looks at the blocked set only: an init
// that merely catches or ignores SIGRTMIN+3 still gets SIGPWR.
func haltSignal(configured syscall.Signal, init signalMasks) syscall.Signal {
	switch {
	case configured != 0:
		return configured
	case init.blocks(sigSystemdHalt):
		return sigSystemdHalt
	default:
		return syscall.SIGPWR
	}
}

// rebootSignal picks the signal that asks init to reboot: the configured
// lxc.signal.reboot, else SIGINT. LXC makes no exception for systemd here:
// systemd takes SIGINT as Ctrl-Alt-Del, which starts reboot.target.
func rebootSignal(configured syscall.Signal, _ signalMasks) syscall.Signal {
	if configured != 0 {
		return configured
	}
	return syscall.SIGINT
}

// readSignalMasks reads the signal sets of pid from /proc/PID/status.
func readSignalMasks(pid int) (signalMasks, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return signalMasks{}, err
	}
	defer f.Close()
	return parseSignalMasks(f)
}

// parseSignalMasks takes the SigBlk, SigIgn and SigCgt lines of a
// /proc/PID/status text (hexadecimal masks).
func parseSignalMasks(r io.Reader) (signalMasks, error) {
	var m signalMasks
	fields := map[string]*uint64{"SigBlk": &m.Blocked, "SigIgn": &m.Ignored, "SigCgt": &m.Caught}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		dst := fields[key]
		if !ok || dst == nil {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(val), 16, 64)
		if err != nil {
			return signalMasks{}, fmt.Errorf("%s %q: %w", key, strings.TrimSpace(val), err)
		}
		*dst = n
	}
	return m, sc.Err()
}

// inSigwait reports whether pid sleeps in sigwaitinfo or sigtimedwait
// (/proc/PID/wchan). Such a task takes the signals it waits for while its
// blocked set reads empty (the kernel keeps the real one aside during the
// wait): busybox init and golxc's C execute init wait so. Unreadable
// counts as no.
func inSigwait(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/wchan", pid))
	return err == nil && strings.Contains(string(b), "sigtimedwait")
}
