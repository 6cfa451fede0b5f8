package lxc

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/monitor"
	"github.com/golxc/golxc/internal/query"
)

// StartOptions are lxc-start's and lxc-execute's knobs beyond go-lxc's
// Start: a volatile rcfile, -s defines, console, pidfile, shared
// namespaces, logging.
type StartOptions struct {
	RCFile      string
	Defines     []string
	Command     []string
	Execute     bool
	ConsolePath string
	ConsoleLog  string
	PidFile     string
	Share       map[string]string
	LogFile     string
	LogLevel    string
	Quiet       bool
	UID, GID    int
	// noMonitorCgroup: monitor.Options.NoMonitorCgroup (lxc-sandbox).
	noMonitorCgroup bool
	// unifiedCgroupOnly: monitor.Options.UnifiedCgroupOnly (lxc-sandbox).
	unifiedCgroupOnly bool
	// ProcessExitsAfter: the caller exits once StartWith returns (a
	// tool): a foreground start's signal handlers are not handed back
	// (monitor.Options.ProcessExitsAfter).
	ProcessExitsAfter bool
}

// Start starts the container with its configured init.
func (c *Container) Start() error { return c.StartWithArgs(nil) }

// StartWithArgs starts the container running args instead of lxc.init.cmd.
func (c *Container) StartWithArgs(args []string) error {
	_, err := c.StartWith(StartOptions{Command: args, UID: -1, GID: -1})
	return err
}

// StartExecute runs args as an application container (lxc-execute style:
// a minimal init is PID 1) and, in the foreground, returns when it ends.
func (c *Container) StartExecute(args []string) error {
	_, err := c.StartWith(StartOptions{Command: args, Execute: true, UID: -1, GID: -1})
	return err
}

// StartWith starts the container. It returns the payload's exit status in
// execute mode (foreground) and 0 otherwise. ErrAlreadyRunning is returned
// when another monitor runs it.
func (c *Container) StartWith(o StartOptions) (int, error) {
	cfg := c.ConfigFileName()
	if o.RCFile != "" {
		cfg = o.RCFile
	} else if !c.Defined() {
		cfg = ""
	}
	if err := c.ConfigError(); err != nil && o.RCFile == "" {
		return 1, err
	}
	mo := monitor.Options{
		Name: c.name, LXCPath: c.lxcpath, ConfigFile: cfg, Defines: o.Defines,
		Command: o.Command, Execute: o.Execute, Daemonize: c.daemonize,
		ConsolePath: o.ConsolePath, ConsoleLog: o.ConsoleLog, PidFile: o.PidFile,
		Share: o.Share, LogFile: o.LogFile, LogLevel: o.LogLevel, Quiet: o.Quiet,
		UID: o.UID, GID: o.GID, NoMonitorCgroup: o.noMonitorCgroup,
		UnifiedCgroupOnly: o.unifiedCgroupOnly,
		ProcessExitsAfter: o.ProcessExitsAfter,
	}
	status, err := monitor.Start(mo)
	if errors.Is(err, monitor.ErrAlreadyRunning) {
		return 0, ErrAlreadyRunning
	}
	if err != nil {
		c.errorNum = 1
		return status, err
	}
	c.errorNum = status
	return status, nil
}

func (c *Container) client() (*cmdsock.Client, error) {
	cl, err := cmdsock.Dial(c.lxcpath, c.name)
	if err != nil {
		return nil, ErrNotRunning
	}
	return cl, nil
}

// Stop kills the container (lxc.signal.stop, SIGKILL by default) through
// its monitor.
func (c *Container) Stop() error {
	err := query.Kill(c.lxcpath, c.name)
	switch {
	case errors.Is(err, query.ErrNotRunning):
		return ErrNotRunning
	case err != nil:
		return fmt.Errorf("%w: %v", ErrStopFailed, err)
	}
	return nil
}

// signalInit sends init the signal pick chooses from the configured one
// (0: unset) and init's signal masks (unreadable masks count as empty).
// initHandlerWait bounds how long a halt or reboot waits for an init that
// does not handle the signal yet (signalMasks.delivered: LXC sends at
// once, the kernel drops the halt, and its shutdown waits out -t).
const initHandlerWait = 2 * time.Second

