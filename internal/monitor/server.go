package monitor

import (
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
)

// Serve answers the command socket (cmdsock.Handler).
func (m *monitor) Serve(req *cmdsock.Request) *cmdsock.Response {
	defer m.mem.afterRequest()
	st0, in := m.rawState()
	st := st0
	if req.Cmd == cmdsock.GetState || req.Cmd == cmdsock.AddStateClient {
		// Only these report the state: the freezer is read for them alone.
		st = m.liveState(st0, in)
	}
	log.Tracef("Processing command %s", req.Cmd)
	switch req.Cmd {
	case cmdsock.GetState:
		return &cmdsock.Response{Value: int64(st)}
	case cmdsock.AddStateClient:
		// The state must not move between reading it and registering.
		// The freezer is read first: the lock is not held for file reads.
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.state != st0 {
			st = m.state
		}
		return req.AnswerAddStateClient(st)
	case cmdsock.ServeStateClients:
		// LXC's freeze client on cgroup v1 reports FREEZING/FROZEN/THAWED
		// this way; like LXC the monitor adopts the state it announces
		// (the client itself writes the monitor FIFO).
		st := cmdsock.State(int32(req.Value))
		if !st.Valid() {
			return errno(unix.EINVAL)
		}
		m.adoptState(st)
		return &cmdsock.Response{}
	case cmdsock.GetName:
		return str(m.o.Name)
	case cmdsock.GetLXCPath:
		return str(m.o.LXCPath)
	case cmdsock.GetConfigItem:
		v, err := m.configItem(cString(req.Data))
		// LXC answers -1 for an empty value too; lxc-ls takes any
		// answered lxc.idmap as "unprivileged".
		if err != nil || v == "" {
			return &cmdsock.Response{Ret: -1}
		}
		return str(v)
	}
	if req.Cmd == cmdsock.Stop {
		return m.stop(req)
	}
	// Everything below needs a live init, and one whose setup is over.
	if heldDuringSetup(st0, req.Cmd) {
		log.Debugf("Holding %s until the container's setup is over (it is %s)", req.Cmd, st0)
		_, in = m.waitSetupOver()
	}
	proc := m.initOf(in)
	if proc == nil || proc.exited() {
		return errno(unix.ESRCH)
	}
	switch req.Cmd {
	case cmdsock.GetInitPID:
		return &cmdsock.Response{Value: int64(in.pid)}
	case cmdsock.GetCloneFlags:
		return &cmdsock.Response{Value: int64(in.flags)}
	case cmdsock.GetInitPidFD:
		fd, err := unix.PidfdOpen(in.pid, 0)
		if err != nil {
			return errno(err)
		}
		return m.withFd(req, fd)
	case cmdsock.GetCgroup, cmdsock.GetLimitCgroup:
		p, err := in.cg.path(cString(req.Data))
		if err != nil {
			return errno(unix.ENOENT)
		}
		return str(p)
	case cmdsock.GetCgroupFD, cmdsock.GetLimitCgroupFD:
		return m.cgroupFD(req, in, req.Cmd == cmdsock.GetLimitCgroupFD)
	case cmdsock.GetCgroup2FD, cmdsock.GetLimitCgroup2FD:
		// LXC hands out cgroup2 fds only on a pure cgroup2 host; on a
		// hybrid one its clients must fall back to the v1 paths (a fd of
		// the empty v2 tree would make lxc-cgroup and lxc-freeze act on
		// the wrong hierarchy).
		if !in.cg.pureUnified() {
			return errno(unix.EINVAL)
		}
		fd := in.cg.payloadFD()
		if fd < 0 {
			return errno(unix.ENOSYS)
		}
		dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return errno(err)
		}
		return m.withFd(req, dup)
	case cmdsock.AddBPFDeviceCgroup:
		return addDeviceRule(req, in)
	case cmdsock.Freeze:
		return m.freeze(in, time.Duration(int32(req.Value))*time.Second)
	case cmdsock.Unfreeze:
		return m.thaw(in)
	case cmdsock.GetTTYFD:
		return m.ttyFD(req, in)
	case cmdsock.ConsoleLog:
		return m.consoleLog(req, in)
	case cmdsock.TerminalWinch:
		return nil
	}
	return errno(unix.ENOSYS)
}

