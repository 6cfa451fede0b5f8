package monitor

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/lock"
)

// TestSweepDeadLeavesAnsweredContainer: the cgroup record of a container
// whose monitor answers, even with STOPPED (it tears down, or just claimed
// the container), is that monitor's: SweepDead leaves it.
func TestSweepDeadLeavesAnsweredContainer(t *testing.T) {
	needRoot(t)
	lxcpath, err := os.MkdirTemp("", "netcg-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(lxcpath)
	defer os.RemoveAll(filepath.Dir(lock.Path(runDir(), lxcpath, "x")))
	rec := staleRecordPath(lxcpath, "c1")
	must(t, os.MkdirAll(filepath.Dir(rec), 0o700))
	must(t, os.WriteFile(rec, []byte("/netcg-no-such-cgroup\n"), 0o600))
	defer removeRecord(rec)
	srv, err := cmdsock.Listen(lxcpath, "c1", cmdsock.HandlerFunc(func(*cmdsock.Request) *cmdsock.Response {
		return &cmdsock.Response{Value: int64(cmdsock.STOPPED)}
	}))
	must(t, err)
	defer srv.Close()
	if err := SweepDead(lxcpath, "c1"); !errors.Is(err, ErrAlreadyRunning) {
		t.Errorf("SweepDead with a monitor answering STOPPED: %v, want ErrAlreadyRunning", err)
	}
	if _, err := os.Stat(rec); err != nil {
		t.Errorf("the answering monitor's cgroup record was swept: %v", err)
	}
}

// Records are flat files: making and removing one leaves the directory
// in place and needs no directory of the lxcpath's.
func TestRecordsAreFlatFiles(t *testing.T) {
	needRoot(t)
	top := filepath.Join(runDir(), "golxc", "cgroups")
	lp, err := os.MkdirTemp("", "rmrec-")
	must(t, err)
	defer os.Remove(lp)
	rec := staleRecordPath(lp, "c1")
	if filepath.Dir(rec) != top {
		t.Fatalf("record %s is not a file of %s", rec, top)
	}
	if other := staleRecordPath(lp+"x", "c1"); other == rec {
		t.Fatalf("two lxcpaths share the record %s", rec)
	}
	must(t, os.MkdirAll(top, 0o700))
	must(t, os.WriteFile(rec, []byte("x\n"), 0o600))
	removeRecord(rec)
	if _, err := os.Stat(rec); !os.IsNotExist(err) {
		t.Errorf("record %s left: %v", rec, err)
	}
	if _, err := os.Stat(top); err != nil {
		t.Errorf("the records' directory went with the record: %v", err)
	}
}

// TestSweepDeadReadsLegacyRecord: a record that a monitor killed before
// an upgrade left in the old layout (RUNDIR/golxc/cgroups/LXCPATH/NAME)
// is still swept, cgroup and record, with the old layout's directories.
func TestSweepDeadReadsLegacyRecord(t *testing.T) {
	needRoot(t)
	lxcpath, err := os.MkdirTemp("", "legacyrec-")
	must(t, err)
	defer os.Remove(lxcpath)
	defer os.RemoveAll(filepath.Dir(lock.Path(runDir(), lxcpath, "x")))
	layout, err := cgroup.Detect()
	must(t, err)
	if len(layout.Hierarchies) == 0 {
		t.Skip("no cgroup hierarchy")
	}
	cgDir := filepath.Join(layout.Hierarchies[0].Mount, "golxc-legacy-record-test")
	must(t, os.Mkdir(cgDir, 0o755))
	defer os.Remove(cgDir)
	rec := legacyRecordPath(lxcpath, "c1")
	must(t, os.MkdirAll(filepath.Dir(rec), 0o700))
	top := filepath.Join(runDir(), "golxc", "cgroups")
	defer os.Remove(filepath.Join(top, filepath.Dir(lxcpath))) // only if empty
	defer os.RemoveAll(filepath.Join(top, lxcpath))
	must(t, os.WriteFile(rec, []byte(cgDir+"\n"), 0o600))
	if !LeftRecords(lxcpath, "c1") {
		t.Fatal("LeftRecords does not see the legacy record")
	}
	must(t, SweepDead(lxcpath, "c1"))
	if _, err := os.Stat(cgDir); !os.IsNotExist(err) {
		t.Errorf("the legacy record's cgroup %s was not removed: %v", cgDir, err)
	}
	if _, err := os.Stat(filepath.Join(top, lxcpath)); !os.IsNotExist(err) {
		t.Errorf("the legacy record's directories are left: %v", err)
	}
	if _, err := os.Stat(top); err != nil {
		t.Errorf("the records' directory went with the legacy record: %v", err)
	}
}
