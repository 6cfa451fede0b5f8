package network

import (
	"path/filepath"
	"testing"
)

// TestSweepOwnLeavesOthers: a start sweeps its own container's dead
// record only; another container's waits for its start or Sweep.
func TestSweepOwnLeavesOthers(t *testing.T) {
	mine := &record{Container: "/tmp/gxlp/mine", MonitorPID: 1 << 22, MonitorStart: "1", Addrs: []string{"10.250.98.1"}}
	other := &record{Container: "/tmp/gxlp/other", MonitorPID: 1 << 22, MonitorStart: "1", Addrs: []string{"10.250.98.2"}}
	for _, r := range []*record{mine, other} {
		if err := r.save(); err != nil {
			t.Fatal(err)
		}
	}
	defer other.remove()
	sweepOwn("/tmp/gxlp", "mine")
	if f := stateFiles(t); len(f) != 1 || f[0] != filepath.Base(other.path()) {
		t.Errorf("records left: %v, want only %s", f, other.path())
	}
}

// TestSweepLeavesRecordOfRestartedContainer: a record read as dead but
// rewritten by a monitor that started the container meanwhile (same
// file name) is the new monitor's: Sweep leaves it.
func TestSweepLeavesRecordOfRestartedContainer(t *testing.T) {
	needRoot(t) // the container lock lives in /run/lxc/lock
	dead := &record{Container: "/tmp/gxlp/restarted", MonitorPID: 1 << 22, MonitorStart: "1", Addrs: []string{"10.250.98.3"}}
	if err := dead.save(); err != nil {
		t.Fatal(err)
	}
	live, deads := readRecords()
	now := newRecord("/tmp/gxlp", "restarted")
	now.Addrs = []string{"10.250.98.3"}
	if err := now.save(); err != nil {
		t.Fatal(err)
	}
	defer now.remove()
	if errs := sweep(live, deads, holdIdle); len(errs) != 0 {
		t.Fatalf("sweep: %v", errs)
	}
	if l, d := readRecords(); len(l) != 1 || len(d) != 0 {
		t.Errorf("after the sweep: %d live, %d dead records; want the new monitor's only", len(l), len(d))
	}
}
