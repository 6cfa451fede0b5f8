// Package nsexec is golxc's only C: constructors that run before the Go
// runtime starts, while the process is single-threaded. The namespace
// stage (nsexec.c) creates or joins namespaces (setns into a user or mount
// namespace is impossible from a running, multithreaded Go process) and,
// when asked, runs an exec plan in C instead of starting Go at all
// (execplan.c, see Exec plans); lxc-start's prefork (prefork.c, last
// section) forks lxc-start into its own monitor; cheapstart.c makes a
// tool's runtime start with one P (see Cheap starts); hibernate.c runs an
// idle container's monitor without a Go runtime (see Hibernation);
// sandboxguard.c starts golxc's lxc-sandbox's guard (a CLONE_VM child) before the runtime
// starts (no exec of a guard on the sandbox's path) and lets the guard
// wait for the sandbox's end and, when the sandbox cleaned up itself
// ("done" on its stdin), exit without starting Go (lxc/sandbox_guard.go
// has the protocol). Six constructors in all; importing the package is enough to install them;
// internal/spawn drives the stage.
//
// # Cost when unused
//
// The stage's constructor reads one environment variable, _GOLXC_NSEXEC,
// and returns when it is absent: every normal golxc command pays one
// getenv; the hibernation constructor likewise reads _GOLXC_HIBERNATE, the
// sandbox guard's GOLXC_SANDBOX_GUARD. The prefork constructor compares argv[0]'s basename and returns
// for every tool but lxc-start; the guard's fork likewise for every tool
// but lxc-sandbox. The cheap-start constructor is not free:
// for a tool it reads two variables and calls sched_getaffinity,
// sched_getcpu and sched_setaffinity, and this package's init then walks
// /proc/self/task and restores the mask per thread; it pays for itself by
// the P and thread the runtime no longer starts (README, Performance).
// A program that imports package lxc links the constructor too; it stays
// inert there, since golxc never executes such a program as a stage.
// golxc needs the constructor, so cmd/golxc (and the test binaries that
// serve stages) refuse to build with CGO_ENABLED=0 instead of producing a
// binary that cannot start containers. A program that only uses package
// lxc may build without cgo: it is never a stage (Stage reports false).
//
// # Cheap starts
//
// The cheap-start constructor (cheapstart.c) tunes the runtime's start for the
// tools a user runs (argv[0] lxc-NAME, or golxc NAME), never for a stage,
// a helper (golxc gives those GOMAXPROCS=1), a user's GOMAXPROCS or
// another program.
// It narrows the affinity mask to the current CPU, so the runtime sizes
// itself to one P: no second P's thread and caches, and no P to destroy
// again when main sets GOMAXPROCS(1). This package's init puts the
// caller's mask back on every thread (internal/affinity) before any golxc
// code runs, so nothing the tool starts inherits the narrowed mask. The
// query tools, which start no process (lxc-info, -wait, -stop, -ls), also
// get 1 ms of timer slack: the runtime's sysmon thread sleeps 20 us at a
// time during a process's first milliseconds, and the slack turns its ~50
// wake-ups of a 10 ms run into a few. lxc-execute, lxc-attach, lxc-start
// and lxc-sandbox (its sandbox's monitor; ~100 of its ~230
// context switches per lxc-sandbox -- /bin/true were sysmon's) get it on
// the main thread only until this package's init, which puts the caller's
// back; sysmon, created in between, keeps the coarse one, and
// internal/timerslack gives every fork the caller's (the monitor's boot
// thread and sandboxguard.c's forked guard take it from there too). A
// hibernated monitor that wakes (_GOLXC_RESUME, below) is treated as
// lxc-start: its Go runtime starts again, for a stop often, and its sysmon
// would otherwise poll at the caller's slack through the whole teardown.
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
// (u64, bit N = capability N; used with option 4). Option 16 makes the
// final process run an exec plan after 'R' (see Exec plans). Each share
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
// if requested (a non-root parent does its Prepare at 'M' instead, while
// the stage still has the user's uid: a user may move only its own
// processes between v1 cgroups). Then unshare uts, ipc, net, mnt, cgroup, time, pid, one
// call each so an error names the namespace. A shared pid ns needs no
// further step: setns(CLONE_NEWPID) only moves future children, so the
// fork below puts the final process in it (not as PID 1).
//
// Join: 'P' if requested. Drop the namespaces we already share with the
// target (joining one's own user ns is EINVAL; a namespace a user may not
// even stat, its container's, counts as not shared). Then setns(pidfd, flags),
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
//
// # Exec plans (execplan.c)
//
// With option 32 (a user's new user namespace) the final process is left
// dumpable before 'R': setns(pidfd) checks ptrace access, and the user's
// monitor and lxc-user-nic must reach the container's init before it
// execs (only the user, who owns its user namespace, and host root can;
// nothing else runs in the container yet, and the exec sets it anyway).
//
// With option 16 the final process does not return into Go after 'R': it
// reads one more packet, the exec plan (execplan.h; built with Plan, sent
// with spawn.SendPlan) with up to three fds (SCM_RIGHTS) for its new
// stdin, stdout and stderr, keeps the sync socket (close-on-exec) for its
// last report and performs the plan's
// operations in order: ident (log prefix, name, log fd and level, quiet),
// stdio, remount (private mount ns, fresh /proc and /sys), personality,
// chdir (falls back to /), setctty, dropcaps (numbers and names, in the
// order given), seccomp (a compiled sock_filter array; skipped and logged
// when already filtered unless nesting is allowed), setids (groups, EPERM
// ignored unless strict; gid; uid), nodump, nonewprivs, cloexec (every fd from N up),
// exec (argv or the uid's shell from /etc/passwd, else /bin/sh; PATH from
// the plan's environment, else the default given; EACCES wins over
// ENOENT). Every decision is Go's; the C neither reads config nor chooses.
// Each step logs to the ident's log fd in internal/log's line format
// (category nsexec, file execplan.c). The last report is one JSON packet
// on the sync socket: {"Exec":true} just before execve; {"Err":MSG} for a
// step that failed before stdio (stderr is still /dev/null: the caller
// prints it); otherwise a failed step prints "PREFIX: NAME: MSG" on stderr
// unless quiet, reports {"Failed":true} and exits 1; a failed exec exits 127
// ("<strerror> - Failed to exec \"CMD\"", as LXC words it). A packet
// that is not a well-formed plan (magic, version, lengths, NUL-terminated
// strings, a final exec) ends the process with exit 1 at the first
// malformed op, before anything is exec'd. lxc-attach uses it:
// the attached process never starts a Go runtime.
//
// The container's init uses it too (initplan.c; the monitor builds the
// plan: internal/monitor/initplan.go, rootfs.Setup.Plan,
// initsetup.Final.Plan). Its ops, in the order the monitor emits them:
// mount-host (mount(2) on host paths: / made a recursive slave, the
// rootfs bound, or its overlay mounted, at its mount point), openroot
// (the directory every later "in root" path is resolved in), mount-in,
// umount-in, mkdir-in, entry (one lxc.mount.entry or fstab line, with
// LXC's create=, optional and bind-remount rules), hook (an lxc.hook.*
// command, /bin/sh -c as internal/hooks builds it, run and waited for,
// its output logged; pre-mount before the rootfs, mount after the
// lxc.mount.* steps, autodev before the nodes, start after sendttys),
// autodev (device nodes,
// else binds of the host's), chmod-host and mount-in for the console,
// devpts (a new instance, the lxc.tty.max ptys allocated on it and bound
// at /dev/ttyN, /dev/ptmx), devlinks, pivot, sendttys, ready, then
// hostname, sysctls, rlimits, dropcaps, cwd, seccomp (before setids when
// the id switch would lose the right to load it), setids, caprestrict
// (effective, permitted, inheritable within the kept set; ambient
// cleared), nonewprivs, nodump, cloexec, seccomp, initexec. A path "in
// root" is resolved from the root fd with openat2(RESOLVE_BENEATH |
// RESOLVE_NO_MAGICLINKS, and RESOLVE_NO_SYMLINKS for proc and sys
// targets); to create missing components, or when openat2 refuses
// (EXDEV, ELOOP, ...), by a walk one component at a time with
// O_PATH|O_NOFOLLOW that follows only symlinks staying inside and names
// the one that escapes. The mount then targets /proc/self/fd/N of the
// resolved fd. The init plan has no stdio op: init's streams are the
// console the spawn gave it, so every failure goes to the monitor as
// {"Err":MSG}, one line naming the step and the errno (strerror, worded
// as Go words it), which lxc-start prints as before. Mid-plan packets on
// the sync socket, for the monitor's handshake: sendttys sends
// {"TTYs":n} with n tty masters (SCM_RIGHTS, 16 per packet); ready sends
// {"Ready":true} and waits for the monitor's {"Go":true} (anything else,
// or EOF, ends the process with exit 1). initexec looks the command up
// (failure: {"Err":"executing ..."}) and execs it; success is the sync
// socket closing at that exec (it is close-on-exec). For lxc-execute,
// initexec instead stays PID 1: it blocks every signal, forks the command
// (new session, the console as controlling terminal when it is one),
// closes every fd from 3 up (the sync socket's close tells the monitor
// the command runs), and takes signals with sigwaitinfo: SIGCHLD reaps,
// SIGTERM and SIGPWR make everyone go (SIGTERM to all, SIGKILL a second
// later), the rest go to the command; it exits with the command's status
// (128+N for signal N, 255 when it could not be exec'd).
//
// # lxc-start's prefork (prefork.c)
//
// The prefork constructor, independent of the stage above, saves a daemonizing
// lxc-start one Go runtime start: lxc-start becomes the container's monitor
// itself instead of exec'ing golxc again as the monitor.
//
// It forks only when all of these hold, and otherwise returns at once
// (lxc-start then exec's its monitor as before):
//   - the binary is golxc: cmd/golxc defines golxc_prefork_main = 1 over a
//     weak 0, so a program that links package lxc never forks here;
//   - argv[0]'s basename is lxc-start, or golxc with first argument start
//     or lxc-start;
//   - the arguments surely ask for a daemon: parsed as GNU getopt_long
//     does with lxc-start's table (permutation, unique prefixes, "--"), no
//     -F/--foreground, -h, -?, --help, --usage or --version, and nothing
//     unknown, ambiguous or missing its value;
//   - neither _GOLXC_NSEXEC nor GOLXC_MONITOR is set (a stage, an exec'd
//     monitor), GOLXC_NO_PREFORK is unset or empty (the opt-out for tests
//     and debugging), the effective uid is 0 (non-root keeps the exec'd
//     monitor for now), and glibc passed argc/argv to constructors.
//
// Protocol: a pipe (O_CLOEXEC), then fork.
//
//	child   keeps the write end (TakePreforkFD), moves the argv and
//	        environment strings to the heap (PreforkTitleArea, below) and
//	        returns into the Go runtime: it is lxc-start.
//	child -> parent  one byte: lxc-start's exit code, written after it
//	        printed everything it had to print and after its fds 0-2 went to
//	        /dev/null (monitor.Exit); then the write end is closed. A
//	        second byte in the same write, SIGPIPE, says lxc-start wrote to
//	        a closed pipe: the parent raises it, so the caller sees lxc-start
//	        die of it as before (the monitor, this same process, catches it).
//	parent  never starts Go: _exit(first byte); on EOF without a byte (the child
//	        died first) it prints "lxc-start: NAME: the monitor process
//	        exited before reporting the start result" (what lxc-start prints
//	        when an exec'd monitor dies; nothing with -q) and _exit(1). It
//	        never waits for the child, which outlives it as the monitor.
//
// Signals: the parent keeps the dispositions it inherited and forwards
// nothing. SIGTERM, SIGINT or SIGHUP sent to lxc-start's pid while it
// waits kill the parent, silently, as they kill LXC 5.0.2's lxc-start
// (observed: exit 143/130/129, no message). The start is then aborted as
// LXC's monitor aborts it when its lxc-start is gone: before reporting
// RUNNING the monitor polls the verdict pipe, finds the read end closed
// (POLLERR) and fails the start like any setup error (ABORTING, init
// killed, everything torn down, the monitor exits; its log says why);
// lxc-start's own phase in the child prints nothing more (its stdio stays
// /dev/null). Any death of the parent does the same, SIGKILL included;
// the exec'd monitor does it with its status pipe.
//
// The child does not setsid here: until it is sure to become the monitor it
// stays in the caller's process group (a terminal's ^C kills both, as it
// kills lxc-start before LXC's fork); the Go side makes the session,
// /dev/null stdio and cwd / once it runs the monitor (internal/monitor,
// prefork.go), and installs the monitor's own Logger then: lxc-start ends
// through its own, so neither writes to the other's log or stderr.
//
// The process title: /proc/PID/cmdline shows the stack area the kernel
// placed argv and the environment in. Go's os.Args and environment strings
// point into that area, so it cannot be overwritten from Go; the child
// therefore copies all of those strings to one heap block and points the
// argv and envp arrays (which the Go runtime reads after the constructors)
// at the copies. The area keeps its content, so the tool's command line
// reads as before, until the monitor writes "[lxc monitor] LXCPATH NAME"
// there: no prctl(PR_SET_MM) and no CAP_SYS_RESOURCE needed.
//
// # Hibernation (hibernate.c)
//
// A Go monitor holds ~1.3 MiB of anonymous memory and 6-7 threads for
// its container's whole life; LXC's, a fork of lxc-start, ~370 KiB and
// one. So once the container is RUNNING and the monitor has answered
// nothing for 2 s (GOLXC_HIBERNATE_IDLE; GOLXC_HIBERNATE=0 turns it off),
// no client is connected, no tty or console client is attached, the
// freezer says thawed and the configuration is one the monitor can hand
// over (no phys network device, no cgroup2 device program, a daemonized
// lxc-start; internal/monitor/hibernate.go), the monitor parks its accept
// loop (cmdsock.Server.Quiesce: clients wait in the socket's backlog, so
// no request is half answered at the exec) and execs /proc/self/exe with argv ["[lxc monitor] LXCPATH
// NAME"] and _GOLXC_HIBERNATE=<fd of a memfd holding the answer table>.
// It execs from the thread that forked init (spawn.Request.CallerThread),
// since init's parent-death signal fires when that thread exits and an
// exec ends every other thread. The pid, the process title, the monitor
// cgroup, the command socket and every descriptor the monitor holds stay;
// only the listed ones lose FD_CLOEXEC, so nothing else crosses the exec.
// The constructor reads the table, closes its fd, sets the comm the Go
// monitor had, blocks SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
// into a signalfd and polls the listening socket, init's pidfd, the
// signalfd and the console master. It never returns into Go: it answers
// or it wakes the Go monitor.
//
// The table (hibernate.h, written by HibernateTable.Encode): a 64-byte
// header (magic "GXLH", version 1, total size, entry count, the listening
// socket, pidfd, console master and state fds, the uid and gid besides
// root allowed to ask, the comm, the guard count), the guards, then the
// entries. A guard is a file (fd) and the exact bytes it read when the
// table was made: the payload's freezer files. The fd is O_PATH and the
// loop reopens it through /proc/self/fd for each check: an open kernfs
// file would keep a 4 KiB seq_file buffer for the container's life. An entry is a key and a
// reply: the key is the request's cmd, datalen, pointer slot (a value only
// without payload; 0 otherwise, or 0x4843544142 for a query the loop may
// answer inside a golxc batch) and payload; the reply is ret, the pointer
// slot value, the payload and a descriptor to pass (-1: none; the init
// pidfd for GET_INIT_PIDFD). Go renders every reply by asking its own
// handler (GET_STATE, GET_INIT_PID, GET_CLONE_FLAGS, GET_NAME,
// GET_LXCPATH, GET_CONFIG_ITEM for every key the parser knows and the
// network keys, GET_CGROUP and GET_LIMIT_CGROUP per controller,
// GET_CGROUP_FD and GET_LIMIT_CGROUP_FD per controller as LXC's clients
// ask them (a zeroed struct cgroup_fd with fd -EBADF; the reply passes a
// directory fd the loop holds), GET_INIT_PIDFD, ADD_STATE_CLIENT for
// RUNNING): the C decides nothing.
//
// Per connection: accept4; a peer (SO_PEERCRED) that is neither root nor
// the server's uid and gid gets ret -EPERM and is hung up on, as the Go
// server does; a changed guard hands the connection to Go; otherwise the
// loop peeks the 16-byte header and the payload (MSG_PEEK, 2 s receive
// timeout: a silent or vanished client is dropped, as Go drops it) and
// looks the key up. Found: it reads the request for real, sends the reply
// in one sendmsg (SCM_RIGHTS for the descriptor) and closes. A golxc
// batch is answered when every query in it has a batch key, else it goes
// to Go. Anything else (STOP, FREEZE, GET_TTY_FD, SERVE_STATE_CLIENTS, a
// state listener, an unknown key ...) wakes Go with the connection still
// unread.
//
// Waking: init's pidfd readable ('e'), a connection to answer ('c'),
// SIGTERM or SIGINT ('s'; the other signals are read and ignored, as the
// Go monitor ignores them), console output or hang-up ('t') make the loop
// exec /proc/self/exe again with the same argv and
// _GOLXC_RESUME=STATEFD:REASON:CONNFD:SIGNAL. The state memfd holds the
// Go monitor as JSON (options, configuration text, init's pid and pidfd,
// the cgroups as a cgroup.Snapshot, the network as a network.Snapshot,
// the console, tty, namespace, log and cgroup directory fds);
// monitor.ResumeIfRequested rebuilds the monitor from it, adopts the
// listening socket and the unread connection, re-raises the signal, and
// supervises the container as before; it may hibernate again. If the
// exec fails the loop exits 127: init dies of its parent-death signal
// and the next start sweeps the cgroups, as after a monitor killed with
// SIGKILL. Signals stay blocked across the wake-up exec; the Go runtime
// unblocks those it handles.
package nsexec
