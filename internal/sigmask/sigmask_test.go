package sigmask

import (
	"strings"
	"syscall"
	"testing"
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
