//go:build linux && cgo

package nsexec

/*
#cgo CFLAGS: -std=gnu11 -Wall -Wextra -Wno-unused-parameter
#include "nsexec.h"
*/
import "C"

import "os"

// Compile-time check that bootstrap.go and nsexec.h agree: any difference
// makes one of these constants negative, which overflows uint.
const (
	_ = uint(C.GOLXC_BOOTSTRAP_SIZE - bootstrapSize)
	_ = uint(bootstrapSize - C.GOLXC_BOOTSTRAP_SIZE)
	_ = uint(C.GOLXC_BOOTSTRAP_MAGIC - bootstrapMagic)
	_ = uint(bootstrapMagic - C.GOLXC_BOOTSTRAP_MAGIC)
	_ = uint(C.GOLXC_BOOTSTRAP_VERSION - bootstrapVersion)
	_ = uint(bootstrapVersion - C.GOLXC_BOOTSTRAP_VERSION)
	_ = uint(C.GOLXC_MODE_CREATE - int(Create))
	_ = uint(int(Create) - C.GOLXC_MODE_CREATE)
	_ = uint(C.GOLXC_MODE_JOIN - int(Join))
	_ = uint(int(Join) - C.GOLXC_MODE_JOIN)
	_ = uint(C.GOLXC_OPT_SETSID - optSetsid)
	_ = uint(optSetsid - C.GOLXC_OPT_SETSID)
	_ = uint(C.GOLXC_OPT_PREPARE - optPrepare)
	_ = uint(optPrepare - C.GOLXC_OPT_PREPARE)
	_ = uint(C.GOLXC_OPT_NARROWCAPS - optNarrowCaps)
	_ = uint(optNarrowCaps - C.GOLXC_OPT_NARROWCAPS)
	_ = uint(C.GOLXC_OPT_NONEWPRIVS - optNoNewPrivs)
	_ = uint(optNoNewPrivs - C.GOLXC_OPT_NONEWPRIVS)
	_ = uint(C.GOLXC_MAX_SHARE - MaxShare)
	_ = uint(MaxShare - C.GOLXC_MAX_SHARE)
)

// Stage reports whether the C stage ran in this process (ok) and, if so,
// which. It only reads two C variables set by the constructor; it does not
// call into C.
func Stage() (info Info, ok bool) {
	mode := Mode(C.golxc_nsexec_mode)
	if mode == 0 {
		return Info{}, false
	}
	return Info{Mode: mode, Name: os.Getenv(EnvStage), SyncFD: int(C.golxc_nsexec_syncfd)}, true
}