func (c *Container) signalInit(configured syscall.Signal, pick func(syscall.Signal, signalMasks) syscall.Signal) error {
	pid := c.InitPid()
	if pid <= 0 {
		return ErrNotRunning
	}
	masks, err := readSignalMasks(pid)
	if err != nil {
		log.Debugf("Could not read the signal masks of init (pid %d): %v", pid, err)
	}
	sig := pick(configured, masks)
	// An init that does not handle the signal yet (it has just started)
	// would never see it: wait a little for its handlers. One asleep in
	// sigtimedwait hides its blocked set: it waits for signals, so the
	// halt goes at once (as LXC's, which never looks).
	takes := func() bool { return masks.delivered(sig) || inSigwait(pid) }
	taken := err == nil && takes()
	for deadline := time.Now().Add(initHandlerWait); err == nil && !taken && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		if masks, err = readSignalMasks(pid); err == nil {
			sig = pick(configured, masks)
			taken = takes()
		}
	}
	if err == nil && !taken {
		log.Debugf("Init (pid %d) neither catches nor blocks signal %d after %v: the kernel will drop it", pid, int(sig), initHandlerWait)
	}
	log.Debugf("Sending signal %d (%v) to init (pid %d), configured %d, init blocks %#x", int(sig), sig, pid, int(configured), masks.Blocked)
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("send %v to init (pid %d): %w", sig, pid, err)
	}
	log.Debugf("Sent signal %d (%v) to init (pid %d)", int(sig), sig, pid)
	return nil
}

func (c *Container) signals() (halt, reboot syscall.Signal) {
	spec, err := c.Spec()
	if err != nil || spec == nil {
		return 0, 0
	}
	return spec.Signals.Halt, spec.Signals.Reboot
}

// Shutdown asks init to halt (lxc.signal.halt; unset: SIGRTMIN+3 when init
// blocks it, as systemd does, else SIGPWR) and waits
// up to timeout for STOPPED. A negative timeout waits forever; zero does
// not wait.
func (c *Container) Shutdown(timeout time.Duration) error {
	// No probe connection first: signalInit's init pid query says
	// whether a monitor runs the container (an idle probe held a
	// hibernated monitor's one-at-a-time loop up).
	halt, _ := c.signals()
	if err := c.signalInit(halt, haltSignal); err != nil {
		return err
	}
	if timeout == 0 {
		return nil
	}
	log.Tracef("Waiting up to %v for %q to stop", timeout, c.name)
	if !c.Wait(STOPPED, timeout) {
		log.Debugf("Container %q still running after %v", c.name, timeout)
		return fmt.Errorf("%w: still running after %v", ErrShutdownFailed, timeout)
	}
	log.Infof("Container %q has stopped", c.name)
	return nil
}

// Reboot asks init to reboot (lxc.signal.reboot, SIGINT by default).
func (c *Container) Reboot() error {
	_, reboot := c.signals()
	return c.signalInit(reboot, rebootSignal)
}

// RebootWithTimeout asks init to reboot and, as liblxc's reboot2, waits up
// to timeout (negative: forever; zero: not at all) for the container to be
// RUNNING again.
func (c *Container) RebootWithTimeout(timeout time.Duration) error {
	if timeout == 0 {
		return c.Reboot()
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	defer cl.Close()
	// Registered before the signal, so the new boot cannot be missed.
	sub, err := cl.SubscribeNext(cmdsock.RUNNING)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRebootFailed, err)
	}
	defer sub.Close()
	log.Tracef("Registered for the next %q state of %q", cmdsock.RUNNING, c.name)
	if err := c.Reboot(); err != nil {
		return err
	}
	log.Debugf("Waiting up to %v for the container to run again", timeout)
	if err := sub.WaitEnter(cmdsock.RUNNING, timeout); err != nil {
		return fmt.Errorf("%w: %v", ErrRebootFailed, err)
	}
	log.Infof("Container %q rebooted and is running again", c.name)
	return nil
}

// Wait waits up to timeout (negative: forever) for the container to reach
// state. It returns false on timeout.
func (c *Container) Wait(state State, timeout time.Duration) bool {
	return c.WaitAny([]State{state}, timeout)
}

// WaitAny waits for any of states, as lxc-wait -s 'A|B'. Without a
// monitor the container is STOPPED; otherwise the monitor pushes state
// changes to us. When a monitor goes away mid-wait, the loop re-checks.
func (c *Container) WaitAny(states []State, timeout time.Duration) bool {
	var wire []cmdsock.State
	for _, s := range states {
		wire = append(wire, cmdsock.State(int(s)-1))
	}
	return cmdsock.WaitAny(c.lxcpath, c.name, wire, timeout)
}

// Freeze freezes every process of the container; a frozen one is left
// as it is. The monitor does it; an LXC monitor on a cgroup v1 host leaves
// it to the client, which then does what liblxc does.
func (c *Container) Freeze() error {
	cl, err := c.client()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFreezeFailed, err)
	}
	defer cl.Close()
	if st, err := cl.State(); err == nil && st == cmdsock.FROZEN {
		return nil
	}
	err = cl.Freeze(-1)
	if freezeFallback(err) {
		err = c.freezeV1(cl, true)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFreezeFailed, err)
	}
	return nil
}

// Unfreeze thaws the container; on a container that is not frozen it does
// nothing and succeeds, as LXC.
func (c *Container) Unfreeze() error {
	cl, err := c.client()
	if err != nil {
		return nil
	}
	defer cl.Close()
	err = cl.Unfreeze(-1)
	if freezeFallback(err) {
		err = c.freezeV1(cl, false)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnfreezeFailed, err)
	}
	return nil
}
