package spawn

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// TestAbort: closing Request.Abort while Start waits for the stage makes
// Start return ErrAborted, hand every process it kills to Release, and
// leave no process or fd behind.
func TestAbort(t *testing.T) {
	needRoot(t)
	fdsBefore, kidsBefore := countFDs(t), children(t)
	abort := make(chan struct{})
	var released []int
	_, err := Start(Request{Mode: Create, CloneFlags: unix.CLONE_NEWNET, CgroupFD: -1, Stage: "test-report",
		Abort:   abort,
		Prepare: func(int) error { close(abort); return nil },
		Release: func(pid int) { released = append(released, pid) },
	})
	if !errors.Is(err, ErrAborted) {
		t.Fatalf("Start with Abort closed during Prepare = %v, want ErrAborted", err)
	}
	if len(released) == 0 {
		t.Error("Release was not called for the killed stage")
	}
	if after := countFDs(t); after != fdsBefore {
		t.Errorf("open fds: %d before, %d after", fdsBefore, after)
	}
	if after := children(t); len(after) != len(kidsBefore) {
		t.Errorf("children: %v before, %v after", kidsBefore, after)
	}
}