// cgroupFD answers GET_(LIMIT_)CGROUP_FD as LXC 5.0.2 does: the named
// controller's payload directory as a descriptor plus struct cgroup_fd;
// "" means the cgroup2 tree and is refused unless the host is pure cgroup2.
func (m *monitor) cgroupFD(req *cmdsock.Request, in *instance, limit bool) *cmdsock.Response {
	q, err := cmdsock.DecodeCgroupFD(req.Data)
	if err != nil {
		return errno(unix.EINVAL)
	}
	dir, v2, err := in.cg.controllerDir(q.Controller, limit)
	if err != nil {
		return errno(err)
	}
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return errno(err)
	}
	a := cmdsock.CgroupFD{Layout: in.cg.lxcLayout(), Type: cmdsock.CgroupSuperMagic, FD: int32(fd), Controller: q.Controller}
	if v2 {
		a.Type = cmdsock.Cgroup2SuperMagic
	}
	data, err := a.Encode()
	if err != nil {
		unix.Close(fd)
		return errno(unix.EINVAL)
	}
	resp := m.withFd(req, fd)
	resp.Data = data
	return resp
}

// withFd answers with fd; our copy is closed when the client hangs up
// (the server only borrows descriptors of a Response).
func (m *monitor) withFd(req *cmdsock.Request, fd int) *cmdsock.Response {
	req.Keep(func() { unix.Close(fd) })
	return &cmdsock.Response{Fds: []int{fd}}
}

// stop serves STOP: init gets lxc.signal.stop (SIGKILL by default) and
// the connection is hung up when the monitor exits, as LXC answers a
// successful stop. The monitor is halting from then on: no reboot
// follows, and a boot still in setup aborts (boot checks halting once
// setup is over, setup before its costly steps), so a stop that overtakes
// a start is not lost. A setup stage already spawned gets SIGKILL, not
// lxc.signal.stop: it is not the container's init yet, and as PID 1 of
// its namespace it would not get a signal it has no handler for. An
// init that has exited already gets ESRCH: the teardown is on its way.
func (m *monitor) stop(req *cmdsock.Request) *cmdsock.Response {
	st, in, proc := m.runState(true)
	switch {
	case proc == nil:
		// No init spawned for this boot (a boot's init is never reset):
		// the boot aborts (halting is set) or has failed, and the monitor
		// exits either way, which answers the stop.
		log.Infof("Stop requested before init was spawned: the start of %q is aborted", m.o.Name)
		req.Keep(nil)
		return nil
	case proc.exited():
		return errno(unix.ESRCH)
	case st == cmdsock.STARTING:
		log.Infof("Stop requested during setup: killing the setup stage %d, the start of %q is aborted", in.pid, m.o.Name)
		m.killInit(in)
		req.Keep(nil)
		return nil
	}
	sig := m.spec.Signals.Stop
	if sig == 0 {
		sig = syscall.SIGKILL
	}
	if err := proc.signal(sig); err != nil {
		return errno(err)
	}
	log.Infof("sent signal %d to init %d (stop command)", int(sig), in.pid)
	// A frozen container cannot act on the signal: thaw it (and keep
	// it thawed) until init is gone, as LXC thaws after its stop.
	m.thawUntilExit(in)
	req.Keep(nil)
	return nil
}

func (m *monitor) freeze(in *instance, timeout time.Duration) *cmdsock.Response {
	m.setState(cmdsock.FREEZING)
	log.Debugf("Freezing the cgroups of %q (timeout %v)", m.o.Name, timeout)
	err := in.cg.freeze(timeout, in.kill.started)
	// A kill that began meanwhile wins: the container is going away and
	// the killer thaws it; it must not be announced FROZEN.
	if in.kill.begun() {
		log.Debugf("Freeze of %q overtaken by a kill", m.o.Name)
		return errno(unix.ESRCH)
	}
	if err != nil {
		log.Debugf("Failed to freeze %q: %v", m.o.Name, err)
		m.setState(cmdsock.RUNNING)
		return errno(err)
	}
	m.setState(cmdsock.FROZEN)
	return &cmdsock.Response{}
}

func (m *monitor) thaw(in *instance) *cmdsock.Response {
	log.Debugf("Thawing the cgroups of %q", m.o.Name)
	if err := in.cg.thaw(); err != nil {
		log.Debugf("Failed to thaw %q: %v", m.o.Name, err)
		m.setState(cmdsock.FROZEN)
		return errno(err)
	}
	m.setState(cmdsock.THAWED)
	m.setState(cmdsock.RUNNING)
	return &cmdsock.Response{}
}

