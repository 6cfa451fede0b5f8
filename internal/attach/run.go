package attach

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/namespace"
	"github.com/golxc/golxc/internal/selfexe"
	"github.com/golxc/golxc/internal/spawn"
	"github.com/golxc/golxc/internal/terminal"
	"golang.org/x/sys/unix"
)

// Error is an attach failure before the command ran, with LXC's wording
// ("Failed to get init pid") in Step.
type Error struct {
	Step string
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Step
	}
	return fmt.Sprintf("%s: %v", e.Step, e.Err)
}
func (e *Error) Unwrap() error { return e.Err }

// ErrStopped: the container stopped while the attach was starting.
var ErrStopped = errors.New("the container stopped during the attach: container is not running")

// ErrNotRunning: nothing serves the container's command socket.
var ErrNotRunning = cmdsock.ErrNotRunning

// Process is a running attached process.
type Process struct {
	Pid   int
	proc  *spawn.Process
	proxy *terminal.Proxy
	done  chan struct{} // closed when the proxy is finished
	undo  []func()
	// sync carries the stage's report (see stageReport) and initPidfd
	// tells whether the container was stopping; nil and -1 when the
	// caller judges the status itself (Start).
	sync      *os.File
	initPid   int
	initPidfd int
	// cgroups is the host's cgroup layout, read at most once per attach:
	// entering the container's cgroups, evicting a helper and the freeze
	// checks every 100 ms after a terminating signal all use it.
	cgroups layoutOnce
}

// layoutOnce detects the cgroup layout on first use and keeps it (the
// mounts and our own cgroups do not change during an attach).
type layoutOnce struct {
	once sync.Once
	l    *cgroup.Layout
	err  error
}

func (o *layoutOnce) get() (*cgroup.Layout, error) {
	o.once.Do(func() { o.l, o.err = cgroup.Detect() })
	return o.l, o.err
}

// primeCgroupLock starts the grace period of the helper's first v1 cgroup
// move in the background (nothing on a pure cgroup2 host) and returns the
// layout it detected (nil on failure). It is not waited for: it moves
// this process into the cgroups it is in, and the helper's moves queue
// behind it in the kernel.
func primeCgroupLock() *cgroup.Layout {
	l, err := cgroup.Detect()
	if err != nil {
		return nil
	}
	cgroup.StartGracePeriod(l) // nothing without a v1 hierarchy
	return l
}

// Run attaches, waits for the command and returns its exit code the way
// a shell reports it (128+N for death by signal N). Signals sent to the
// caller (INT, TERM, HUP, QUIT, USR1, USR2) are forwarded; they are
// caught from the start, so a terminating one during the setup (say, the
// container is frozen and the helper cannot get in) aborts the attach
// and leaves no process behind.
func Run(o Options) (int, error) {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	if !o.ExitsAfterRun {
		defer signal.Stop(sigs)
	}
	p, early, err := startObeying(o, sigs)
	if err != nil {
		var intr *Interrupted
		if errors.As(err, &intr) {
			return 128 + int(intr.Sig), err
		}
		return -1, err
	}
	stopFwd := make(chan struct{})
	gaveUp := make(chan syscall.Signal, 1)
	go p.forward(sigs, early, stopFwd, gaveUp)
	type waited struct {
		ws  syscall.WaitStatus
		err error
	}
	done := make(chan waited, 1)
	go func() { ws, err := p.Wait(); done <- waited{ws, err} }()
	var w waited
	select {
	case w = <-done:
	case sig := <-gaveUp:
		return 128 + int(sig), &Interrupted{Sig: sig}
	}
	close(stopFwd)
	if w.err != nil {
		return -1, w.err
	}
	return ExitCode(w.ws), nil
}

