package lxc

import (
	"syscall"

	"github.com/golxc/golxc/internal/sigmask"
)

// sigRTMin is glibc's SIGRTMIN: the kernel's 32 and 33 are reserved by the
// C library, so the "SIGRTMIN+3" systemd halts on is signal 37.
const sigRTMin = 34

// sigSystemdHalt is SIGRTMIN+3, the signal systemd (as PID 1) takes as
// "halt": systemd blocks it and reads it through a signalfd.
const sigSystemdHalt = syscall.Signal(sigRTMin + 3)

// signalMasks are init's signal sets (sigmask: /proc/PID/status).
type signalMasks = sigmask.Masks

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
	case init.Blocks(sigSystemdHalt):
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