// ttyFD hands out a terminal master: 0 = console (through a proxy pty),
// N = ttyN, -1 = the first tty not in use. The slot stays taken while the
// client keeps the connection.
func (m *monitor) ttyFD(req *cmdsock.Request, in *instance) *cmdsock.Response {
	n := int(int32(req.Value))
	if n == 0 {
		if in.con == nil {
			return errno(unix.ENODEV)
		}
		f, err := in.con.attach()
		if err != nil {
			return errno(err)
		}
		req.Keep(func() { f.Close() })
		log.Tracef("Handed the console to a client")
		return &cmdsock.Response{Value: 0, Fds: []int{int(f.Fd())}}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if n < 0 {
		for i := range in.ttys {
			if !in.ttyBusy(i) {
				n = i + 1
				break
			}
		}
	}
	if n < 1 || n > len(in.ttys) || in.ttyBusy(n-1) {
		log.Debugf("No free tty for a console client (asked for %d, %d ttys)", int(int32(req.Value)), len(in.ttys))
		return errno(unix.EBUSY)
	}
	fd, err := dupFD(in.ttys[n-1].master)
	if err != nil {
		return errno(err)
	}
	log.Tracef("Handed tty %d to a console client", n)
	h := &ttyHold{gone: req.PeerGone()}
	in.setTTYHolder(n-1, h)
	req.Keep(func() {
		unix.Close(fd)
		m.mu.Lock()
		if in.ttyHolders[n-1] == h { // not handed out again meanwhile
			in.ttyHolders[n-1] = nil
		}
		m.mu.Unlock()
	})
	return &cmdsock.Response{Value: int64(n), Fds: []int{fd}}
}

func (m *monitor) consoleLog(req *cmdsock.Request, in *instance) *cmdsock.Response {
	r, err := cmdsock.DecodeConsoleLogRequest(req.Data)
	if err != nil {
		return errno(unix.EINVAL)
	}
	var ring *ringBuffer
	if in.con != nil {
		ring = in.con.ring
	}
	data, ret := consoleLogAnswer(ring, r)
	if ret != 0 {
		return errno(ret)
	}
	return &cmdsock.Response{Data: data}
}

// consoleLogAnswer is LXC's CONSOLE_LOG: EFAULT without a ring buffer,
// ENODATA for a read of an empty one; a read returns up to ReadMax of the
// oldest bytes and consumes them, unless Clear empties the ring.
func consoleLogAnswer(ring *ringBuffer, r cmdsock.ConsoleLogRequest) ([]byte, unix.Errno) {
	if ring == nil {
		return nil, unix.EFAULT
	}
	var out []byte
	if r.Read {
		out = ring.Bytes()
		if len(out) == 0 {
			return nil, unix.ENODATA
		}
		if r.ReadMax > 0 && r.ReadMax <= uint64(len(out)) {
			out = out[:r.ReadMax]
		}
	}
	if r.Clear {
		ring.Clear()
	} else {
		ring.Discard(len(out))
	}
	return out, 0
}

// ttyHold is the console client holding a tty; gone says it hung up,
// before the connection's reader has noticed.
type ttyHold struct{ gone func() bool }

func (in *instance) ttyBusy(i int) bool {
	return i < len(in.ttyHolders) && in.ttyHolders[i] != nil && !in.ttyHolders[i].gone()
}

func (in *instance) setTTYHolder(i int, h *ttyHold) {
	for len(in.ttyHolders) <= i {
		in.ttyHolders = append(in.ttyHolders, nil)
	}
	in.ttyHolders[i] = h
}

func str(s string) *cmdsock.Response { return &cmdsock.Response{Data: append([]byte(s), 0)} }

func errno(err error) *cmdsock.Response {
	if e, ok := err.(syscall.Errno); ok {
		return &cmdsock.Response{Ret: -int32(e)}
	}
	return &cmdsock.Response{Ret: -int32(unix.EIO)}
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// dupFD duplicates f's descriptor without Fd(), which would switch the
// file to blocking mode.
func dupFD(f *os.File) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd, dupErr := -1, error(nil)
	if err := rc.Control(func(u uintptr) { fd, dupErr = unix.FcntlInt(u, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return -1, err
	}
	return fd, dupErr
}

// initOf is in's init process, read under mu: setup sets it while the
// command goroutines already answer.
func (m *monitor) initOf(in *instance) *initProcess {
	if in == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return in.proc
}

// heldDuringSetup: which commands wait while a boot is still in setup
// (STARTING, or ABORTING its failed setup). Its init is not the
// container's yet: its root, mounts and credentials are still being made,
// and the monitor waits for it step by step. A freeze then (lxc-freeze,
// or an attached process writing the freezer) would stop init between two
// steps and the start would wait forever; an attach would join a
// half-made container. LXC serves no command before its mainloop runs,
// after setup, so its clients wait; golxc answers the state, name, path
// and config at once and holds the rest until setup is over. A stop is
// never held: it aborts the start.
func heldDuringSetup(st cmdsock.State, cmd cmdsock.Cmd) bool {
	return (st == cmdsock.STARTING || st == cmdsock.ABORTING) && cmd != cmdsock.Stop
}

// waitSetupOver returns the state and boot once the state has left
// STARTING and ABORTING (RUNNING, or STOPPED after a failed start).
func (m *monitor) waitSetupOver() (cmdsock.State, *instance) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.moved == nil {
		m.moved = sync.NewCond(&m.mu)
	}
	for m.state == cmdsock.STARTING || m.state == cmdsock.ABORTING {
		m.moved.Wait()
	}
	return m.state, m.run
}
