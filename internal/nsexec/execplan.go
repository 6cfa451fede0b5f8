package nsexec

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// An exec plan is what a process golxc puts into a container does last,
// decided in Go and carried out by the C executor (execplan.c) in the
// final process of the namespace stage, before any Go runtime starts there
// (Bootstrap.ExecPlan). The plan is a list of fixed operations run in the
// order they were added; the last one execs. Wire format: execplan.h.
const (
	planMagic   = 0x4e4c5047 // "GPLN"
	planVersion = 2
	// PlanMax is the largest plan the executor accepts, in bytes.
	PlanMax = 16 << 20
)

// Operation codes (enum golxc_op in execplan.h).
const (
	opIdent       = 1
	opStdio       = 2
	opRemount     = 3
	opPersonality = 4
	opChdir       = 5
	opSetCTTY     = 6
	opDropCaps    = 7
	opSeccomp     = 8
	opSetIDs      = 9
	opNoDump      = 10
	opNoNewPrivs  = 11
	opCloexec     = 12
	opExec        = 13
	// The container init stage's ops (initplan.c).
	opMountHost  = 14
	opOpenRoot   = 15
	opMountIn    = 16
	opUmountIn   = 17
	opMkdirIn    = 18
	opEntry      = 19
	opAutodev    = 20
	opChmodHost  = 21
	opDevpts     = 22
	opDevLinks   = 23
	opPivot      = 24
	opSendTTYs   = 25
	opReady      = 26
	opHostname   = 27
	opSysctls    = 28
	opRlimits    = 29
	opCwd        = 30
	opCapRestric = 31
	opInitExec   = 32
	opFail       = 33
	opHook       = 34
)

// opNames names the operations for logs and tests.
var opNames = [...]string{opIdent: "ident", opStdio: "stdio", opRemount: "remount", opPersonality: "personality",
	opChdir: "chdir", opSetCTTY: "setctty", opDropCaps: "dropcaps", opSeccomp: "seccomp", opSetIDs: "setids",
	opNoDump: "nodump", opNoNewPrivs: "nonewprivs", opCloexec: "cloexec", opExec: "exec",
	opMountHost: "mount-host", opOpenRoot: "openroot", opMountIn: "mount-in", opUmountIn: "umount-in",
	opMkdirIn: "mkdir-in", opEntry: "entry", opAutodev: "autodev", opChmodHost: "chmod-host", opDevpts: "devpts",
	opDevLinks: "devlinks", opPivot: "pivot", opSendTTYs: "sendttys", opReady: "ready", opHostname: "hostname",
	opSysctls: "sysctls", opRlimits: "rlimits", opCwd: "cwd", opCapRestric: "caprestrict", opInitExec: "initexec",
	opFail: "fail", opHook: "hook"}

// Plan accumulates operations; Bytes gives the packet to send with the
// process's new stdin, stdout and stderr (spawn.SendPlan).
type Plan struct {
	ops   [][]byte
	steps []string
	notes []string
}

// Steps names the operations in order ("stdio", "setids", ..., "exec").
func (p *Plan) Steps() []string { return append([]string(nil), p.steps...) }

// Describe lists the operations in order with their main arguments
// ("mount-in proc proc", ...), for logs and tests.
func (p *Plan) Describe() []string { return append([]string(nil), p.notes...) }

// note sets the description of the operation added last.
func (p *Plan) note(format string, args ...any) {
	p.notes[len(p.notes)-1] = p.steps[len(p.steps)-1] + " " + fmt.Sprintf(format, args...)
}

// op appends an operation with its payload fields.
func (p *Plan) op(code uint32, fields ...any) {
	le := binary.NativeEndian
	var b []byte
	for _, f := range fields {
		switch v := f.(type) {
		case uint64:
			b = le.AppendUint64(b, v)
		case int:
			b = le.AppendUint64(b, uint64(int64(v)))
		case bool:
			n := uint64(0)
			if v {
				n = 1
			}
			b = le.AppendUint64(b, n)
		case string:
			b = appendStr(b, v)
		case []string:
			b = le.AppendUint32(b, uint32(len(v)))
			for _, s := range v {
				b = appendStr(b, s)
			}
		case []byte:
			b = le.AppendUint32(b, uint32(len(v)))
			b = append(b, v...)
		default:
			panic("nsexec: plan field of unsupported type")
		}
	}
	hdr := le.AppendUint32(nil, code)
	hdr = le.AppendUint32(hdr, uint32(len(b)))
	p.ops = append(p.ops, append(hdr, b...))
	p.steps = append(p.steps, opNames[code])
	p.notes = append(p.notes, opNames[code])
}

