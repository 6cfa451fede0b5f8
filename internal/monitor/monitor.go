package monitor

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/execinit"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/pushreg"
	"github.com/golxc/golxc/internal/selfexe"
	"github.com/golxc/golxc/internal/storage"
	"github.com/golxc/golxc/internal/storage/rdeps"
	"github.com/golxc/golxc/internal/timerslack"
)

// monitor is the state of one running container, owned by its monitor
// process. Fields set during setup are read by command goroutines only
// after the state left STARTING, under mu.
type monitor struct {
	o    Options
	rep  *reporter
	cfg  *config.Config
	spec *config.Spec

	srv *cmdsock.Server

	// notifyMu keeps records in transition order for state clients, the
	// lxc-monitor listeners and the FIFO when transitions race (a freeze
	// answered while the init exits).
	notifyMu sync.Mutex

	mu      sync.Mutex
	state   cmdsock.State
	moved   *sync.Cond // on mu: state changed (made by the first waiter)
	run     *instance  // the current boot (a reboot makes a new one)
	halting bool       // monitor was told to stop: do not reboot
	// lxc-execute: the signals to forward to init, held while the
	// container starts and sent once it runs (LXC reads them from its
	// signalfd in its mainloop). golxc's execute inits handle every
	// signal before the monitor sees them run (the sync socket's close).
	pendingSigs []syscall.Signal

	mem memoryKeeper // collects the garbage queries leave (memory.go)
}

// instance is one boot of the container: everything created for it is
// released by teardown.
type instance struct {
	flags       uintptr
	cg          *cgroups
	con         *console
	ttys        []*pty
	ttyHolders  []*ttyHold // guarded by monitor.mu
	restoreTerm func()
	net         NetSetup
	proc        *initProcess
	pid         int
	kill        *killer // thaws the payload until init is gone once a kill began
	nsFiles     map[string]*os.File
	// lxc-execute only: init stays in the setup process, whose capability
	// sets the namespace stage narrows to capKeep (initsetup.InProcessInit).
	inProcessInit bool
	capKeep       uint64
}

// run is the monitor body, shared by the daemon and the foreground path.
func run(o Options, rep *reporter) (int, error) {
	m := &monitor{o: o, rep: rep, state: cmdsock.STOPPED}
	code, err := m.main()
	if err != nil && !errors.Is(err, ErrAlreadyRunning) {
		if rep.foreground() {
			// Foreground: the caller prints the returned error; the
			// log file gets it, stderr must not get it twice.
			log.SetStderr(nil)
			defer log.SetStderr(os.Stderr)
		}
		log.Errorf("%v", err)
	}
	return code, err
}

func (m *monitor) fail(err error) (int, error) {
	err = m.prefix(err)
	m.rep.report(status{Error: err.Error()})
	return 1, err
}

// prefix makes errors read "NAME: step: cause".
func (m *monitor) prefix(err error) error {
	if s := err.Error(); len(s) > len(m.o.Name)+1 && s[:len(m.o.Name)+2] == m.o.Name+": " {
		return err
	}
	return fmt.Errorf("%s: %w", m.o.Name, err)
}

// forwarded are the signals a monitor catches (handleSignals).
var forwarded = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