// startObeying runs Start while watching sigs: the first terminating
// signal aborts the setup. Before the helper exists nothing needs undoing
// and the attach ends at once, whatever step (a busy monitor, say) it is
// blocked in; after, Start kills the helper and returns. Signals that came
// in while Start was finishing anyway are returned to be forwarded.
func startObeying(o Options, sigs <-chan os.Signal) (*Process, []syscall.Signal, error) {
	g := &gate{abort: make(chan struct{})}
	type started struct {
		p   *Process
		err error
	}
	res := make(chan started, 1)
	go func() { p, err := start(o, g); res <- started{p, err} }()
	var early []syscall.Signal
	var term syscall.Signal
	for {
		select {
		case s := <-sigs:
			sig := s.(syscall.Signal)
			early = append(early, sig)
			if terminating(sig) && term == 0 {
				log.Debugf("received %s while attaching: aborting the attach", unix.SignalName(sig))
				term = sig
				if !g.close() {
					return nil, nil, &Interrupted{Sig: term, During: "while attaching"}
				}
			}
		case r := <-res:
			if r.err != nil && term != 0 {
				return nil, nil, &Interrupted{Sig: term, During: "while attaching"}
			}
			return r.p, early, r.err
		}
	}
}

// gate orders the abort of an attach against the start of its helper.
type gate struct {
	mu      sync.Mutex
	abort   chan struct{}
	aborted bool
	helper  bool
}

// close aborts; it reports whether a helper was started (and must be
// waited for while spawn ends it).
func (g *gate) close() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.aborted {
		g.aborted = true
		close(g.abort)
	}
	return g.helper
}

