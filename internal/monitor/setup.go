package monitor

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/hooks"
	"github.com/golxc/golxc/internal/idmap"
	"github.com/golxc/golxc/internal/initsetup"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/namespace"
	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/rootfs"
	"github.com/golxc/golxc/internal/spawn"
)

// defaultRootfsMount is LXCROOTFSMOUNT of the Debian build LXC_ROOTFS_MOUNT
// reports when lxc.rootfs.mount is unset.
const defaultRootfsMount = rootfs.DefaultRootfsMount

// setup brings one boot from nothing to an init that exec'd its payload.
// Whatever it created is recorded in in, so teardown can undo a partial
// setup.
func (m *monitor) setup(in *instance) error {
	var err error
	if err := checkUserStart(m.spec); err != nil {
		return err
	}
	if in.flags, err = cloneFlags(m.spec); err != nil {
		return err
	}
	log.Tracef("Namespaces to create: %s", namespace.Describe(in.flags))
	// Shared namespaces are resolved before anything is created, so a
	// target that is not running leaves nothing behind. They sit in
	// nsFiles: the stop hooks get them too (as LXC), teardown closes them.
	if in.nsFiles, err = openShared(m.o.LXCPath, m.spec.NamespaceShare); err != nil {
		return err
	}
	in.cg, err = newCgroups(m.o.Name, m.spec, m.o.NoMonitorCgroup, m.o.UnifiedCgroupOnly)
	m.recordCgroups(in.cg)
	if err != nil {
		return err
	}
	log.Infof("The container process uses %q as cgroup", in.cg.cg.Name())
	chownPayload(in.cg, m.spec.IDMap)
	if len(m.spec.Hooks[hooks.PreStart]) > 0 || m.o.Restore != nil {
		// Hooks and criu start in the monitor's cgroups.
		if err := in.cg.joinFirst(); err != nil {
			return err
		}
	}
	// A stop that came already spares the hooks, network and rootfs.
	if m.isHalting() {
		return errHalted
	}
	if err := m.runHostHooks(hooks.PreStart, hooks.Context{}); err != nil {
		return err
	}
	if m.o.Restore != nil {
		return m.restore(in)
	}
	netp := NetParams{Name: m.o.Name, LXCPath: m.o.LXCPath, Spec: m.spec,
		NetnsShared: in.flags&unix.CLONE_NEWNET == 0, Hook: m.hookContext()}
	if in.net, err = NewNetSetup(netp); err != nil {
		return err
	}
	if err := m.openTerminals(in); err != nil {
		return err
	}
	if in.con != nil {
		log.Tracef("Allocated console %s", in.con.pty.slavePath)
	}
	if err := chownTerminals(in, m.spec.IDMap); err != nil {
		return err
	}
	cmd, err := m.command()
	if err != nil {
		return err
	}
	consolePath := ""
	switch {
	case in.con != nil:
		consolePath = in.con.pty.slavePath
	case m.spec.Console.Path != "" && m.spec.Console.Path != "none":
		consolePath = m.spec.Console.Path
	}
	unstage, err := m.stageRootfs()
	if err != nil {
		return err
	}
	defer unstage()
	why := m.initPlanWhy(in, consolePath)
	if why != "" {
		log.Debugf("Container init runs the Go setup stage: %s", why)
	}
	if m.o.Execute && why != "" {
		in.capKeep, in.inProcessInit = initsetup.InProcessInit(m.spec)
	}
	msg := &setupMsg{
		Name: m.o.Name, LXCPath: m.o.LXCPath, ConfigFile: m.o.ConfigFile,
		Spec: m.spec, Cmd: cmd, Env: m.initEnv(), Execute: m.o.Execute, CloneFlags: in.flags,
		LogLevel: logLevelName(), InProcessInit: in.inProcessInit,
		LogFD: log.HasFile(), LogPrefix: log.Prefix(),
	}
	msg.ConsolePath = consolePath
	var plan *nsexec.Plan
	if why == "" {
		if plan, err = m.buildInitPlan(in, msg); err != nil {
			return err
		}
		log.Debugf("Container init runs an exec plan of %d steps (no Go runtime in the container)", len(plan.Steps()))
	}
	log.Debugf("Spawning container init %q", cmd)
	proc, err := m.spawnInit(in, msg.LogFD, plan != nil)
	if err != nil {
		return err
	}
	// Under mu: the command goroutines read it (runState). A stop that
	// came before found no init to signal: the abort kills this one.
	// Published before anything else can fail, so the abort kills it.
	m.mu.Lock()
	in.proc, in.pid = proc, proc.pid
	halted := m.halting
	m.mu.Unlock()
	log.Tracef("Cloned child process %d", in.pid)
	if halted {
		// The stop found no init to kill; nothing of the payload has
		// run yet: boot's abort kills the stage.
		return errHalted
	}
	if err := in.cg.joinFirst(); err != nil { // done by the stage's Prepare
		return err
	}
	for _, ns := range namespace.All() {
		if in.flags&ns.Flag != 0 {
			log.Infof("Cloned %s", ns.Clone)
		}
	}
	for _, kv := range m.spec.Proc {
		p := fmt.Sprintf("/proc/%d/%s", in.pid, kv.Key)
		if err := os.WriteFile(p, []byte(kv.Value), 0); err != nil {
			return fmt.Errorf("lxc.proc.%s = %s: %w", kv.Key, kv.Value, err)
		}
		log.Debugf("Set lxc.proc.%s to %q", kv.Key, kv.Value)
	}
	preserveNamespaces(in.nsFiles, in.pid, in.flags)
	if err := in.net.Setup(in.pid); err != nil {
		return err
	}
	log.Tracef("Network set up for init %d", in.pid)
	if err := m.handshake(in, msg, plan); err != nil {
		return err
	}
	log.Noticef("Started %q with pid %d", cmd, in.pid)
	return nil
}

