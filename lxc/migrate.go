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
func (c *Container) Migrate(cmd MigrateCmd, o CheckpointOptions) error {
	switch cmd {
	case MigratePreDump, MigrateDump:
		if !c.Running() {
			return ErrNotRunning
		}
		o.PreDump = cmd == MigratePreDump
		return c.Checkpoint(o)
	case MigrateRestore:
		if c.Running() {
			return ErrAlreadyRunning
		}
		return c.Restore(RestoreOptions{Directory: o.Directory, Verbose: o.Verbose, ActionScript: o.ActionScript})
	case MigrateFeatureCheck:
		return fmt.Errorf("migrate: use CheckCriuFeatures for the feature check")
	}
	return fmt.Errorf("invalid migrate command %d", cmd)
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
