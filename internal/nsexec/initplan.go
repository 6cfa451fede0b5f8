package nsexec

// The container init stage's operations (initplan.c; wire format in
// execplan.h). The monitor builds them (internal/rootfs, internal/initsetup)
// so that the container's init runs no Go runtime: every path, flag and
// message prefix is decided here, the C only performs the steps.

// Where a MountIn source is found.
const (
	SrcAsIs         = 0 // used as given (a host path, a device name, "proc")
	SrcInRoot       = 1 // resolved inside the root
	SrcInRootStrict = 2 // resolved inside the root, no symlink allowed
)

// What a path inside the root gets created as when missing
// (config.MountCreate's values).
const (
	CreateNone = 0
	CreateDir  = 1 // mkdir -p
	CreateFile = 2 // parents as directories, then an empty file
)

// MountHost calls mount(2) on host paths (before the pivot); err prefixes
// the error line, msg ("" for a generic one) is the log line.
func (p *Plan) MountHost(err, msg, src, dst, fstype string, flags uintptr, data string) {
	p.op(opMountHost, err, msg, src, dst, fstype, uint64(flags), data)
	p.note("%q %q %q %#x %q", src, dst, fstype, flags, data)
}

// OpenRoot opens the directory every "in root" path is resolved in.
func (p *Plan) OpenRoot(path, err string) {
	p.op(opOpenRoot, path, err)
	p.note("%q", path)
}

// In is a mount whose target (and maybe source) lies inside the root.
type In struct {
	SrcErr, DstErr, MountErr string // prefixes of the error lines
	SrcMode                  int
	Src, Dst                 string
	Create                   int
	NoSymlinks               bool
	FSType                   string
	Flags                    uintptr
	Data                     string
	SkipMissing              bool   // a missing source or target is logged and skipped
	Log                      string // the DEBUG line on success ("": a generic one)
}

// MountIn mounts m.
func (p *Plan) MountIn(m In) {
	p.op(opMountIn, m.SrcErr, m.SrcMode, m.Src, m.DstErr, m.Dst, m.Create, m.NoSymlinks, m.FSType,
		uint64(m.Flags), m.Data, m.MountErr, m.SkipMissing, m.Log)
	p.note("%q %q %q %#x %q create=%d nosym=%t skip=%t", m.Src, m.Dst, m.FSType, m.Flags, m.Data, m.Create,
		m.NoSymlinks, m.SkipMissing)
}

// UmountIn detaches the mount on path; err "" ignores failures.
func (p *Plan) UmountIn(path string, noSymlinks bool, err string) {
	p.op(opUmountIn, path, noSymlinks, err)
	p.note("%q", path)
}

// MkdirIn creates path (mkdir -p) inside the root.
func (p *Plan) MkdirIn(path string, noSymlinks bool, err string) {
	p.op(opMkdirIn, path, noSymlinks, err)
	p.note("%q", path)
}

// Entry is one lxc.mount.entry (or fstab line) as the C mounts it.
type Entry struct {
	Label, Source, Target string // for messages
	Rel                   string // the target inside the root
	Relative              bool   // Source lies inside the root
	CheckSource           bool   // a host bind source: a missing one is "does not exist"
	FSType                string
	Flags                 uintptr
	Data                  string
	Create                int
	Optional              bool
	NoSymlinks            bool
	Remount               bool    // a second, remounting call applies the per-mount flags
	ClearFlags            uintptr // flags the remount must not inherit from the source mount
	Propagation           uintptr
}

// MountEntry mounts e.
func (p *Plan) MountEntry(e Entry) {
	p.op(opEntry, e.Label, e.Source, e.Target, e.Rel, e.Relative, e.CheckSource, e.FSType, uint64(e.Flags), e.Data,
		e.Create, e.Optional, e.NoSymlinks, e.Remount, uint64(e.ClearFlags), uint64(e.Propagation))
	p.note("%q %q %q %#x %q remount=%t", e.Source, e.Rel, e.FSType, e.Flags, e.Data, e.Remount)
}

// Node is a device node of an autodev /dev.
type Node struct {
	Name         string
	Major, Minor uint32
}