// enter is called just before the helper starts: false once aborted.
func (g *gate) enter() bool {
	if g == nil {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.helper = !g.aborted
	return g.helper
}

func (g *gate) done() <-chan struct{} {
	if g == nil {
		return nil
	}
	return g.abort
}

// forward passes signals on to the attached process until stop is
// closed; after a terminating one it gives up on a frozen process.
func (p *Process) forward(sigs <-chan os.Signal, early []syscall.Signal, stop <-chan struct{}, gaveUp chan<- syscall.Signal) {
	var tick <-chan time.Time
	var term syscall.Signal
	var ticker *time.Ticker
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()
	send := func(sig syscall.Signal) {
		_ = p.proc.Signal(sig)
		if terminating(sig) && tick == nil {
			term = sig
			ticker = time.NewTicker(100 * time.Millisecond)
			tick = ticker.C
		}
	}
	for _, sig := range early {
		send(sig)
	}
	for {
		select {
		case s := <-sigs:
			send(s.(syscall.Signal))
		case <-tick:
			// A frozen process cannot act on the signal: do not
			// wait for a thaw that may never come.
			if p.abandonIfFrozen() {
				gaveUp <- term
				return
			}
		case <-stop:
			return
		}
	}
}

// Interrupted: the client was told to stop (SIGTERM, SIGINT...) while the
// attached process was frozen; it was killed and moved out of the frozen
// cgroup so that it dies and lets go of the caller's descriptors.
type Interrupted struct {
	Sig    syscall.Signal
	During string // "" means while the container was frozen
}

func (e *Interrupted) Error() string {
	during := e.During
	if during == "" {
		during = "while the container was frozen"
	}
	return fmt.Sprintf("interrupted by %s %s", unix.SignalName(e.Sig), during)
}

func terminating(sig syscall.Signal) bool {
	return sig == syscall.SIGTERM || sig == syscall.SIGINT || sig == syscall.SIGHUP || sig == syscall.SIGQUIT
}

// abandonIfFrozen SIGKILLs the attached process when its cgroup is
// frozen and evicts it into our own cgroup, which thaws it: it dies at
// once instead of holding the caller's stdout and stderr until someone
// thaws the container.
func (p *Process) abandonIfFrozen() bool {
	l, err := p.cgroups.get()
	if err != nil {
		return false
	}
	st, ok := cgroup.PidFreezeState(l, p.Pid)
	if !ok || st == cgroup.Thawed {
		return false
	}
	log.Debugf("Attached process %d is %v: killing it and moving it out of the frozen cgroup", p.Pid, st)
	_ = p.proc.Signal(syscall.SIGKILL)
	if err := cgroup.Evict(l, p.Pid); err != nil {
		log.Debugf("Failed to move attached process %d out of the frozen cgroup: %v", p.Pid, err)
	}
	return true
}

// evictHelper moves a helper we are ending out of the container's
// cgroups: in a frozen v1 freezer it would otherwise never die.
func (p *Process) evictHelper(pid int) {
	l, err := p.cgroups.get()
	if err != nil {
		return
	}
	if err := cgroup.Evict(l, pid); err != nil {
		log.Debugf("%v", err)
	}
}

// ExitCode is a wait status as a shell reports it.
func ExitCode(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// Start attaches and returns once the command is starting; call Wait,
// whose status is the process's as it is (no judging whether the command
// ran).
func Start(o Options) (*Process, error) {
	p, err := start(o, nil)
	if err != nil {
		return nil, err
	}
	p.untrack()
	return p, nil
}

// start is Start that gives up, leaving nothing behind, once abort is
// closed while the helper is still getting into the container.
func start(o Options, g *gate) (*Process, error) {
	// Like LXC's attach, keep what we hold of the host out of reach of
	// ptrace from inside the container. Only in golxc's own process:
	// another program using package lxc would stay undumpable for its
	// whole life (no core dumps, its /proc files owned by root); the
	// stage that enters the container makes itself undumpable anyway.
	if selfexe.IsMain() {
		_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	}
	fill(&o)
	client, err := cmdsock.Dial(o.LXCPath, o.Name)
	if err != nil {
		return nil, &Error{Step: "Failed to get init pid", Err: err}
	}
	initPid, err := client.InitPID()
	if err != nil {
		return nil, &Error{Step: "Failed to get init pid", Err: err}
	}
	var layout *cgroup.Layout
	if o.Elevated&KeepCgroup == 0 {
		// The helper's moves into the container's v1 cgroups wait
		// for an RCU grace period (cgroup.StartGracePeriod): start it
		// now, while the attach gets ready.
		layout = primeCgroupLock()
	}
	pidfd, err := unix.PidfdOpen(initPid, 0)
	if err != nil {
		return nil, &Error{Step: "Failed to get init pid", Err: err}
	}
	p := &Process{done: make(chan struct{}), initPid: initPid, initPidfd: pidfd}
	if layout != nil {
		p.cgroups.once.Do(func() { p.cgroups.l = layout })
	}
	log.Tracef("Container init is pid %d", initPid)

	ok := false
	defer func() {
		if !ok {
			p.cleanup()
		}
	}()
	spec, err := makeSpec(&o)
	if err != nil {
		return nil, &Error{Step: "Failed to get attach context", Err: err}
	}

	req := spawn.Request{
		Mode: spawn.Join, JoinPID: initPid, JoinFlags: uintptr(o.Namespaces),
		Stage: stageName, ExecPlan: true, Env: []string{}, CgroupFD: -1,
		// The helper gets /dev/null until it is inside and running; the
		// caller's streams follow with the spec. A helper frozen on its
		// way in (or killed there) must never pin the caller's stdout.
		Abort: g.done(), Release: p.evictHelper,
	}
	if log.Enabled(log.TRACE) {
		logNamespaces(initPid, o.Namespaces)
	}
	stdio := []*os.File{o.Stdin, o.Stdout, o.Stderr}
	if o.Elevated&KeepCgroup == 0 {
		cg, err := p.containerCgroups(o.Name)
		if err != nil {
			return nil, &Error{Step: "Failed to get attach context", Err: err}
		}
		req.Prepare = cg.Enter
	} else {
		log.Debugf("Staying in the caller's cgroups (elevated privileges)")
	}
	if lf, lvl := log.File(); lf != nil {
		// The stage's fd 3: it logs its steps until its exec closes it.
		defer lf.Close()
		req.ExtraFiles = []*os.File{lf}
		spec.LogFD, spec.LogLevel = true, int(lvl)
	}
	spec.CTTY = -1
	var slave *os.File
	if ttys := ttyStreams(&o); ttys != nil {
		ptx, pts, err := ContainerPTY(client, initPid, pidfd)
		if err != nil {
			return nil, &Error{Step: "Failed to create terminal", Err: err}
		}
		slave = pts
		p.undo = append(p.undo, func() { ptx.Close() })
		for i := range stdio {
			if ttys[i] {
				stdio[i] = pts
				if spec.CTTY < 0 {
					spec.CTTY = i
				}
			}
		}
		req.Setsid = true
		p.proxy = p.terminal(&o, ttys, ptx)
		log.Debugf("Allocated a pty from the container's devpts for the streams %v", ttys)
	}
	plan, err := spec.plan()
	if err != nil {
		return nil, &Error{Step: "Failed to get attach context", Err: err}
	}
	if !g.enter() {
		return nil, &Error{Step: "Failed to attach", Err: spawn.ErrAborted}
	}
	proc, err := spawn.Start(req)
	if slave != nil {
		defer slave.Close() // the child gets its copy; EIO on the master means it is gone
	}
	if errors.Is(err, spawn.ErrAborted) {
		return nil, &Error{Step: "Failed to attach", Err: err}
	}
	if err != nil {
		// The container stopped meanwhile: say so, not ENOENT on its
		// namespaces (or ENOMEM from its dying pid namespace).
		if initStopping(pidfd, initPid) {
			return nil, &Error{Step: "Failed to attach", Err: ErrStopped}
		}
		return nil, &Error{Step: "Failed to attach", Err: err}
	}
	p.Pid, p.proc, p.sync = proc.Pid, proc, proc.Sync
	log.Tracef("Attached process %d started in the container's namespaces", proc.Pid)
	log.Tracef("Set up environment (%d variables); exec plan: %s", len(spec.Env), strings.Join(plan.Steps(), " "))
	// The executor keeps its end until it execs the command: its report
	// (stageReport) then tells a command's status from a helper's death.
	if err := spawn.SendPlan(proc.Sync, plan.Bytes(), stdio...); err != nil {
		_ = proc.Signal(unix.SIGKILL)
		p.evictHelper(proc.Pid)
		proc.Wait()
		if initStopping(pidfd, initPid) {
			return nil, &Error{Step: "Failed to attach", Err: ErrStopped}
		}
		return nil, &Error{Step: "Failed to attach", Err: err}
	}
	if p.proxy != nil {
		go func() { _ = p.proxy.Run(); close(p.done) }()
	} else {
		close(p.done)
	}
	ok = true
	return p, nil
}

// Wait reaps the process, lets the terminal drain and restores it. A
// process that died before it ran the command is an attach failure
// (*Error; ErrStopped when its container was stopping), except when a
// signal ended it, which is its status as usual.
func (p *Process) Wait() (syscall.WaitStatus, error) {
	ws, err := p.proc.Wait()
	if p.proxy != nil {
		p.proxy.Stop()
	}
	<-p.done
	if err == nil {
		err = p.entered(ws)
	}
	p.cleanup()
	return ws, err
}

// Signal sends sig to the attached process.
func (p *Process) Signal(sig syscall.Signal) error { return p.proc.Signal(sig) }

func (p *Process) cleanup() {
	for i := len(p.undo) - 1; i >= 0; i-- {
		p.undo[i]()
	}
	p.undo = nil
	p.untrack()
}

// untrack drops what only Wait's judging of the stage needs.
func (p *Process) untrack() {
	if p.sync != nil {
		p.sync.Close()
		p.sync = nil
	}
	if p.initPidfd >= 0 {
		unix.Close(p.initPidfd)
		p.initPidfd = -1
	}
}

// terminal sets up raw mode and size following for the proxy.
func (p *Process) terminal(o *Options, ttys []bool, ptx *os.File) *terminal.Proxy {
	std := []*os.File{o.Stdin, o.Stdout, o.Stderr}
	// The user's terminal: stdin if it is one, else the first tty output.
	user := -1
	for i, t := range ttys {
		if t {
			user = i
			break
		}
	}
	if user < 0 {
		user = 0
	}
	ufd := int(std[user].Fd())
	if ttys[0] {
		if restore, err := terminal.Raw(int(o.Stdin.Fd())); err == nil {
			p.undo = append(p.undo, restore)
		}
	}
	stopSize := terminal.FollowSize(ufd, int(ptx.Fd()))
	p.undo = append(p.undo, stopSize)
	out := std[user]
	if ttys[1] {
		out = o.Stdout
	} else if ttys[2] {
		out = o.Stderr
	}
	px := &terminal.Proxy{PTX: ptx, Out: out}
	if ttys[0] {
		px.In = o.Stdin
	}
	if o.PtyLog != nil {
		px.Log = o.PtyLog
	}
	return px
}

// ttyStreams says which std streams get the pty, or nil for none.
func ttyStreams(o *Options) []bool {
	switch o.Terminal {
	case TerminalNever:
		return nil
	case TerminalAlways:
		return []bool{true, true, true}
	}
	t := []bool{
		terminal.IsTerminal(int(o.Stdin.Fd())),
		terminal.IsTerminal(int(o.Stdout.Fd())),
		terminal.IsTerminal(int(o.Stderr.Fd())),
	}
	if !t[0] && !t[1] && !t[2] {
		return nil
	}
	return t
}

// ContainerPTY allocates a pty for an attached process (master, slave):
// from the devpts fd a monitor hands out, else the container's /dev/pts,
// else (a container without its own devpts) the host's.
func ContainerPTY(client *cmdsock.Client, initPid, pidfd int) (*os.File, *os.File, error) {
	if devpts, err := client.DevptsFD(); err == nil {
		defer devpts.Close()
		if ptx, pts, err := openContainerPTY(devpts, initPid, pidfd); err == nil {
			return ptx, pts, nil
		}
	}
	ptx, pts, err := openContainerPTY(nil, initPid, pidfd)
	if err == nil {
		return ptx, pts, nil
	}
	if ptx, pts, herr := openHostPTY(); herr == nil {
		return ptx, pts, nil
	}
	return nil, nil, err
}

// containerCgroups finds the container's payload cgroups from its init.
func (p *Process) containerCgroups(name string) (*cgroup.Container, error) {
	l, err := p.cgroups.get()
	if err != nil {
		return nil, err
	}
	return cgroup.FromPid(l, p.initPid, name)
}

// logNamespaces says which namespaces the attach enters: the requested ones
// init does not share with us (the namespace stage skips the others).
func logNamespaces(initPid, flags int) {
	for _, ns := range namespace.All() {
		if uintptr(flags)&ns.Flag == 0 {
			continue
		}
		var self, them unix.Stat_t
		e1 := unix.Stat("/proc/self/ns/"+ns.Name, &self)
		e2 := unix.Stat(fmt.Sprintf("/proc/%d/ns/%s", initPid, ns.Name), &them)
		if e1 == nil && e2 == nil && self.Ino == them.Ino && self.Dev == them.Dev {
			log.Tracef("Shared %s namespace doesn't need attach", ns.Name)
			continue
		}
		log.Tracef("Attaching to %s namespace", ns.Name)
	}
}

// fill applies defaults to unset fields.
func fill(o *Options) {
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Namespaces < 0 {
		o.Namespaces = int(namespace.AllFlags())
	}
	if o.LogPrefix == "" {
		o.LogPrefix = "lxc-attach"
	}
}

// makeSpec resolves the options into what the stage executes.
func makeSpec(o *Options) (*stageSpec, error) {
	s := &stageSpec{
		Argv: o.Argv, Env: buildEnv(o, os.Environ()), UID: o.UID, GID: o.GID,
		Groups: o.Groups, Cwd: o.Cwd, Personality: o.Personality,
		NoNewPrivs: o.NoNewPrivs, Prefix: o.LogPrefix, Name: o.Name, Quiet: o.Quiet,
	}
	if s.UID < 0 {
		s.UID = o.InitUID
	}
	if s.GID < 0 {
		s.GID = o.InitGID
	}
	if s.Personality < 0 {
		s.Personality = o.ArchPersonality
	}
	if s.Cwd == "" {
		if wd, err := os.Getwd(); err == nil {
			s.Cwd = wd
		}
	}
	if o.RemountProc && o.Namespaces&unix.CLONE_NEWNS == 0 {
		s.Remount = true
	}
	if o.Elevated&KeepLSM == 0 {
		s.Seccomp = o.Seccomp
	}
	if o.Elevated&KeepCaps == 0 {
		s.DropCaps, s.Caps = true, o.Caps
	}
	return s, nil
}

// IsNotRunning reports whether err means the container is not running.
func IsNotRunning(err error) bool { return errors.Is(err, cmdsock.ErrNotRunning) }
