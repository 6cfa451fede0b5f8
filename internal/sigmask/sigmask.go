// Package sigmask reads a process's signal sets from /proc/PID/status and
// says whether a signal sent to a container's init would reach it: from
// outside its pid namespace, init gets only the signals it catches or
// blocks (to read them from a signalfd, as systemd does); the kernel drops
// the others. Right after start an init has not installed its handlers
// yet, so lxc-stop's halt waits a moment for them.
package sigmask

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Masks are the signal sets as /proc/PID/status shows them (SigBlk,
// SigIgn, SigCgt): bit N-1 stands for signal N.
type Masks struct {
	Blocked, Ignored, Caught uint64
}

func has(set uint64, sig syscall.Signal) bool {
	return sig >= 1 && sig <= 64 && set&(1<<(uint(sig)-1)) != 0
}

// Blocks reports whether sig is in the blocked set.
func (m Masks) Blocks(sig syscall.Signal) bool { return has(m.Blocked, sig) }

// Catches reports whether the process has a handler for sig.
func (m Masks) Catches(sig syscall.Signal) bool { return has(m.Caught, sig) }

// Delivered: sig sent to a pid namespace's init from outside would reach
// it (SIGKILL and SIGSTOP always do).
func (m Masks) Delivered(sig syscall.Signal) bool {
	return sig == syscall.SIGKILL || sig == syscall.SIGSTOP || m.Blocks(sig) || m.Catches(sig)
}

// Read reads the signal sets of pid.
func Read(pid int) (Masks, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Masks{}, err
	}
	defer f.Close()
	return Parse(f)
}

// Parse takes the SigBlk, SigIgn and SigCgt lines of a /proc/PID/status
// text (hexadecimal masks).
func Parse(r io.Reader) (Masks, error) {
	var m Masks
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
			return Masks{}, fmt.Errorf("%s %q: %w", key, strings.TrimSpace(val), err)
		}
		*dst = n
	}
	return m, sc.Err()
}

// InSigwait reports whether pid sleeps in sigwaitinfo or sigtimedwait
// (/proc/PID/wchan). Such a task takes the signals it waits for while its
// blocked set reads empty (the kernel keeps the real one aside during the
// wait): busybox init and golxc's C execute init wait so. Unreadable
// counts as no.
func InSigwait(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/wchan", pid))
	return err == nil && strings.Contains(string(b), "sigtimedwait")
}