func (m *monitor) main() (int, error) {
	if err := m.load(); err != nil {
		return m.fail(err)
	}
	already, err := m.claim()
	if already {
		m.rep.report(status{Already: true})
		return 0, ErrAlreadyRunning
	}
	if err != nil {
		return m.fail(err)
	}
	defer m.srv.Close()
	if m.o.PidFile != "" {
		if err := writePidFile(m.o.PidFile); err != nil {
			return m.fail(err)
		}
		defer os.Remove(m.o.PidFile)
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	if m.rep.foreground() && !m.o.ProcessExitsAfter {
		// The caller goes on (the Go API): give it its signals back.
		// A tool (ProcessExitsAfter) or a daemon exits instead, and
		// signal.Stop's two thread hand-offs per signal would delay
		// that exit (for a daemon, the one that ends lxc-stop's wait:
		// its connection closes with the process).
		defer signal.Stop(sigs)
	}
	go m.handleSignals(sigs)

	return m.supervise(nil)
}

// supervise runs boots until one ends without a reboot request. resumed
// is a boot already RUNNING (a monitor woken from hibernation), or nil.
func (m *monitor) supervise(resumed *instance) (int, error) {
	code := 0
	for rebooting := false; ; rebooting = true {
		var reboot bool
		var ws syscall.WaitStatus
		var err error
		if resumed != nil {
			reboot, ws = m.live(resumed)
			resumed = nil
		} else {
			reboot, ws, err = m.boot()
		}
		if errors.Is(err, errHalted) && rebooting {
			// The start was the container's reboot: a stop during it
			// is a stop like any other, not a failure.
			log.Infof("container stopped while rebooting")
			break
		}
		if err != nil {
			m.stopped()
			return m.fail(err)
		}
		if reboot && m.isHalting() {
			// A stop came between init's exit and the next boot.
			log.Infof("container requested reboot, but a stop came: not booting again")
			reboot = false
		}
		if !reboot {
			if m.o.Execute {
				code = execinit.Status(ws)
			}
			break
		}
		log.Infof("container requested reboot")
	}
	m.stopped()
	return code, nil
}

// stopped ends the monitor's last boot, failed or not: STOPPED, and an
// lxc.ephemeral container is destroyed, as LXC's lxc_end does on every
// path of a start (a start aborted by a stop included).
func (m *monitor) stopped() {
	m.setState(cmdsock.STOPPED)
	if m.spec.Ephemeral && m.o.ConfigFile == filepath.Join(m.o.LXCPath, m.o.Name, "config") {
		m.destroyEphemeral()
	}
}

// destroyEphemeral removes an lxc.ephemeral container once stopped: its
// storage, its directory, and its origins' records of it.
func (m *monitor) destroyEphemeral() {
	dir := filepath.Join(m.o.LXCPath, m.o.Name)
	log.Debugf("Destroying ephemeral container %s", dir)
	origins := rdeps.Rdepends(dir)
	if r := m.spec.Rootfs; r.Managed && r.Raw != "" && r.Type != "dir" && storage.Supported(r.Type) {
		if err := storage.Destroy(r.Raw); err != nil {
			log.Errorf("ephemeral container: destroy its storage %s: %v", r.Raw, err)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		log.Errorf("ephemeral container: remove %s: %v", dir, err)
		return
	}
	rdeps.Update(origins, storage.Dep{Path: m.o.LXCPath, Name: m.o.Name}, false)
	log.Infof("Destroyed ephemeral container %s", m.o.Name)
}

// boot runs the container once: setup, wait for init, teardown. reboot is
// true when init died by SIGHUP (reboot(2) inside a pid namespace).
func (m *monitor) boot() (reboot bool, ws syscall.WaitStatus, err error) {
	if !m.forksUnlocked() {
		// init is forked on this thread, and a monitor that hibernates
		// execs from it (hibernate.go): init's parent-death signal
		// follows the thread.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		// The coarse timer slack of lxc-start's and lxc-sandbox's
		// runtime threads (internal/nsexec, cheapstart.c) stays with
		// them: what this thread starts, the container's processes and
		// hooks, gets the caller's.
		if ns := timerslack.Caller(); ns != 0 {
			_ = unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(ns), 0, 0, 0)
		}
	}
	// Otherwise (forksUnlocked) init is forked on whichever thread runs
	// the fork (spawn, timerslack.Fork: with the caller's slack).
	in := &instance{kill: newKiller()}
	// The boot first, then STARTING: a stop never sees STARTING with
	// the last boot's (exited) init.
	m.mu.Lock()
	m.run = in
	m.mu.Unlock()
	m.setState(cmdsock.STARTING)
	log.Infof("Container %q is initialized", m.o.Name)
	err = m.setup(in)
	if err == nil && m.rep.waiterGone() {
		err = errWaiterGone
	}
	if m.isHalting() {
		// A stop (or SIGTERM) came during setup: whatever setup made
		// of it (a killed stage fails its handshake), the start is
		// aborted because of the stop.
		if err != nil && !errors.Is(err, errHalted) {
			log.Debugf("Setup ended by the stop: %v", err)
		}
		err = errHalted
	}
	if err != nil {
		log.Debugf("Setup failed, aborting: %v", err)
		m.setState(cmdsock.ABORTING)
		if in.proc != nil {
			m.killInit(in)
			in.proc.wait()
		}
		m.teardown(in, "stop")
		return false, 0, err
	}
	m.setState(cmdsock.RUNNING)
	if m.o.Execute {
		m.forwardSignals() // those held while it started
	}
	m.rep.report(status{OK: true})
	m.mem.reset()
	reboot, ws = m.live(in)
	return reboot, ws, nil
}

// forksUnlocked: boot need not lock its goroutine to its thread. A
// monitor that never hibernates (lxc-execute, lxc-start -F, a daemon with
// GOLXC_HIBERNATE=0 or a device it cannot hand over) in golxc's own
// process does not: each time a locked goroutine parks, its thread sleeps
// and hands the P to another, and waiting for init would keep one thread
// asleep for the container's life (one more thread, and two context
// switches per park). init's parent-death signal stays tied to the thread
// that ran the fork, which then lives as long as the process: Go ends a
// thread only when a goroutine exits locked to it, which nothing in
// golxc's monitor does. Another program's (the Go API with
// WantDaemonize(false)) might, so that one keeps the lock.
func (m *monitor) forksUnlocked() bool {
	return selfexe.IsMain() && m.canHibernate() != nil
}

// live supervises a RUNNING boot until init exits, then tears it down.
func (m *monitor) live(in *instance) (reboot bool, ws syscall.WaitStatus) {
	ws = m.waitInit(in)
	log.Debugf("Container init process %d %s", in.pid, describeWait(ws))
	m.notifyExit(ws)
	m.mu.Lock()
	halting := m.halting
	m.mu.Unlock()
	reboot = !halting && ws.Signaled() && ws.Signal() == syscall.SIGHUP && in.flags&unix.CLONE_NEWPID != 0
	m.setState(cmdsock.STOPPING)
	target := "stop"
	if reboot {
		target = "reboot"
	}
	m.teardown(in, target)
	log.Tracef("Tore down the container (%s)", target)
	return reboot, ws
}

func describeWait(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return "was killed by signal " + strconv.Itoa(int(ws.Signal()))
	}
	return "exited with status " + strconv.Itoa(ws.ExitStatus())
}

