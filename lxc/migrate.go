package lxc

import (
	"fmt"

	"github.com/golxc/golxc/internal/criu"
)

// MigrateCmd is what Migrate does (LXC's MIGRATE_* commands).
type MigrateCmd uint

// LXC's migrate commands, in its numbering.
const (
	MigratePreDump MigrateCmd = iota
	MigrateDump
	MigrateRestore
	MigrateFeatureCheck
)

// The criu features MigrateFeatureCheck asks about (LXC's FEATURE_*).
const (
	FeatureMemTrack  = criu.FeatureMemTrack
	FeatureLazyPages = criu.FeatureLazyPages
)

// Migrate is liblxc's migrate over Checkpoint and Restore: a pre-dump or
// dump of the running container into o.Directory, or a restore of the
// stopped one from it. MigrateFeatureCheck is CheckCriuFeatures.
//
// A container in the wrong state fails with ErrNotRunning (pre-dump,
// dump) or ErrAlreadyRunning (restore), as liblxc's migrate refuses it
// before calling criu; the C API's migrate returns -1 for those.
func (c *Container) Migrate(cmd MigrateCmd, o CheckpointOptions) error {
	if err := migrateStateErr(cmd, c.Running()); err != nil {
		return err
	}
	switch cmd {
	case MigratePreDump, MigrateDump:
		o.PreDump = cmd == MigratePreDump
		return c.Checkpoint(o)
	case MigrateRestore:
		return c.Restore(RestoreOptions{Directory: o.Directory, Verbose: o.Verbose, ActionScript: o.ActionScript})
	case MigrateFeatureCheck:
		return fmt.Errorf("migrate: use CheckCriuFeatures for the feature check")
	}
	return fmt.Errorf("invalid migrate command %d", cmd)
}

// migrateStateErr is liblxc's state check for a migrate command: a dump
// needs a running container, a restore a stopped one.
func migrateStateErr(cmd MigrateCmd, running bool) error {
	switch {
	case (cmd == MigratePreDump || cmd == MigrateDump) && !running:
		return ErrNotRunning
	case cmd == MigrateRestore && running:
		return ErrAlreadyRunning
	}
	return nil
}

// CheckCriuFeatures asks criu about the features in want and returns
// those it supports (LXC's MIGRATE_FEATURE_CHECK): 0 for bits it does not
// know, or without criu.
func CheckCriuFeatures(want uint64) uint64 {
	b, err := criu.Locate()
	if err != nil {
		return 0
	}
	return criu.CheckFeatures(b.Path, want)
}
