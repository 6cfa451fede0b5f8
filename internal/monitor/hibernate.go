package monitor

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/network"
	"github.com/golxc/golxc/internal/nsexec"
)

// Hibernation: a Go monitor costs an idle container ~1.3 MiB of anonymous
// memory (runtime, heap, thread stacks) where LXC's monitor, a fork of
// lxc-start, costs ~370 KiB. Once the container runs and nothing is in
// flight, the monitor execs itself into nsexec's C loop (hibernate.c):
// same pid, title and command socket, no Go runtime. The loop answers the
// queries whose answers are rendered here (hibernateTable) and execs the
// Go monitor again (resume.go) for anything else, keeping every descriptor
// the monitor holds (hibernateState). The exec happens on the thread that
// forked init (spawn.Request.CallerThread): init's parent-death signal
// follows that thread, and an exec ends every other one.

// hibernateIdle is how long the monitor must have answered nothing before
// it hibernates: a busy container's monitor stays a Go process instead of
// exec'ing back and forth.
const hibernateIdle = 2 * time.Second

// envNoHibernate set to 0 keeps the Go monitor (debugging, comparisons).
const envNoHibernate = "GOLXC_HIBERNATE"

// envHibernateIdle overrides hibernateIdle (a Go duration): tests run
// whole suites with monitors that hibernate between every two commands.
const envHibernateIdle = "GOLXC_HIBERNATE_IDLE"

func idleBeforeHibernating() time.Duration {
	if d, err := time.ParseDuration(os.Getenv(envHibernateIdle)); err == nil && d > 0 {
		return d
	}
	return hibernateIdle
}

// hibernateState is the monitor as data: what the Go monitor needs to
// carry on after the C loop wakes it. Descriptors are numbers valid across
// the execs (their FD_CLOEXEC is cleared for the exec).
type hibernateState struct {
	Options    Options
	ConfigName string
	Config     []byte // the configuration as loaded, with -s defines applied
	Comm       string
	Flags      uintptr
	Pid        int
	PidFD      int
	Cgroups    cgroup.Snapshot
	CgroupFD   int // payload cgroup2 dir fd, -1: none
	Console    *hibernateConsole
	TTYs       []hibernateTTY
	NS         map[string]int
	ListenFD   int
	GuardFDs   []int // the freezer files the loop checks (O_PATH); closed on resume
	// The log as it is open now (a relative -o path names another file
	// from the daemon's cwd /): its fd (-1: none), level and prefix.
	LogFD     int
	LogLevel  log.Level
	LogPrefix string
	// CgroupDirs are the payload directories GET_(LIMIT_)CGROUP_FD pass.
	CgroupDirs []cgroupDirFD
	// Net is the set-up network (nil: one NewNetSetup rebuilds, empty
	// or none).
	Net *network.Snapshot `json:",omitempty"`
}

// cgroupDirFD is a controller's payload (or limit) directory, open O_PATH.
type cgroupDirFD struct {
	Controller string
	Limit      bool
	V2         bool
	FD         int
}

type hibernateConsole struct {
	Master    int
	SlavePath string
	Log       int // lxc.console.logfile, -1: none
	RingSize  int
	Ring      []byte
}

type hibernateTTY struct{ Master, Held int }

// fds lists every descriptor the state names.
func (s *hibernateState) fds() []int {
	fds := []int{s.PidFD, s.ListenFD}
	if s.LogFD >= 0 {
		fds = append(fds, s.LogFD)
	}
	if s.CgroupFD >= 0 {
		fds = append(fds, s.CgroupFD)
	}
	if c := s.Console; c != nil {
		fds = append(fds, c.Master)
		if c.Log >= 0 {
			fds = append(fds, c.Log)
		}
	}
	for _, t := range s.TTYs {
		fds = append(fds, t.Master, t.Held)
	}
	for _, fd := range s.NS {
		fds = append(fds, fd)
	}
	for _, d := range s.CgroupDirs {
		fds = append(fds, d.FD)
	}
	return append(fds, s.GuardFDs...)
}