func (m *monitor) setState(s cmdsock.State) {
	log.Tracef("Set container state to %q", s)
	m.announce(s, true)
}

// adoptState is setState for a state a client announced (LXC's v1 freeze
// client, SERVE_STATE_CLIENTS): that client writes LXC's FIFO itself.
func (m *monitor) adoptState(s cmdsock.State) { m.announce(s, false) }

// announce records s and tells everyone watching the container: its state
// clients (lxc-wait...), then the lxc-monitor listeners (publish).
func (m *monitor) announce(s cmdsock.State, fifo bool) {
	m.notifyMu.Lock()
	defer m.notifyMu.Unlock()
	m.mu.Lock()
	m.state = s
	if m.moved != nil {
		m.moved.Broadcast()
	}
	m.mu.Unlock()
	if m.srv != nil {
		m.srv.NotifyState(s)
	}
	m.publish(cmdsock.Msg{Type: cmdsock.MsgState, Name: m.o.Name, Value: int32(s)}, fifo)
}

// publish gives lxc-monitor a record: pushed to golxc's listeners and,
// with fifo, written to LXC's monitor FIFO too (pushreg.Publish). Called
// with notifyMu held, which keeps the records in order.
func (m *monitor) publish(msg cmdsock.Msg, fifo bool) {
	if fifo {
		pushreg.Publish(m.o.LXCPath, msg)
		return
	}
	pushreg.Send(m.o.LXCPath, msg)
}

