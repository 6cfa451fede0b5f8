package sigmask

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func bit(s syscall.Signal) uint64 { return 1 << (uint(s) - 1) }

func TestParse(t *testing.T) {
	status := "Name:\tsystemd\nShdPnd:\t0000000000000000\nSigBlk:\t7fe3c0fe28014a03\nSigIgn:\t0000000000001000\nSigCgt:\t00000000000004ec\nCapInh:\t0000000000000000\n"
	m, err := Parse(strings.NewReader(status))
	if err != nil {
		t.Fatal(err)
	}
	want := Masks{Blocked: 0x7fe3c0fe28014a03, Ignored: 0x1000, Caught: 0x4ec}
	if m != want {
		t.Fatalf("got %+v, want %+v", m, want)
	}
	if _, err := Parse(strings.NewReader("SigBlk:\tzz\n")); err == nil || !strings.Contains(err.Error(), "SigBlk") {
		t.Fatalf("bad mask: err %v, want one naming SigBlk", err)
	}
}

func TestDelivered(t *testing.T) {
	rtmin3 := syscall.Signal(37)
	for _, tc := range []struct {
		m    Masks
		sig  syscall.Signal
		want bool
	}{
		{Masks{}, syscall.SIGPWR, false}, // init has no handlers yet: dropped
		{Masks{Caught: bit(syscall.SIGPWR)}, syscall.SIGPWR, true},
		{Masks{Blocked: bit(rtmin3)}, rtmin3, true}, // systemd's signalfd
		{Masks{Caught: bit(syscall.SIGUSR1)}, syscall.SIGPWR, false},
		{Masks{Ignored: bit(syscall.SIGPWR)}, syscall.SIGPWR, false},
		{Masks{}, syscall.SIGKILL, true},
	} {
		if got := tc.m.Delivered(tc.sig); got != tc.want {
			t.Errorf("%+v.Delivered(%v) = %v, want %v", tc.m, tc.sig, got, tc.want)
		}
	}
}

// WaitDelivered sees a handler a process installs while it waits.
func TestWaitDeliveredSeesANewHandler(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "sleep 0.2; trap 'exit 0' USR2; while :; do sleep 0.05; done")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	// Once exec'd (the forked child still has Go's handlers), before the trap.
	comm := fmt.Sprintf("/proc/%d/comm", cmd.Process.Pid)
	for b, _ := os.ReadFile(comm); strings.TrimSpace(string(b)) != "sh"; b, _ = os.ReadFile(comm) {
		time.Sleep(time.Millisecond)
	}
	if m, err := Read(cmd.Process.Pid); err != nil || m.Catches(syscall.SIGUSR2) {
		t.Fatalf("the shell's masks before its trap: %+v, %v", m, err)
	}
	if _, ok, err := WaitDelivered(cmd.Process.Pid, syscall.SIGUSR2, 5*time.Second); !ok || err != nil {
		t.Fatalf("WaitDelivered: %v, %v; want the trap seen", ok, err)
	}
	if _, ok, _ := WaitDelivered(cmd.Process.Pid, syscall.SIGPWR, 30*time.Millisecond); ok {
		t.Fatal("SIGPWR, which the shell does not catch, counted as delivered")
	}
}