// Autodev creates nodes in /dev (bind-mounting the host's where mknod is
// denied or the nodes are unusable).
func (p *Plan) Autodev(nodes []Node) {
	f := []any{uint64(len(nodes))}
	for _, n := range nodes {
		f = append(f, n.Name, uint64(n.Major), uint64(n.Minor))
	}
	p.op(opAutodev, f...)
	p.note("%d nodes", len(nodes))
}

// ChmodHost changes a host path's mode (the console's pty).
func (p *Plan) ChmodHost(path string, mode uint32, err string) {
	p.op(opChmodHost, path, uint64(mode), err)
	p.note("%q %#o", path, mode)
}

// Devpts mounts a new devpts on /dev/pts (max ptys), allocates ttys on it
// (bound at /dev/ttyN or /dev/DIR/ttyN when bind), and makes /dev/ptmx
// its ptmx (keep) or hides the mount again.
func (p *Plan) Devpts(max, ttys int, ttyDir string, bind, keep bool) {
	p.op(opDevpts, max, ttys, ttyDir, bind, keep)
	p.note("max=%d ttys=%d dir=%q bind=%t keep=%t", max, ttys, ttyDir, bind, keep)
}

// DevLinks adds /dev/fd, stdin, stdout and stderr where missing.
func (p *Plan) DevLinks() { p.op(opDevLinks) }

// Pivot makes the root "/" (pivot_root) and detaches the host's.
func (p *Plan) Pivot(name string) {
	p.op(opPivot, name)
	p.note("%q", name)
}

// SendTTYs passes the tty masters to the monitor ({"TTYs":n} + fds).
func (p *Plan) SendTTYs() { p.op(opSendTTYs) }

// Ready tells the monitor the setup is done and waits for {"Go":true}.
func (p *Plan) Ready() { p.op(opReady) }

// Hostname sets the host name (a new UTS namespace).
func (p *Plan) Hostname(name string) {
	p.op(opHostname, name)
	p.note("%q", name)
}

// Sysctl is one lxc.sysctl write.
type Sysctl struct{ Key, Path, Value string }

// Sysctls writes each value to its /proc/sys path (procfs only).
func (p *Plan) Sysctls(list []Sysctl) {
	f := []any{uint64(len(list))}
	for _, s := range list {
		f = append(f, s.Key, s.Path, s.Value)
	}
	p.op(opSysctls, f...)
	p.note("%d", len(list))
}

// Rlimit is one lxc.prlimit setting.
type Rlimit struct {
	Name       string
	Resource   int
	Soft, Hard uint64
}

// Rlimits sets each limit.
func (p *Plan) Rlimits(list []Rlimit) {
	f := []any{uint64(len(list))}
	for _, r := range list {
		f = append(f, r.Name, r.Resource, r.Soft, r.Hard)
	}
	p.op(opRlimits, f...)
	p.note("%d", len(list))
}

// Cwd enters dir; failing is an error (lxc.init.cwd).
func (p *Plan) Cwd(dir string) {
	p.op(opCwd, dir)
	p.note("%q", dir)
}

// RestrictCaps limits the effective, permitted and inheritable sets to
// kept and clears the ambient set.
func (p *Plan) RestrictCaps(kept uint64) {
	p.op(opCapRestric, kept)
	p.note("%#x", kept)
}

// InitExec execs argv as the container's init (searched in env's PATH, or
// defaultPath); a failure is reported to the monitor. With supervise the
// process instead stays PID 1 (lxc-execute's init): it forks argv,
// forwards signals, reaps, and exits with argv's status.
func (p *Plan) InitExec(argv, env []string, defaultPath string, supervise bool) {
	p.op(opInitExec, argv, env, defaultPath, supervise)
	p.note("%q supervise=%t", argv, supervise)
}

// Fail ends the plan with msg as its error line.
func (p *Plan) Fail(msg string) {
	p.op(opFail, msg)
	p.note("%q", msg)
}

// Hook runs one lxc.hook.* command inside the container's namespaces
// (argv and env as internal/hooks builds them), logs its output and
// fails the plan, errPrefix first, when it does not exit 0.
func (p *Plan) Hook(typ, value, errPrefix string, argv, env []string, dir string) {
	p.op(opHook, typ, value, errPrefix, argv, env, dir)
	p.note("%s %q", typ, value)
}