// handshake drives the init stage through rootfs setup, the start-host
// hook and the final exec.
// With a plan, init is the C executor (see initplan.go): it gets the plan
// instead of the setup message and answers the same way, an error as Err.
func (m *monitor) handshake(in *instance, msg *setupMsg, plan *nsexec.Plan) error {
	if plan != nil {
		if err := spawn.SendPlan(in.proc.sync, plan.Bytes()); err != nil {
			return fmt.Errorf("send the exec plan to init: %w", err)
		}
	} else if err := in.proc.send(msg); err != nil {
		return fmt.Errorf("send setup to init: %w", err)
	}
	log.Tracef("Sent the configuration to init %d, waiting for its rootfs setup", in.pid)
	var reply childMsg
	for {
		reply = childMsg{}
		files, err := spawn.RecvFiles(in.proc.sync, &reply)
		if err != nil {
			return fmt.Errorf("container init exited during setup (%v)", err)
		}
		if e := reply.err(); e != "" {
			closeAll(files)
			return fmt.Errorf("%s", e)
		}
		if reply.TTYs > 0 || len(files) > 0 {
			if err := m.takeTTYs(in, reply.TTYs, files); err != nil {
				return err
			}
			continue
		}
		if reply.Ready {
			break
		}
	}
	if n := m.spec.TTYMax; len(in.ttys) != n {
		return fmt.Errorf("lxc.tty.max: init allocated %d of %d ttys", len(in.ttys), n)
	}
	log.Tracef("Init %d finished its rootfs setup", in.pid)
	if err := m.runHostHooks(hooks.StartHost, hooks.Context{PID: in.pid}); err != nil {
		return err
	}
	if err := in.proc.send(goMsg{Go: true}); err != nil {
		return fmt.Errorf("release init: %w", err)
	}
	// Success is the close-on-exec sync socket closing under a running init.
	reply = childMsg{}
	if err := in.proc.recv(&reply); err == nil && reply.err() != "" {
		return fmt.Errorf("%s", reply.err())
	}
	in.proc.closeSync()
	return nil
}

// command is the payload argv: the override, else lxc.init.cmd (lxc-start)
// or lxc.execute.cmd (lxc-execute).
func (m *monitor) command() ([]string, error) {
	if len(m.o.Command) > 0 {
		return m.o.Command, nil
	}
	if m.o.Execute {
		if m.spec.ExecuteCmd == "" {
			return nil, fmt.Errorf("Missing command to execute!")
		}
		return splitShellWords(m.spec.ExecuteCmd)
	}
	if m.spec.Init.Cmd != "" {
		return splitShellWords(m.spec.Init.Cmd)
	}
	return []string{"/sbin/init"}, nil
}

// initEnv is init's environment: cleared, lxc.environment, container=lxc,
// container_ttys.
func (m *monitor) initEnv() []string {
	env := []string{}
	hasPath := false
	for _, kv := range m.spec.Environment {
		if strings.HasPrefix(kv, "PATH=") {
			hasPath = true
		}
		env = append(env, kv)
		log.Tracef("Set environment variable %s for init", kv)
	}
	if !hasPath {
		env = append(env, "PATH=/sbin:/usr/sbin:/bin:/usr/bin")
	}
	env = append(env, "container=lxc")
	if n := m.spec.TTYMax; n > 0 {
		var names []string
		for i := 1; i <= n; i++ {
			name := fmt.Sprintf("tty%d", i)
			if m.spec.TTYDir != "" {
				name = m.spec.TTYDir + "/" + name
			}
			names = append(names, name)
		}
		env = append(env, "container_ttys="+strings.Join(names, " "))
	}
	return env
}

