package monitor

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

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

// removeRecord removes the record and its lxcpath's directory, never the
// shared directories above (made again on every start otherwise).
func TestRemoveRecordKeepsSharedParents(t *testing.T) {
	needRoot(t)
	top := filepath.Join(runDir(), "golxc", "cgroups")
	base, err := os.MkdirTemp("", "rmrec-")
	must(t, err)
	defer os.Remove(base)
	lp := filepath.Join(base, "one")
	other := filepath.Join(base, "two")
	defer os.RemoveAll(filepath.Join(top, base))
	rec := staleRecordPath(lp, "c1")
	must(t, os.MkdirAll(filepath.Dir(rec), 0o700))
	must(t, os.WriteFile(rec, []byte("x\n"), 0o600))
	otherRec := staleRecordPath(other, "c2")
	must(t, os.MkdirAll(filepath.Dir(otherRec), 0o700))
	must(t, os.WriteFile(otherRec, []byte("x\n"), 0o600))
	removeRecord(rec)
	if _, err := os.Stat(filepath.Dir(rec)); !os.IsNotExist(err) {
		t.Errorf("the emptied lxcpath directory %s is left: %v", filepath.Dir(rec), err)
	}
	removeRecord(otherRec)
	if _, err := os.Stat(filepath.Join(top, base)); err != nil {
		t.Errorf("the shared directory above the records was removed: %v", err)
	}
}
