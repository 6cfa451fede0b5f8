package spawn

import (
	"syscall"
	"testing"
)

// The "before it was ready" errors name the signal by number and name,
// not Go's "killed by killed".
func TestDescribeSignal(t *testing.T) {
	ws := syscall.WaitStatus(uint32(syscall.SIGKILL)) // terminated by SIGKILL, no core
	if got, want := describe(ws), "was killed by signal 9 (SIGKILL)"; got != want {
		t.Errorf("describe(SIGKILL) = %q, want %q", got, want)
	}
	ws = syscall.WaitStatus(3 << 8) // exited 3
	if got, want := describe(ws), "exited with status 3"; got != want {
		t.Errorf("describe(exit 3) = %q, want %q", got, want)
	}
}
