package nsexec

import (
	"encoding/binary"
	"fmt"
)

// Environment variables of the stage process.
const (
	// EnvSyncFD names the bootstrap/sync socket fd; its presence is what
	// activates the C constructor.
	EnvSyncFD = "_GOLXC_NSEXEC"
	// EnvStage names the Go stage to run once the C stage returns.
	EnvStage = "_GOLXC_STAGE"
)

// Info describes the stage this process is running as.
type Info struct {
	Mode   Mode   // Create or Join: what the C stage did
	Name   string // value of _GOLXC_STAGE: the Go stage to run
	SyncFD int    // the sync socket (close-on-exec), shared with the parent
}

// Mode says whether the C stage creates namespaces or joins existing ones.
type Mode uint32

const (
	Create Mode = 1 // unshare new namespaces
	Join   Mode = 2 // setns into a running process's namespaces
)

func (m Mode) String() string {
	switch m {
	case Create:
		return "create"
	case Join:
		return "join"
	}
	return fmt.Sprintf("mode(%d)", uint32(m))
}

// Messages on the sync socket during the C stage, one SOCK_SEQPACKET packet
// each. Stage to parent: MsgMapRequest, MsgPrepare, MsgPid ("D<pid>"),
// MsgReady, MsgError ("E<errno> <step>"). Parent to stage: MsgMapDone,
// MsgPrepared.
const (
	MsgMapRequest = 'M' // user ns unshared: write /proc/<pid>/{setgroups,uid_map,gid_map}
	MsgMapDone    = 'm'
	MsgPrepare    = 'P' // namespace ops pending: do host-side setup (cgroups) on <pid>
	MsgPrepared   = 'p'
	MsgPid        = 'D' // followed by the final process's pid in the parent's pid ns
	MsgReady      = 'R' // sent by the final process right before Go starts
	MsgError      = 'E' // followed by "<errno> <step>"; the stage exits 1
)

const (
	bootstrapSize    = 120
	bootstrapMagic   = 0x43584c47 // "GLXC"
	bootstrapVersion = 3
	optSetsid        = 1
	optPrepare       = 2
	optNarrowCaps    = 4
	optNoNewPrivs    = 8
	optExecPlan      = 16
	optDumpable      = 32
)

// MaxShare is the number of namespaces Create can join instead of
// unsharing: one per namespace type.
const MaxShare = 8

// Bootstrap is the message the parent sends before the stage starts. Fd
// numbers are as seen by the stage process.
type Bootstrap struct {
	Mode      Mode
	NSFlags   uint64 // CLONE_NEW* to unshare (Create) or join (Join)
	JoinPID   int    // Join: target pid
	PidFD     int    // Join: pidfd of JoinPID in the stage, or -1
	ExeFD     int    // inherited protected-exe fd the stage closes first, or -1
	Pdeathsig int    // parent-death signal for the final process, or 0
	Setsid    bool   // final process becomes a session leader
	Prepare   bool   // pause with MsgPrepare before the namespace operations
	// Share (Create only) lists namespaces to setns() into instead of
	// unsharing them; at most MaxShare, one per type, none also in NSFlags.
	Share []Share
	// NarrowCaps limits the final process's bounding, effective, permitted
	// and inheritable sets to CapKeep (bit N = capability N) before the Go
	// runtime starts, so every one of its threads has them.
	NarrowCaps bool
	CapKeep    uint64
	// NoNewPrivs sets no_new_privs in the final process before the Go
	// runtime starts (the flag is per-thread as well).
	NoNewPrivs bool
	// ExecPlan makes the final process receive an exec plan (Plan) after
	// MsgReady and carry it out in C, ending in execve: no Go runtime
	// starts in it.
	ExecPlan bool
	// Dumpable leaves the final process dumpable (a user's container
	// init, which the user must be able to reach through its user
	// namespace before it execs).
	Dumpable bool
}

// Share is one namespace fd the stage inherits and joins.
type Share struct {
	NSType uint32 // exactly one CLONE_NEW* flag; setns checks the fd is one
	FD     int    // as numbered in the stage; the stage closes it
}

// Encode returns the wire form (struct golxc_bootstrap in nsexec.h).
func (b Bootstrap) Encode() []byte {
	var opts uint32
	if b.Setsid {
		opts |= optSetsid
	}
	if b.Prepare {
		opts |= optPrepare
	}
	if b.NarrowCaps {
		opts |= optNarrowCaps
	}
	if b.NoNewPrivs {
		opts |= optNoNewPrivs
	}
	if b.ExecPlan {
		opts |= optExecPlan
	}
	if b.Dumpable {
		opts |= optDumpable
	}
	le := binary.NativeEndian
	buf := make([]byte, 0, bootstrapSize)
	buf = le.AppendUint32(buf, bootstrapSize)
	buf = le.AppendUint32(buf, bootstrapMagic)
	buf = le.AppendUint32(buf, bootstrapVersion)
	buf = le.AppendUint32(buf, uint32(b.Mode))
	buf = le.AppendUint64(buf, b.NSFlags)
	buf = le.AppendUint32(buf, opts)
	for _, v := range []int{b.JoinPID, b.PidFD, b.ExeFD, b.Pdeathsig} {
		buf = le.AppendUint32(buf, uint32(int32(v)))
	}
	// Encode cannot fail; spawn validates the length, the stage rejects
	// more than MaxShare as well.
	buf = le.AppendUint32(buf, uint32(len(b.Share)))
	for i := 0; i < MaxShare; i++ {
		s := Share{FD: -1}
		if i < len(b.Share) {
			s = b.Share[i]
		}
		buf = le.AppendUint32(buf, s.NSType)
		buf = le.AppendUint32(buf, uint32(int32(s.FD)))
	}
	return le.AppendUint64(buf, b.CapKeep)
}
