// Package seccomp reads LXC's seccomp policy files (lxc.seccomp.profile,
// format versions 1 and 2) and turns them into classic BPF programs that
// the kernel runs on every system call of the container's processes.
//
// # Why a pure-Go BPF builder
//
// LXC hands its policy to libseccomp. golxc does not: the project allows
// cgo only in the namespace stage (internal/nsexec), and libseccomp-golang
// would put cgo and a shared library into every binary that starts or
// attaches to a container. The filters LXC policies need are small (a
// dispatch on architecture and syscall number, then optional 64-bit
// argument comparisons), so this package assembles struct sock_filter
// instructions itself (bpf.go) instead of pulling in golang.org/x/net/bpf,
// whose assembler would save little and still need our own label
// resolution for jumps longer than 255 instructions. The generated program
// is checked by an interpreter in the tests against a direct evaluation of
// the policy (also under go test -fuzz).
//
// # What the filter covers on x86_64
//
// A process can enter the kernel through three syscall tables: the native
// x86_64 one, the i386 compat one (int 0x80, sysenter, 32-bit code) and
// x32 (x86_64 numbers with bit 30 set). Like LXC with libseccomp, every
// rule is resolved by name in each of the three tables and the program
// checks the audit architecture first, so a denylist cannot be bypassed
// through int 0x80 or x32; any other architecture is killed. On i386 the
// socket and SysV IPC calls are also reachable through the socketcall(2)
// and ipc(2) multiplexers; an unconditional rule on, say, "socket" also
// matches socketcall(SYS_SOCKET, ...), as libseccomp does.
//
// The syscall tables (zsyscalls.go) are generated from the kernel's uapi
// headers by mksyscalls.go (go generate).
//
// # LXC semantics kept
//
//   - Line 1 is the version (1 or 2). Version 1: line 2 must contain
//     "allowlist"; each further line is a native syscall number that is
//     allowed; everything else, and every non-native ABI, is killed.
//   - Version 2: line 2 starts with allowlist/denylist (legacy
//     whitelist/blacklist), optionally followed by the default action.
//     Denylists allow by default and their rules default to kill;
//     allowlists kill by default and their rules default to allow.
//   - Rules are "name [action] [[index,value,op(,mask)]...]" with actions
//     kill, allow, trap, errno N and notify; "reject_force_umount" makes
//     umount2(…, MNT_FORCE) fail with EACCES.
//   - Architecture sections ([all], [x86], [x32], [x86_64] and upper-case
//     forms) do not restrict a rule to one ABI: LXC 5 adds each rule to
//     all of the host's ABIs by name and only skips sections of foreign
//     architectures ([arm], [ppc64], ...). An unknown section is an error.
//   - Names unknown on x86 are skipped (LXC logs and skips them too).
//   - A rule whose action equals the default action is refused, as
//     libseccomp refuses it (LXC then fails to start the container).
//   - kill is SECCOMP_RET_KILL_THREAD (libseccomp's SCMP_ACT_KILL).
//   - notify is parsed but Load refuses it: golxc has no seccomp notify
//     proxy (lxc.seccomp.notify.proxy) yet.
//   - No policy is applied unless lxc.seccomp.profile is set, and a task
//     that is already under seccomp gets no new filter unless
//     lxc.seccomp.allow_nesting = 1 (LXC's rule for nested containers).
//
// Where golxc is stricter than LXC's line scanner: more than six argument
// filters, the same argument compared twice in one rule, errno values
// above 4095 and unparsable numbers are errors naming the file and line.
//
// Compiled programs are cached in memory by the SHA-256 of the policy
// text; compiling is cheap, the cache mostly spares re-reading and
// re-validating a profile shared by many containers in one process.
package seccomp