// notifyExit reports init's wait status before STOPPING, as LXC's monitor
// does on its FIFO (lxc-monitor: "'NAME' exited with status [N]"). State
// clients never get it: liblxc would read the record as a state.
func (m *monitor) notifyExit(ws syscall.WaitStatus) {
	m.notifyMu.Lock()
	defer m.notifyMu.Unlock()
	m.publish(cmdsock.Msg{Type: cmdsock.MsgExitCode, Name: m.o.Name, Value: int32(ws)}, true)
}

// errHalted aborts a boot that a stop (or SIGTERM) overtook in setup.
var errHalted = errors.New("stopped while starting (a stop command or signal came before init ran)")

// isHalting: the monitor was told to stop (lxc-stop, SIGTERM, SIGINT).
func (m *monitor) isHalting() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.halting
}

func (m *monitor) current() (cmdsock.State, *instance) {
	st, in := m.rawState()
	return m.liveState(st, in), in
}

// handleSignals: a terminated monitor still tears everything down (kill
// init, the normal exit path does the rest). lxc-execute forwards signals
// to its init, which forwards them to the command.
func (m *monitor) handleSignals(sigs chan os.Signal) {
	for s := range sigs {
		m.onSignal(s.(syscall.Signal))
	}
}

func (m *monitor) onSignal(sig syscall.Signal) {
	if m.o.Execute {
		m.mu.Lock()
		m.pendingSigs = append(m.pendingSigs, sig)
		m.mu.Unlock()
		if !m.forwardSignals() {
			log.Debugf("Monitor received %s before the command runs: holding it until then", sig)
		}
		return
	}
	halt := sig == syscall.SIGTERM || sig == syscall.SIGINT
	// halting is set before looking for init: a boot in setup aborts.
	_, in, proc := m.runState(halt)
	switch {
	case proc == nil:
		if halt {
			log.Infof("Monitor received %s before init was spawned: the start is aborted", sig)
		}
	case halt:
		log.Infof("Monitor received %s: killing init %d", sig, in.pid)
		m.killInit(in)
	}
}

// forwardSignals hands lxc-execute's queued signals to its init once the
// container runs: init blocks (the C init) or catches (the Go one) every
// signal before it closes the sync socket, which is what RUNNING waits
// for, so none is dropped as a signal PID 1 does not handle. The kernel
// may still merge or reorder standard signals pending at once, as for any
// process. false: the container does not run yet, the signals stay held
// (boot forwards them once RUNNING).
func (m *monitor) forwardSignals() bool {
	m.mu.Lock()
	st, in := m.state, m.run
	if in == nil || in.proc == nil || st == cmdsock.STARTING || st == cmdsock.ABORTING {
		m.mu.Unlock()
		return false
	}
	sigs := m.pendingSigs
	m.pendingSigs = nil
	m.mu.Unlock()
	for _, sig := range sigs {
		if in.proc.exited() {
			break
		}
		log.Tracef("Forwarding %s to init %d", sig, in.pid)
		_ = in.proc.signal(sig)
	}
	return true
}

// runState reads the state, the current boot and its init (nil before setup
// spawned one) in one section under mu; with halt it first records that
// the monitor is halting, so setup, which publishes init under mu and
// checks halting then, cannot miss it.
func (m *monitor) runState(halt bool) (cmdsock.State, *instance, *initProcess) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.halting = m.halting || halt
	if m.run == nil {
		return m.state, nil, nil
	}
	return m.state, m.run, m.run.proc
}

func writePidFile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("pidfile %s: %w", path, err)
	}
	defer f.Close()
	_, err = f.WriteString(strconv.Itoa(os.Getpid()))
	return err
}

// rawState is the monitor's own state, without the freezer correction.
func (m *monitor) rawState() (cmdsock.State, *instance) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state, m.run
}
