//go:build linux && cgo

package nsexec

/*
#cgo CFLAGS: -std=gnu11 -Wall -Wextra -Wno-unused-parameter
#include "nsexec.h"
#include "execplan.h"
#include "hibernate.h"
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
	_ = uint(C.GOLXC_OPT_EXECPLAN - optExecPlan)
	_ = uint(optExecPlan - C.GOLXC_OPT_EXECPLAN)
	_ = uint(C.GOLXC_PLAN_MAGIC - planMagic)
	_ = uint(planMagic - C.GOLXC_PLAN_MAGIC)
	_ = uint(C.GOLXC_PLAN_VERSION - planVersion)
	_ = uint(planVersion - C.GOLXC_PLAN_VERSION)
	_ = uint(C.GOLXC_PLAN_MAX - PlanMax)
	_ = uint(PlanMax - C.GOLXC_PLAN_MAX)
	_ = uint(C.GOLXC_MAX_SHARE - MaxShare)
	_ = uint(MaxShare - C.GOLXC_MAX_SHARE)
	// hibernate.h and hibernate.go
	_ = uint(C.GOLXC_HIB_MAGIC-hibMagic) + uint(hibMagic-C.GOLXC_HIB_MAGIC)
	_ = uint(C.GOLXC_HIB_VERSION-hibVersion) + uint(hibVersion-C.GOLXC_HIB_VERSION)
	_ = uint(C.GOLXC_HIB_HEADER_SIZE-hibHeaderSize) + uint(hibHeaderSize-C.GOLXC_HIB_HEADER_SIZE)
	_ = uint(C.sizeof_struct_golxc_hib_header-hibHeaderSize) + uint(hibHeaderSize-C.sizeof_struct_golxc_hib_header)
	_ = uint(C.GOLXC_HIB_ENTRY_SIZE-hibEntrySize) + uint(hibEntrySize-C.GOLXC_HIB_ENTRY_SIZE)
	_ = uint(C.sizeof_struct_golxc_hib_entry-hibEntrySize) + uint(hibEntrySize-C.sizeof_struct_golxc_hib_entry)
	_ = uint(C.GOLXC_HIB_KEY_HEADER-hibKeyHeader) + uint(hibKeyHeader-C.GOLXC_HIB_KEY_HEADER)
	_ = uint(C.GOLXC_HIB_BATCH_KEY-hibBatchKey) + uint(hibBatchKey-C.GOLXC_HIB_BATCH_KEY)
	_ = uint(C.GOLXC_HIB_BATCH-hibBatchCmd) + uint(hibBatchCmd-C.GOLXC_HIB_BATCH)
	_ = uint(C.GOLXC_HIB_DATA_MAX-hibMaxDataSize) + uint(hibMaxDataSize-C.GOLXC_HIB_DATA_MAX)
	_ = uint(C.GOLXC_HIB_GUARD_SIZE-hibGuardSize) + uint(hibGuardSize-C.GOLXC_HIB_GUARD_SIZE)
	_ = uint(C.sizeof_struct_golxc_hib_guard-hibGuardSize) + uint(hibGuardSize-C.sizeof_struct_golxc_hib_guard)
	_ = uint(C.GOLXC_HIB_GUARD_MAX-hibGuardMax) + uint(hibGuardMax-C.GOLXC_HIB_GUARD_MAX)
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

// The operation codes of execplan.h, checked the same way.
const (
	_ = uint(C.GOLXC_OP_IDENT-opIdent) + uint(opIdent-C.GOLXC_OP_IDENT)
	_ = uint(C.GOLXC_OP_STDIO-opStdio) + uint(opStdio-C.GOLXC_OP_STDIO)
	_ = uint(C.GOLXC_OP_REMOUNT-opRemount) + uint(opRemount-C.GOLXC_OP_REMOUNT)
	_ = uint(C.GOLXC_OP_PERSONALITY-opPersonality) + uint(opPersonality-C.GOLXC_OP_PERSONALITY)
	_ = uint(C.GOLXC_OP_CHDIR-opChdir) + uint(opChdir-C.GOLXC_OP_CHDIR)
	_ = uint(C.GOLXC_OP_SETCTTY-opSetCTTY) + uint(opSetCTTY-C.GOLXC_OP_SETCTTY)
	_ = uint(C.GOLXC_OP_DROPCAPS-opDropCaps) + uint(opDropCaps-C.GOLXC_OP_DROPCAPS)
	_ = uint(C.GOLXC_OP_SECCOMP-opSeccomp) + uint(opSeccomp-C.GOLXC_OP_SECCOMP)
	_ = uint(C.GOLXC_OP_SETIDS-opSetIDs) + uint(opSetIDs-C.GOLXC_OP_SETIDS)
	_ = uint(C.GOLXC_OP_NODUMP-opNoDump) + uint(opNoDump-C.GOLXC_OP_NODUMP)
	_ = uint(C.GOLXC_OP_NONEWPRIVS-opNoNewPrivs) + uint(opNoNewPrivs-C.GOLXC_OP_NONEWPRIVS)
	_ = uint(C.GOLXC_OP_CLOEXEC-opCloexec) + uint(opCloexec-C.GOLXC_OP_CLOEXEC)
	_ = uint(C.GOLXC_OP_EXEC-opExec) + uint(opExec-C.GOLXC_OP_EXEC)
	_ = uint(C.GOLXC_OP_MOUNT_HOST-opMountHost) + uint(opMountHost-C.GOLXC_OP_MOUNT_HOST)
	_ = uint(C.GOLXC_OP_OPENROOT-opOpenRoot) + uint(opOpenRoot-C.GOLXC_OP_OPENROOT)
	_ = uint(C.GOLXC_OP_MOUNT_IN-opMountIn) + uint(opMountIn-C.GOLXC_OP_MOUNT_IN)
	_ = uint(C.GOLXC_OP_UMOUNT_IN-opUmountIn) + uint(opUmountIn-C.GOLXC_OP_UMOUNT_IN)
	_ = uint(C.GOLXC_OP_MKDIR_IN-opMkdirIn) + uint(opMkdirIn-C.GOLXC_OP_MKDIR_IN)
	_ = uint(C.GOLXC_OP_ENTRY-opEntry) + uint(opEntry-C.GOLXC_OP_ENTRY)
	_ = uint(C.GOLXC_OP_AUTODEV-opAutodev) + uint(opAutodev-C.GOLXC_OP_AUTODEV)
	_ = uint(C.GOLXC_OP_CHMOD_HOST-opChmodHost) + uint(opChmodHost-C.GOLXC_OP_CHMOD_HOST)
	_ = uint(C.GOLXC_OP_DEVPTS-opDevpts) + uint(opDevpts-C.GOLXC_OP_DEVPTS)
	_ = uint(C.GOLXC_OP_DEVLINKS-opDevLinks) + uint(opDevLinks-C.GOLXC_OP_DEVLINKS)
	_ = uint(C.GOLXC_OP_PIVOT-opPivot) + uint(opPivot-C.GOLXC_OP_PIVOT)
	_ = uint(C.GOLXC_OP_SENDTTYS-opSendTTYs) + uint(opSendTTYs-C.GOLXC_OP_SENDTTYS)
	_ = uint(C.GOLXC_OP_READY-opReady) + uint(opReady-C.GOLXC_OP_READY)
	_ = uint(C.GOLXC_OP_HOSTNAME-opHostname) + uint(opHostname-C.GOLXC_OP_HOSTNAME)
	_ = uint(C.GOLXC_OP_SYSCTLS-opSysctls) + uint(opSysctls-C.GOLXC_OP_SYSCTLS)
	_ = uint(C.GOLXC_OP_RLIMITS-opRlimits) + uint(opRlimits-C.GOLXC_OP_RLIMITS)
	_ = uint(C.GOLXC_OP_CWD-opCwd) + uint(opCwd-C.GOLXC_OP_CWD)
	_ = uint(C.GOLXC_OP_CAPRESTRICT-opCapRestric) + uint(opCapRestric-C.GOLXC_OP_CAPRESTRICT)
	_ = uint(C.GOLXC_OP_INITEXEC-opInitExec) + uint(opInitExec-C.GOLXC_OP_INITEXEC)
	_ = uint(C.GOLXC_OP_FAIL-opFail) + uint(opFail-C.GOLXC_OP_FAIL)
	_ = uint(C.GOLXC_OP_HOOK-opHook) + uint(opHook-C.GOLXC_OP_HOOK)
)
