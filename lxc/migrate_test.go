package lxc

import "testing"

// TestMigrateStateErr: liblxc's state check, one command and state at a
// time.
func TestMigrateStateErr(t *testing.T) {
	for _, tc := range []struct {
		cmd     MigrateCmd
		running bool
		want    error
	}{
		{MigratePreDump, false, ErrNotRunning},
		{MigrateDump, false, ErrNotRunning},
		{MigratePreDump, true, nil},
		{MigrateDump, true, nil},
		{MigrateRestore, true, ErrAlreadyRunning},
		{MigrateRestore, false, nil},
		{MigrateFeatureCheck, false, nil},
		{MigrateFeatureCheck, true, nil},
	} {
		if got := migrateStateErr(tc.cmd, tc.running); got != tc.want {
			t.Errorf("migrateStateErr(%d, running %v) = %v, want %v", tc.cmd, tc.running, got, tc.want)
		}
	}
}

// TestMigrateNeedsRunning: Migrate refuses to dump a container that is
// not running with go-lxc's sentinel (compared with ==), before criu.
func TestMigrateNeedsRunning(t *testing.T) {
	c, err := NewContainer("migrate-stopped", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []MigrateCmd{MigratePreDump, MigrateDump} {
		if err := c.Migrate(cmd, CheckpointOptions{Directory: t.TempDir()}); err != ErrNotRunning {
			t.Errorf("Migrate(%d) of a stopped container: %v, want %v", cmd, err, ErrNotRunning)
		}
	}
}