// ownFDs are the descriptors hibernateState opened itself.
func (s *hibernateState) ownFDs() []int {
	fds := append([]int{s.ListenFD, s.LogFD}, s.GuardFDs...)
	for _, d := range s.CgroupDirs {
		fds = append(fds, d.FD)
	}
	return fds
}

// canHibernate is what does not change while a container runs: the kinds
// of monitor and configuration the state above can carry.
func (m *monitor) canHibernate() error {
	switch {
	case os.Getenv(envNoHibernate) == "0":
		return errors.New(envNoHibernate + "=0")
	case unsafe.Sizeof(uintptr(0)) != 8:
		return errors.New("the answer table assumes 64-bit request headers")
	case !m.o.Daemonize || m.o.Execute:
		return errors.New("only a daemonized lxc-start's monitor hibernates")
	}
	return netBlocksHibernation(os.Geteuid(), m.spec.Net)
}

// netBlocksHibernation says which network device the hibernated monitor
// could not give back: a phys device and a user's veth both go back
// through the container's network namespace (lxc-user-nic deletes the
// user's veth from it), whose handle the state cannot carry yet.
func netBlocksHibernation(euid int, nets []config.NetDev) error {
	for _, d := range nets {
		if d.Type == "phys" {
			return fmt.Errorf("lxc.net.%d is phys: it goes back to the host through the container's namespace, which the monitor cannot hand over yet", d.Index)
		}
		if euid != 0 && d.Type == "veth" {
			return fmt.Errorf("lxc.net.%d is a user's veth: lxc-user-nic deletes it through the container's namespace, which the monitor cannot hand over yet", d.Index)
		}
	}
	return nil
}

// quiet checks what must hold at the moment of hibernating.
func (m *monitor) quiet(in *instance) error {
	st, cur := m.rawState()
	m.mu.Lock()
	halting := m.halting
	busy := false
	for i := range in.ttys {
		busy = busy || in.ttyBusy(i)
	}
	m.mu.Unlock()
	switch {
	case st != cmdsock.RUNNING || cur != in:
		return fmt.Errorf("state %s", st)
	case m.liveState(st, in) != cmdsock.RUNNING:
		return errors.New("the freezer says the container is not running")
	case halting || in.kill.begun():
		return errors.New("stopping")
	case in.inProcessInit || in.restoreTerm != nil:
		return errors.New("init or terminal tied to this process")
	case !m.srv.Idle():
		return errors.New("a client is connected")
	case busy:
		return errors.New("a tty is in use")
	case in.proc.exited() || in.proc.p.PidFD() < 0:
		return errors.New("init exited or has no pidfd")
	}
	if c := in.con; c != nil {
		c.mu.Lock()
		attached := c.busy || c.peer != nil
		c.mu.Unlock()
		if attached {
			return errors.New("a console client is attached")
		}
		fds := []unix.PollFd{{Fd: int32(c.pty.master.Fd()), Events: unix.POLLIN}}
		if n, err := unix.Poll(fds, 0); err != nil || n > 0 {
			return errors.New("console output pending or console slave closed")
		}
	}
	return nil
}

// waitInit waits for init, hibernating whenever the monitor has been idle
// for hibernateIdle. Call it on the thread that forked init.
func (m *monitor) waitInit(in *instance) syscall.WaitStatus {
	if err := m.canHibernate(); err != nil {
		log.Tracef("The monitor does not hibernate: %v", err)
		return in.proc.wait()
	}
	idle := idleBeforeHibernating()
	t := time.NewTimer(idle)
	defer t.Stop()
	seen := m.srv.Requests()
	for {
		select {
		case <-in.proc.done:
			return in.proc.ws
		case <-t.C:
		}
		if now := m.srv.Requests(); now == seen {
			// No connection may be accepted from the check to the exec.
			if !m.srv.Quiesce() {
				m.srv.Unquiesce()
				log.Tracef("Not hibernating yet: a client is connected")
			} else if err := m.quiet(in); err != nil {
				m.srv.Unquiesce()
				log.Tracef("Not hibernating yet: %v", err)
			} else if err := m.hibernate(in); err != nil {
				m.srv.Unquiesce()
				log.Warnf("Failed to hibernate the monitor, staying a Go process: %v", err)
				return in.proc.wait()
			}
		} else {
			seen = now
		}
		t.Reset(idle)
	}
}

