package lxc

import (
	"syscall"
	"testing"
)

func TestHaltSignal(t *testing.T) {
	const rtmin3 = syscall.Signal(37)
	bit := func(sig syscall.Signal) uint64 { return 1 << (uint(sig) - 1) }
	cases := []struct {
		name       string
		configured syscall.Signal
		masks      signalMasks
		want       syscall.Signal
	}{
		{"unset, plain init", 0, signalMasks{}, syscall.SIGPWR},
		// systemd 252's PID 1 as /proc shows it: SigBlk 7fe3c0fe28014a03.
		{"unset, systemd blocks SIGRTMIN+3", 0, signalMasks{Blocked: 0x7fe3c0fe28014a03}, rtmin3},
		{"unset, only SIGRTMIN+3 blocked", 0, signalMasks{Blocked: bit(rtmin3)}, rtmin3},
		{"unset, SIGRTMIN+3 caught, not blocked", 0, signalMasks{Caught: bit(rtmin3)}, syscall.SIGPWR},
		{"unset, SIGRTMIN+3 ignored, not blocked", 0, signalMasks{Ignored: bit(rtmin3)}, syscall.SIGPWR},
		{"unset, neighbours blocked", 0, signalMasks{Blocked: bit(36) | bit(38)}, syscall.SIGPWR},
		{"configured wins over systemd", syscall.SIGUSR1, signalMasks{Blocked: bit(rtmin3)}, syscall.SIGUSR1},
		{"configured, plain init", syscall.SIGTERM, signalMasks{}, syscall.SIGTERM},
	}
	for _, c := range cases {
		if got := haltSignal(c.configured, c.masks); got != c.want {
			t.Errorf("%s: haltSignal(%d, %+v) = %d, want %d", c.name, c.configured, c.masks, got, c.want)
		}
	}
}

func TestRebootSignal(t *testing.T) {
	systemd := signalMasks{Blocked: 0x7fe3c0fe28014a03}
	if got := rebootSignal(0, signalMasks{}); got != syscall.SIGINT {
		t.Errorf("unset, plain init: %v, want SIGINT", got)
	}
	// LXC sends SIGINT to systemd too: it reboots on Ctrl-Alt-Del.
	if got := rebootSignal(0, systemd); got != syscall.SIGINT {
		t.Errorf("unset, systemd: %v, want SIGINT", got)
	}
	if got := rebootSignal(syscall.SIGTERM, systemd); got != syscall.SIGTERM {
		t.Errorf("configured: %v, want SIGTERM", got)
	}
}
