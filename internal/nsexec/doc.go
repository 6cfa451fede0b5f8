// Package nsexec is golxc's only C: a constructor that runs before the Go
// runtime starts, while the process is single-threaded, and creates or
// joins namespaces (setns into a user or mount namespace is impossible
// from a running, multithreaded Go process). Importing the package is
// enough to install it; internal/spawn drives it.
//
// # Cost when unused
//
// The constructor reads one environment variable, _GOLXC_NSEXEC, and
// returns when it is absent: every normal golxc command pays one getenv.
// A program that imports package lxc links the constructor too; it stays
// inert there, since golxc never executes such a program as a stage.
// golxc needs the constructor, so cmd/golxc (and the test binaries that
// serve stages) refuse to build with CGO_ENABLED=0 instead of producing a
// binary that cannot start containers. A program that only uses package
// lxc may build without cgo: it is never a stage (Stage reports false).
//
// # Cheap starts
//
// A second constructor (cheapstart.c) tunes the runtime's start for the
// tools a user runs (argv[0] lxc-NAME, or golxc NAME), never for a stage,
// a helper (golxc gives those GOMAXPROCS=1), a user's GOMAXPROCS or
// another program.
// It narrows the affinity mask to the current CPU, so the runtime sizes
// itself to one P: no second P's thread and caches, and no P to destroy
// again when main sets GOMAXPROCS(1). This package's init puts the
// caller's mask back on every thread (RestoreAffinity) before any golxc
// code runs, so nothing the tool starts inherits the narrowed mask. The
// query tools, which start no process (lxc-info, -wait, -stop, -ls), also
// get 1 ms of timer slack: the runtime's sysmon thread sleeps 20 us at a
// time during a process's first milliseconds, and the slack turns its ~50
// wake-ups of a 10 ms run into a few.
//
// # Activation
//
// The parent (spawn.Start) makes a SOCK_SEQPACKET socketpair, writes the
// bootstrap message into its end, and execs the golxc binary (itself in
// golxc; the installed golxc in any other program using package lxc, see
// internal/selfexe) through a read-only view (spawn.ProtectedExe: a
// private overlay, or a sealed memfd copy) with the other end inherited
// as fd N and the environment
//
//	_GOLXC_NSEXEC=N      the sync socket; arms the constructor
//	_GOLXC_STAGE=<name>  the Go stage to run afterwards
//
// # Bootstrap message (parent to stage, first packet)
//
// One fixed 120-byte struct golxc_bootstrap (nsexec.h) in native byte
// order, encoded by Bootstrap.Encode. Its first word is its own length,
// followed by magic "GLXC", version (3), mode (1 create, 2 join), the
// CLONE_NEW* flags (u64), options (1 setsid, 2 prepare, 4 narrow the
// capability sets to capkeep, 8 no_new_privs), the join target pid, its
// pidfd and the protected-exe fd as numbered in the stage (-1 if none),
// the parent-death signal, the share list: a count and 8 slots of
// (CLONE_NEW* type u32, fd i32), unused slots (0, -1), and last capkeep
// (u64, bit N = capability N; used with option 4). Each share
// fd is an inherited open /proc/PID/ns/<name> (or a bind mount of one)
// that Create joins instead of unsharing that type. Id maps are not in
// the message: the parent writes them (directly as root; newuidmap later).
// The stage rejects a packet of the wrong size, magic or version, and a
// share list with an unknown, repeated or also-unshared type, or any
// share in Join mode.
//
// # Messages during the C stage
//
// Every message is one packet whose first byte is its tag.
//
//	stage -> parent  'M'         user ns unshared: write /proc/<pid>/{uid,gid}_map of the stage
//	parent -> stage  'm'         maps written
//	stage -> parent  'P'         about to unshare/setns: do host-side setup on <pid> (cgroups)
//	parent -> stage  'p'         done
//	stage -> parent  'D<pid>'    the final process's pid, in the parent's pid namespace
//	final -> parent  'R'         final process ready; the Go runtime starts next
//	any   -> parent  'E<errno> <step>'  failure; the sender exits 1
//
// <pid> in 'M' and 'P' is the exec'd child, which the parent already knows.
// If the parent fails it does not answer: it kills and reaps the stage.
// The parent may also give up while waiting for a message (spawn's
// Request.Abort: its caller got SIGTERM, say, and Prepare had put the
// stage into a frozen cgroup). On any failure it shuts down its writing
// side, so a stage waiting for 'm' or 'p' reads EOF and fails, lets the
// caller move the intermediate out of a frozen cgroup (Request.Release),
// waits up to 5 s for it to end by itself (SIGKILL after that), reaps it,
// then reads the packets already queued for a 'D<pid>' and kills and
// reaps that final process too. The intermediate is not killed at once:
// killed between its fork and its 'D', it would leave a final process
// (our child, by CLONE_PARENT) that the parent cannot name.
// After 'R' the socket belongs to the Go stage protocol (JSON packets, see
// spawn.Send/Recv).
//
// # Steps
//
// Both modes start by closing the protected-exe fd and setting
// PR_SET_DUMPABLE 0 (re-set after every credential change, which resets
// it), so the container cannot ptrace a process holding host state.
//
// Create: first the shared namespaces (lxc.namespace.share.*). A shared
// user ns is joined first, then the process becomes root in it as below,
// so the other shares and the new namespaces get its privileges; sharing
// the user ns we are already in is skipped (setns would be EINVAL). Then
// the other shared ones (fails as "setns(shared <name> namespace)"),
// still before any new user ns: once inside one we could no longer join a
// namespace owned by the host's. Each share fd is closed after use. Then
// unshare(CLONE_NEWUSER) if requested, then 'M' (dumpable is briefly 1 so
// a setuid newuidmap could open the map files), wait for 'm',
// setresgid(0), setgroups(0) (skipped if denied), setresuid(0). Then 'P'
// if requested. Then unshare uts, ipc, net, mnt, cgroup, time, pid, one
// call each so an error names the namespace. A shared pid ns needs no
// further step: setns(CLONE_NEWPID) only moves future children, so the
// fork below puts the final process in it (not as PID 1).
//
// Join: 'P' if requested. Drop the namespaces we already share with the
// target (joining one's own user ns is EINVAL). Then setns(pidfd, flags),
// which enters all of them atomically (Linux 5.8+). Without a pidfd, or on
// EINVAL from an older kernel, open /proc/<pid>/ns/* first, prove with
// pidfd_send_signal(pidfd, 0) that the pid was not recycled, and setns in
// runc/LXC order: the non-user namespaces that work, then user, then retry
// the rest. After entering a user ns become root in it as above.
//
// Both then fork with CLONE_PARENT, so the final process is a direct child
// of the Go parent (which waits for it and holds its pidfd; no subreaper),
// and, for a new or joined pid ns, is inside it: PID 1 when created. The
// intermediate sends 'D<pid>', releases the final process through a pipe
// (so 'D' always precedes anything the final process sends) and exits 0.
// The final process sets PR_SET_PDEATHSIG and setsid if asked, marks the
// sync fd close-on-exec, sends 'R' and returns into the Go runtime. Go's
// main calls spawn.RunStageIfRequested, which uses Stage to find the sync
// fd and the stage name, unsets both variables and runs the stage.
//
// Limits: no time-ns offsets, oom_score_adj or log fd yet; the raw clone
// leaves glibc's cached tid stale in the final process, as runc's clone
// does, which Go does not rely on.
package nsexec
