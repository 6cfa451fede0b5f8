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

// A shell in `read` is not in sigtimedwait; this test's process is not
// either. (The positive case needs a task in sigtimedwait: TestStop*'s
// busybox init, through lxc-stop, in the integration tests.)
func TestInSigwaitNo(t *testing.T) {
	if InSigwait(os.Getpid()) {
		t.Error("the running test process counted as asleep in sigtimedwait")
	}
	if InSigwait(-1) {
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
	for !InSigwait(cmd.Process.Pid) {
		if time.Now().After(deadline) {
			w, _ := os.ReadFile(fmt.Sprintf("/proc/%d/wchan", cmd.Process.Pid))
			t.Fatalf("python3 in sigtimedwait not seen (wchan %q)", w)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