// hibernate execs the C loop; it returns only on failure.
func (m *monitor) hibernate(in *instance) error {
	st, err := m.hibernateState(in)
	if err != nil {
		return err
	}
	owned := st.ownFDs() // ours alone, closed on failure
	defer func() { closeFDs(owned) }()
	stateFD, err := memfdWith("golxc-monitor-state", func() ([]byte, error) { return json.Marshal(st) })
	if err != nil {
		return err
	}
	owned = append(owned, stateFD)
	consoleFD := -1
	if st.Console != nil {
		consoleFD = st.Console.Master
	}
	table := &nsexec.HibernateTable{ListenFD: st.ListenFD, PidFD: st.PidFD, ConsoleFD: consoleFD,
		StateFD: stateFD, UID: uint32(os.Getuid()), GID: uint32(os.Getgid()), Comm: st.Comm,
		Entries: m.hibernateTable(in, st.CgroupDirs)}
	if table.Guards, err = freezerGuards(st.GuardFDs); err != nil {
		return err
	}
	tableFD, err := memfdWith("golxc-monitor-answers", table.Encode)
	if err != nil {
		return err
	}
	owned = append(owned, tableFD)
	keep := append(st.fds(), stateFD, tableFD)
	for _, fd := range keep {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err != nil {
			restoreCloexec(keep)
			return fmt.Errorf("keep fd %d across the exec: %w", fd, err)
		}
	}
	env := append(os.Environ(), fmt.Sprintf("%s=%d", nsexec.EnvHibernate, tableFD))
	log.Debugf("Hibernating the monitor (%d answers, %d descriptors kept)", len(table.Entries), len(keep))
	err = syscall.Exec("/proc/self/exe", []string{monitorTitle(m.o)}, env)
	restoreCloexec(keep)
	return fmt.Errorf("exec the hibernating monitor: %w", err)
}

func restoreCloexec(fds []int) {
	for _, fd := range fds {
		unix.CloseOnExec(fd)
	}
}

// memfdWith makes a memfd (kept across exec) holding what content returns.
func memfdWith(name string, content func() ([]byte, error)) (int, error) {
	b, err := content()
	if err != nil {
		return -1, err
	}
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("memfd %s: %w", name, err)
	}
	for off := 0; off < len(b); {
		n, err := unix.Pwrite(fd, b[off:], int64(off))
		if err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("memfd %s: %w", name, err)
		}
		off += n
	}
	return fd, nil
}

// hibernateState records the monitor; ListenFD is a fresh duplicate.
func (m *monitor) hibernateState(in *instance) (*hibernateState, error) {
	snap, err := in.cg.cg.Snapshot()
	if err != nil {
		return nil, err
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	lf, level := log.File()
	logFD := -1
	if lf != nil {
		// The descriptor itself, not the *os.File: its finalizer must
		// not close it.
		var err error
		if logFD, err = unix.Dup(int(lf.Fd())); err != nil {
			logFD = -1
		}
		unix.CloseOnExec(logFD)
		lf.Close()
	}
	var net *network.Snapshot
	if sn, ok := in.net.(interface {
		Snapshot() (network.Snapshot, error)
	}); ok {
		snap, err := sn.Snapshot()
		if err != nil {
			closeFDs([]int{logFD})
			return nil, err
		}
		net = &snap
	}
	st := &hibernateState{LogFD: logFD, Net: net, LogLevel: level, LogPrefix: log.Prefix(),
		Options: m.o, ConfigName: m.cfg.File(), Config: m.cfg.Text(),
		Comm:  strings.TrimSuffix(string(comm), "\n"),
		Flags: in.flags, Pid: in.pid, PidFD: in.proc.p.PidFD(), Cgroups: snap, CgroupFD: in.cg.payloadFD(),
		NS: map[string]int{},
	}
	if c := in.con; c != nil {
		hc := &hibernateConsole{Master: int(c.pty.master.Fd()), SlavePath: c.pty.slavePath, Log: -1}
		if c.log != nil {
			hc.Log = int(c.log.Fd())
		}
		if c.ring != nil {
			hc.RingSize, hc.Ring = c.ring.size, c.ring.Bytes()
		}
		st.Console = hc
	}
	for _, t := range in.ttys {
		held := -1
		if t.held != nil {
			held = int(t.held.Fd())
		}
		st.TTYs = append(st.TTYs, hibernateTTY{Master: int(t.master.Fd()), Held: held})
	}
	for name, f := range in.nsFiles {
		st.NS[name] = int(f.Fd())
	}
	st.ListenFD = -1
	for _, p := range in.cg.cg.FreezerFiles() {
		// O_PATH: an open kernfs file keeps a page of seq_file buffer
		// from its first read until it is closed (12 KiB per idle
		// container for the three files); the loop reopens the file
		// through /proc/self/fd for each check instead (guarded()).
		fd, err := unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			closeFDs(st.ownFDs())
			return nil, fmt.Errorf("open %s: %w", p, err)
		}
		st.GuardFDs = append(st.GuardFDs, fd)
	}
	for c := range in.cg.cg.Paths() {
		for _, limit := range []bool{false, true} {
			dir, v2, err := in.cg.controllerDir(c, limit)
			if err != nil {
				continue // answered as an error, without a descriptor
			}
			fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
			if err != nil {
				closeFDs(st.ownFDs())
				return nil, fmt.Errorf("open %s: %w", dir, err)
			}
			st.CgroupDirs = append(st.CgroupDirs, cgroupDirFD{Controller: c, Limit: limit, V2: v2, FD: fd})
		}
	}
	if st.ListenFD, err = m.srv.ListenerFD(); err != nil {
		closeFDs(st.ownFDs())
		return nil, err
	}
	return st, nil
}

