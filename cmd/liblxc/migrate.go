package main

/*
#include "capi.h"
*/
import "C"

import (
	"errors"
	"fmt"

	"github.com/golxc/golxc/lxc"
)

// golxcMigrate is liblxc's migrate once glue.c has sized the options:
// 0 done, 1 criu failed (or a feature is missing: o->features_to_check
// then holds those criu has), -1 for a container in the wrong state,
// -EINVAL for an unknown command.
//
//export golxcMigrate
func golxcMigrate(c *C.lxc_c, cmd C.uint, o *C.struct_migrate_opts) C.int {
	x := container(c)
	switch lxc.MigrateCmd(cmd) {
	case lxc.MigratePreDump, lxc.MigrateDump, lxc.MigrateRestore:
		// package lxc's Migrate checks the container's state
	case lxc.MigrateFeatureCheck:
		want := uint64(o.features_to_check)
		have := lxc.CheckCriuFeatures(want)
		if have == want {
			return 0
		}
		fail(c, fmt.Errorf("criu lacks features %#x of %#x", want&^have, want))
		o.features_to_check = C.uint64_t(have)
		return 1
	default:
		fail(c, fmt.Errorf("invalid migrate command %d", cmd))
		return -C.int(22) // EINVAL
	}
	co := lxc.CheckpointOptions{
		Directory: optString(o.directory), Verbose: bool(o.verbose), Stop: bool(o.stop),
		PredumpDir: optString(o.predump_dir), ActionScript: optString(o.action_script),
		NoSkipInFlight: bool(o.disable_skip_in_flight), PreservesInodes: bool(o.preserves_inodes),
		PageServerAddress: optString(o.pageserver_address), PageServerPort: optString(o.pageserver_port),
		GhostLimit: uint64(o.ghost_limit),
	}
	if err := x.Migrate(lxc.MigrateCmd(cmd), co); err != nil {
		fail(c, err)
		if errors.Is(err, lxc.ErrNotRunning) || errors.Is(err, lxc.ErrAlreadyRunning) {
			return -1 // liblxc's value for the wrong state
		}
		return 1
	}
	return 0
}
