package lxc

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
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

func TestParseSignalMasks(t *testing.T) {
	status := "Name:\tsystemd\nShdPnd:\t0000000000000000\nSigBlk:\t7fe3c0fe28014a03\nSigIgn:\t0000000000001000\nSigCgt:\t00000000000004ec\nCapInh:\t0000000000000000\n"
	m, err := parseSignalMasks(strings.NewReader(status))
	if err != nil {
		t.Fatal(err)
	}
	want := signalMasks{Blocked: 0x7fe3c0fe28014a03, Ignored: 0x1000, Caught: 0x4ec}
	if m != want {
		t.Fatalf("got %+v, want %+v", m, want)
	}
	if _, err := parseSignalMasks(strings.NewReader("SigBlk:\tzz\n")); err == nil || !strings.Contains(err.Error(), "SigBlk") {
		t.Fatalf("bad mask: err %v, want one naming SigBlk", err)
	}
}

func TestSignalDelivered(t *testing.T) {
	bit := func(s syscall.Signal) uint64 { return 1 << (uint(s) - 1) }
	for _, tc := range []struct {
		m    signalMasks
		sig  syscall.Signal
		want bool
	}{
		{signalMasks{}, syscall.SIGPWR, false}, // init has no handlers yet: dropped
		{signalMasks{Caught: bit(syscall.SIGPWR)}, syscall.SIGPWR, true},
		{signalMasks{Blocked: bit(sigSystemdHalt)}, sigSystemdHalt, true}, // systemd's signalfd
		{signalMasks{Caught: bit(syscall.SIGUSR1)}, syscall.SIGPWR, false},
		{signalMasks{Ignored: bit(syscall.SIGPWR)}, syscall.SIGPWR, false},
		{signalMasks{}, syscall.SIGKILL, true},
	} {
		if got := tc.m.delivered(tc.sig); got != tc.want {
			t.Errorf("%+v.delivered(%v) = %v, want %v", tc.m, tc.sig, got, tc.want)
		}
	}
}

// A running process is not asleep in sigtimedwait, nor is a pid that
// cannot be read.
func TestInSigwaitNo(t *testing.T) {
	if inSigwait(os.Getpid()) {
		t.Error("the running test process counted as asleep in sigtimedwait")
	}
	if inSigwait(-1) {
		t.Error("an unreadable pid counted as asleep in sigtimedwait")
	}
}

// A task asleep in sigtimedwait counts (python3's signal.sigtimedwait).
func TestInSigwaitYes(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 to wait in sigtimedwait")
	}
	cmd := exec.Command(py, "-c", "import signal; signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1]); signal.sigtimedwait([signal.SIGUSR1], 30)")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	deadline := time.Now().Add(10 * time.Second)
	for !inSigwait(cmd.Process.Pid) {
		if time.Now().After(deadline) {
			w, _ := os.ReadFile(fmt.Sprintf("/proc/%d/wchan", cmd.Process.Pid))
			t.Fatalf("python3 in sigtimedwait not seen (wchan %q)", w)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