// openTerminals allocates the console and lxc.tty.max ttys. No console pty
// for lxc.console.path = none or a device path, nor for a foreground start
// without a terminal (init then gets our stdio, as LXC).
func (m *monitor) openTerminals(in *instance) error {
	c := m.spec.Console
	if c.Path == "" && (m.o.Daemonize || isTerminal(0)) {
		con, err := newConsole(c.Logfile, c.BufferSize)
		if err != nil {
			return err
		}
		in.con = con
		if !m.o.Daemonize {
			in.restoreTerm = attachTerminal(con)
		}
	}
	return nil
}

// takeTTYs adopts tty masters the init stage allocated on the container's
// devpts. The monitor holds each one's slave open too, as LXC does: with
// no slave open the master reads EIO, and lxc-console would quit at once
// when it attaches before the container's getty opened the tty or while
// getty respawns.
func (m *monitor) takeTTYs(in *instance, n int, files []*os.File) error {
	if n != len(files) {
		closeAll(files)
		return fmt.Errorf("lxc.tty.max: init announced %d tty masters and sent %d", n, len(files))
	}
	var got []*pty
	for i, f := range files {
		p := &pty{master: f}
		got = append(got, p)
		held, err := p.openPeer()
		if err != nil {
			for _, q := range got {
				q.close()
			}
			closeAll(files[i+1:])
			return fmt.Errorf("lxc.tty.max: open the slave of tty%d: %w", len(in.ttys)+i+1, err)
		}
		p.held = held
	}
	m.mu.Lock()
	in.ttys = append(in.ttys, got...)
	m.mu.Unlock()
	log.Debugf("Received %d tty master(s) from init, holding their slaves open (%d of lxc.tty.max = %d)", n, len(in.ttys), m.spec.TTYMax)
	return nil
}

// preserveNamespaces adds init's new namespaces to out (which holds the
// shared ones), kept open for the stop hooks.
func preserveNamespaces(out map[string]*os.File, pid int, flags uintptr) {
	for _, ns := range namespace.All() {
		if flags&ns.Flag == 0 {
			continue
		}
		f, err := os.Open(fmt.Sprintf("/proc/%d/ns/%s", pid, ns.Name))
		if err != nil {
			continue
		}
		out[ns.Name] = f
	}
}

// nsHookPaths renders preserved ns fds as /proc/MONITORPID/fd/N.
func nsHookPaths(files map[string]*os.File) map[string]string {
	out := map[string]string{}
	for n, f := range files {
		out[n] = fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), f.Fd())
	}
	return out
}

func (m *monitor) hookContext() hooks.Context {
	return hooks.Context{
		Name:        m.o.Name,
		ConfigFile:  m.o.ConfigFile,
		RootfsMount: rootfsMount(m.spec),
		RootfsPath:  m.spec.Rootfs.Path,
		Console:     m.spec.Console.Path,
		ConsoleLog:  m.spec.Console.Logfile,
		LogLevel:    logLevelName(),
		Version:     m.spec.HookVersion,
	}
}

// runHostHooks runs a hook type on the host; extra carries PID/NS/Target.
func (m *monitor) runHostHooks(typ string, extra hooks.Context) error {
	cmds := m.spec.Hooks[typ]
	if len(cmds) == 0 {
		return nil
	}
	c := m.hookContext()
	c.PID, c.NS, c.Target = extra.PID, extra.NS, extra.Target
	log.Debugf("Running %d %s hook(s)", len(cmds), typ)
	if err := hooks.Run(typ, cmds, c); err != nil {
		return err
	}
	log.Tracef("Ran %s hooks", typ)
	return nil
}

func rootfsMount(s *config.Spec) string {
	if s.Rootfs.Mount != "" {
		return s.Rootfs.Mount
	}
	return defaultRootfsMount
}

func logLevelName() string { return log.CurrentLevel().String() }

// checkUserStart: a user (not root) can only start a container with
// lxc.idmap (its root must be an unprivileged host id, as in LXC) whose
// ranges /etc/subuid and /etc/subgid delegate to the user. Checked
// before anything is created.
func checkUserStart(s *config.Spec) error {
	if os.Geteuid() == 0 {
		return nil
	}
	if len(s.IDMap) == 0 {
		return fmt.Errorf("lxc.idmap: a user's container needs an id map (e.g. lxc.idmap = u 0 100000 65536 and lxc.idmap = g 0 100000 65536 in ~/.config/lxc/default.conf, within your /etc/subuid and /etc/subgid ranges)")
	}
	uids, gids := idmap.Split(s.IDMap)
	if err := idmap.CheckCaller(uids, gids); err != nil {
		return err
	}
	log.Debugf("lxc.idmap lies within the /etc/subuid and /etc/subgid ranges of uid %d", os.Getuid())
	return nil
}