// freezerGuards make the loop hand every request to the Go monitor once
// the freezer files read differently from now (someone froze the
// container behind the monitor's back: GET_STATE must say FROZEN).
func freezerGuards(fds []int) ([]nsexec.HibernateGuard, error) {
	var gs []nsexec.HibernateGuard
	for _, fd := range fds {
		b, err := readGuard(fd)
		if err != nil {
			return nil, fmt.Errorf("read freezer state: %w", err)
		}
		gs = append(gs, nsexec.HibernateGuard{FD: fd, Content: b})
	}
	return gs, nil
}

// readGuard reads the file a guard's O_PATH descriptor names as the loop
// does: a fresh open through /proc/self/fd, read from offset 0, closed.
func readGuard(fd int) ([]byte, error) {
	r, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", fd), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(r)
	b := make([]byte, 257)
	n, err := unix.Pread(r, b, 0)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

func closeFDs(fds []int) {
	for _, fd := range fds {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}

// hibernateTable renders the answers the C loop may give, by asking this
// monitor's own handler: every decision stays here.
func (m *monitor) hibernateTable(in *instance, dirs []cgroupDirFD) []nsexec.HibernateEntry {
	var out []nsexec.HibernateEntry
	ask := func(cmd cmdsock.Cmd, data []byte, batchable bool) {
		var r *cmdsock.Response
		switch cmd {
		case cmdsock.GetName:
			r = str(m.o.Name)
		case cmdsock.GetLXCPath:
			r = str(m.o.LXCPath)
		default:
			r = m.Serve(&cmdsock.Request{Cmd: cmd, Data: data})
		}
		if r == nil || len(r.Fds) > 0 {
			return // a hang-up or a descriptor: the Go monitor answers
		}
		out = append(out, nsexec.HibernateEntry{Cmd: int32(cmd), Data: data, Batchable: batchable,
			Ret: r.Ret, RespVal: r.Value, RespData: r.Data, FD: -1})
	}
	for _, c := range []cmdsock.Cmd{cmdsock.GetState, cmdsock.GetInitPID, cmdsock.GetCloneFlags,
		cmdsock.GetName, cmdsock.GetLXCPath} {
		ask(c, nil, true)
	}
	for _, k := range m.configKeys() {
		ask(cmdsock.GetConfigItem, append([]byte(k), 0), true)
	}
	ctls := []string{""}
	for c := range in.cg.cg.Paths() {
		ctls = append(ctls, c)
	}
	for _, c := range ctls {
		var data []byte
		if c != "" {
			data = append([]byte(c), 0)
		}
		ask(cmdsock.GetCgroup, data, true)
		ask(cmdsock.GetLimitCgroup, data, true)
	}
	// GET_(LIMIT_)CGROUP_FD as LXC's cgroup_get and cgroup_set ask them
	// (lxc-info's statistics, lxc-cgroup): the controller in a zeroed
	// struct cgroup_fd whose fd is -EBADF. The loop passes the directory
	// it holds; a controller without one is answered as the monitor does.
	have := map[cgroupDirFD]bool{}
	for _, d := range dirs {
		req, err := cmdsock.CgroupFD{FD: -int32(unix.EBADF), Controller: d.Controller}.Encode()
		if err != nil {
			continue
		}
		a := cmdsock.CgroupFD{Layout: in.cg.lxcLayout(), Type: cmdsock.CgroupSuperMagic, FD: int32(d.FD), Controller: d.Controller}
		if d.V2 {
			a.Type = cmdsock.Cgroup2SuperMagic
		}
		data, err := a.Encode()
		if err != nil {
			continue
		}
		cmd := cmdsock.GetCgroupFD
		if d.Limit {
			cmd = cmdsock.GetLimitCgroupFD
		}
		out = append(out, nsexec.HibernateEntry{Cmd: int32(cmd), Data: req, RespData: data, FD: d.FD})
		have[cgroupDirFD{Controller: d.Controller, Limit: d.Limit}] = true
	}
	for c := range in.cg.cg.Paths() {
		req, err := cmdsock.CgroupFD{FD: -int32(unix.EBADF), Controller: c}.Encode()
		if err != nil {
			continue
		}
		for _, limit := range []bool{false, true} {
			if have[cgroupDirFD{Controller: c, Limit: limit}] {
				continue
			}
			if r := m.cgroupFD(&cmdsock.Request{Data: req}, in, limit); r != nil && len(r.Fds) == 0 {
				cmd := cmdsock.GetCgroupFD
				if limit {
					cmd = cmdsock.GetLimitCgroupFD
				}
				out = append(out, nsexec.HibernateEntry{Cmd: int32(cmd), Data: req, Ret: r.Ret, RespVal: r.Value, RespData: r.Data, FD: -1})
			}
		}
	}
	// init's pidfd: the loop sends the one it holds.
	out = append(out, nsexec.HibernateEntry{Cmd: int32(cmdsock.GetInitPidFD), FD: in.proc.p.PidFD()})
	// lxc-wait for the state the container is in.
	var set cmdsock.StateSet
	set[cmdsock.RUNNING] = 1
	out = append(out, nsexec.HibernateEntry{Cmd: int32(cmdsock.AddStateClient), Data: cmdsock.EncodeStateSet(set),
		Ret: int32(cmdsock.RUNNING), RespVal: int64(cmdsock.RUNNING), FD: -1})
	return out
}

// configKeys are the keys GET_CONFIG_ITEM is answered for while
// hibernated: every key the parser knows, and the network keys of this
// container's devices and of the next two indexes (lxc-info asks
// lxc.net.N.type until the answer is empty). Any other key wakes the Go
// monitor.
func (m *monitor) configKeys() []string {
	keys := m.cfg.Keys("")
	for i := 0; i < len(m.spec.Net)+2; i++ {
		prefix := fmt.Sprintf("lxc.net.%d.", i)
		subs := append([]string{"type", "veth.pair", "link"}, m.cfg.Keys(prefix)...)
		seen := map[string]bool{}
		for _, sub := range subs {
			if !seen[sub] {
				seen[sub] = true
				keys = append(keys, prefix+sub)
			}
		}
	}
	return keys
}

// Where a resumed monitor gets its configuration: the text it had, not
// the file as it is now (LXC answers from the configuration it started with).
func loadHibernatedConfig(st *hibernateState) (*config.Config, *config.Spec, error) {
	cfg := config.New()
	if err := cfg.LoadBytes(st.ConfigName, st.Config); err != nil {
		return nil, nil, err
	}
	spec, err := cfg.Spec()
	if err != nil {
		return nil, nil, err
	}
	return cfg, spec, nil
}