// appendStr writes a string with its NUL; a NUL inside would cut it
// short in C, so it is cut here too, visibly the same on both sides.
func appendStr(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			s = s[:i]
			break
		}
	}
	b = binary.NativeEndian.AppendUint32(b, uint32(len(s)+1))
	b = append(b, s...)
	return append(b, 0)
}

// Ident names the process in log and error lines ("PREFIX: NAME: msg"),
// silences the error lines when quiet, and gives the log file (an fd the
// process inherits, -1 for none) and its level.
func (p *Plan) Ident(prefix, name string, quiet bool, logFD, level int) {
	p.op(opIdent, prefix, name, quiet, logFD, level)
}

// Stdio makes the three files sent with the plan fds 0, 1 and 2.
func (p *Plan) Stdio() { p.op(opStdio) }

// RemountProcSys enters a private mount namespace with fresh /proc and
// /sys (lxc-attach -R).
func (p *Plan) RemountProcSys() { p.op(opRemount) }

// Personality sets the execution domain (personality(2)).
func (p *Plan) Personality(persona int) { p.op(opPersonality, persona) }

// Chdir enters dir, or / if that fails (as LXC, which only warns).
func (p *Plan) Chdir(dir string) { p.op(opChdir, dir) }

// SetCTTY makes the terminal on fd the controlling terminal.
func (p *Plan) SetCTTY(fd int) { p.op(opSetCTTY, fd) }

// Cap is a capability to drop, with its name for the log.
type Cap struct {
	Num  int
	Name string
}

// DropBounding removes caps from the bounding set, in the given order.
func (p *Plan) DropBounding(caps []Cap) {
	f := []any{uint64(len(caps))}
	for _, c := range caps {
		f = append(f, c.Num, c.Name)
	}
	p.op(opDropCaps, f...)
}

// Seccomp loads a compiled filter (skipped, and logged, if the process is
// already under seccomp and nesting is not allowed). source names the
// policy in messages.
func (p *Plan) Seccomp(allowNesting bool, source string, prog []unix.SockFilter) {
	var raw []byte
	if len(prog) > 0 {
		raw = unsafe.Slice((*byte)(unsafe.Pointer(&prog[0])), len(prog)*int(unsafe.Sizeof(prog[0])))
	}
	p.op(opSeccomp, allowNesting, source, append([]byte(nil), raw...))
}

// SetIDs sets the supplementary groups (EPERM, as when setgroups is denied
// in the user namespace, keeps them), then gid, then uid.
func (p *Plan) SetIDs(uid, gid int, groups []int) { p.setIDs(uid, gid, groups, false) }

// SetIDsStrict is SetIDs where EPERM from setgroups fails the plan (the
// init's lxc.init.groups were asked for explicitly).
func (p *Plan) SetIDsStrict(uid, gid int, groups []int) { p.setIDs(uid, gid, groups, true) }

func (p *Plan) setIDs(uid, gid int, groups []int, strict bool) {
	f := []any{uid, gid, uint64(len(groups))}
	for _, g := range groups {
		f = append(f, g)
	}
	p.op(opSetIDs, append(f, strict)...)
}

// NoDump makes the process non-dumpable (credential changes reset it).
func (p *Plan) NoDump() { p.op(opNoDump) }

// NoNewPrivs sets no_new_privs.
func (p *Plan) NoNewPrivs() { p.op(opNoNewPrivs) }

// CloseOnExecFrom marks every fd from low up close-on-exec.
func (p *Plan) CloseOnExecFrom(low int) { p.op(opCloexec, low) }

// Exec runs argv (empty: uid's login shell from the container's
// /etc/passwd, else /bin/sh) with env, searching the PATH of env, or
// defaultPath, for a name without a slash. A failure exits 127.
func (p *Plan) Exec(argv, env []string, uid int, defaultPath string) {
	p.op(opExec, argv, env, uid, defaultPath)
}

// Bytes is the plan's packet.
func (p *Plan) Bytes() []byte {
	le := binary.NativeEndian
	b := le.AppendUint32(nil, planMagic)
	b = le.AppendUint32(b, planVersion)
	b = le.AppendUint32(b, uint32(len(p.ops)))
	for _, op := range p.ops {
		b = append(b, op...)
	}
	return b
}
