package network

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/lock"
)

// TestSweepOwnLeavesOthers: a start sweeps its own container's dead
// record only; another container's waits for its start or Sweep.
func TestSweepOwnLeavesOthers(t *testing.T) {
	lxcpath := testLXCPath(t)
	mine := &record{Container: filepath.Join(lxcpath, "mine"), MonitorPID: 1 << 22, MonitorStart: "1", Addrs: []string{"10.250.98.1"}}
	other := &record{Container: filepath.Join(lxcpath, "other"), MonitorPID: 1 << 22, MonitorStart: "1", Addrs: []string{"10.250.98.2"}}
	for _, r := range []*record{mine, other} {
		if err := r.save(); err != nil {
			t.Fatal(err)
		}
	}
	defer other.remove()
	sweepOwn(lxcpath, "mine")
	if f := stateFiles(t); len(f) != 1 || f[0] != filepath.Base(other.path()) {
		t.Errorf("records left: %v, want only %s", f, other.path())
	}
}

// TestSweepLeavesRecordOfRestartedContainer: a record read as dead but
// rewritten by a monitor that started the container meanwhile (same
// file name) is the new monitor's: Sweep leaves it.
func TestSweepLeavesRecordOfRestartedContainer(t *testing.T) {
	needRoot(t) // the container lock lives in /run/lxc/lock
	lxcpath := testLXCPath(t)
	dead := &record{Container: filepath.Join(lxcpath, "restarted"), MonitorPID: 1 << 22, MonitorStart: "1", Addrs: []string{"10.250.98.3"}}
	if err := dead.save(); err != nil {
		t.Fatal(err)
	}
	live, deads := ownRecords(lxcpath)
	now := newRecord(lxcpath, "restarted")
	now.Addrs = []string{"10.250.98.3"}
	if err := now.save(); err != nil {
		t.Fatal(err)
	}
	defer now.remove()
	if errs := sweep(live, deads, holdIdle(sweepLockWait)); len(errs) != 0 {
		t.Fatalf("sweep: %v", errs)
	}
	if l, d := ownRecords(lxcpath); len(l) != 1 || len(d) != 0 {
		t.Errorf("after the sweep: %d live, %d dead records; want the new monitor's only", len(l), len(d))
	}
}

// TestSweepLeavesAnsweredContainer: a dead monitor's record stays while a
// monitor answers on the container's command socket, even one that
// reports STOPPED (it just claimed the container, or tears it down): the
// devices are that monitor's now.
func TestSweepLeavesAnsweredContainer(t *testing.T) {
	needRoot(t) // the container lock lives in /run/lxc/lock
	lxcpath := testLXCPath(t)
	dead := &record{Container: filepath.Join(lxcpath, "answered"), MonitorPID: 1 << 22, MonitorStart: "1", Addrs: []string{"10.250.98.4"}}
	if err := dead.save(); err != nil {
		t.Fatal(err)
	}
	defer dead.remove()
	srv, err := cmdsock.Listen(lxcpath, "answered", cmdsock.HandlerFunc(func(*cmdsock.Request) *cmdsock.Response {
		return &cmdsock.Response{Value: int64(cmdsock.STOPPED)}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if errs := sweepUnder(lxcpath); len(errs) != 0 {
		t.Fatalf("sweep: %v", errs)
	}
	if _, d := ownRecords(lxcpath); len(d) != 1 {
		t.Fatalf("after the sweep: %d dead records; want the answered container's kept", len(d))
	}
	srv.Close()
	sweepUnder(lxcpath)
	if _, d := ownRecords(lxcpath); len(d) != 0 {
		t.Errorf("once nothing answers: %d dead records left, want none", len(d))
	}
}

// TestSweepSkipsHeldLock: a container whose lock stays held (a hung start,
// stop or destroy) is skipped after the wait, its record kept for a later
// cleanup, instead of hanging the sweep.
func TestSweepSkipsHeldLock(t *testing.T) {
	needRoot(t)
	lxcpath := testLXCPath(t)
	held := lock.Container(config.RuntimeDir(), lxcpath, "held")
	if err := held.Lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer held.Unlock()
	dead := &record{Container: filepath.Join(lxcpath, "held"), MonitorPID: 1 << 22, MonitorStart: "1", Addrs: []string{"10.250.98.5"}}
	if err := dead.save(); err != nil {
		t.Fatal(err)
	}
	defer dead.remove()
	done := make(chan []error, 1)
	go func() {
		live, deads := readRecords()
		done <- sweep(live, recordsUnder(deads, lxcpath), holdIdle(200*time.Millisecond))
	}()
	select {
	case errs := <-done:
		if len(errs) != 0 {
			t.Errorf("sweep: %v", errs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the sweep still waits for a held container lock after 10s")
	}
	if _, d := ownRecords(lxcpath); len(d) != 1 {
		t.Errorf("%d dead records after the sweep, want the held container's kept", len(d))
	}
}

// TestSweepRecordOfRemovedLXCPath: the record of a container whose lxcpath
// is gone is swept without an error, and leaves no lock file or lock
// directory for the removed lxcpath behind.
func TestSweepRecordOfRemovedLXCPath(t *testing.T) {
	needRoot(t)
	lxcpath, err := os.MkdirTemp("", "netcg-gone-")
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(lxcpath)
	lockDir := filepath.Dir(lock.Path(config.RuntimeDir(), lxcpath, "x"))
	defer os.RemoveAll(lockDir)
	dead := &record{Container: filepath.Join(lxcpath, "gone"), MonitorPID: 1 << 22, MonitorStart: "1", Addrs: []string{"10.250.98.6"}}
	if err := dead.save(); err != nil {
		t.Fatal(err)
	}
	defer dead.remove()
	if errs := sweepUnder(lxcpath); len(errs) != 0 {
		t.Errorf("sweep: %v", errs)
	}
	if l, d := ownRecords(lxcpath); len(l)+len(d) != 0 {
		t.Errorf("records left: %d live, %d dead; want none", len(l), len(d))
	}
	if _, err := os.Stat(lockDir); err == nil {
		t.Errorf("the sweep left the lock directory %s of a removed lxcpath", lockDir)
	}
}

// TestRecordsUnder: a test's lxcpath keeps its own containers' records,
// not those of a path that merely starts the same.
func TestRecordsUnder(t *testing.T) {
	rs := []*record{{Container: "/tmp/a/x"}, {Container: "/tmp/ab/y"}, {Container: "/tmp/a/sub/z"}}
	got := recordsUnder(rs, "/tmp/a/")
	if len(got) != 1 || got[0].Container != "/tmp/a/x" {
		t.Errorf("got %v, want /tmp/a/x only", got)
	}
	if len(recordsUnder(rs, "")) != 3 {
		t.Error(`"" must keep every record (golxc net cleanup)`)
	}
}
