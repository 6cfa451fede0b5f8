package monitor

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/network"
	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/spawn"
)

// A monitor woken from hibernation runs on the main thread: the C loop
// exec'd it from the thread that is init's parent, and init's
// parent-death signal fires if that thread ever exits.
func init() {
	if os.Getenv(nsexec.EnvResume) != "" {
		runtime.LockOSThread()
	}
}

// ResumeIfRequested carries on as the monitor when the hibernating C loop
// exec'd this process (nsexec.EnvResume); otherwise it returns at once.
// Call it at the top of main, on the main goroutine.
func ResumeIfRequested() {
	v := os.Getenv(nsexec.EnvResume)
	if v == "" {
		return
	}
	os.Unsetenv(nsexec.EnvResume)
	r, err := nsexec.ParseResume(v)
	if err != nil {
		os.Exit(1)
	}
	code, _ := resume(r)
	os.Exit(code)
}

func readState(fd int) (*hibernateState, error) {
	f := os.NewFile(uintptr(fd), "monitor state")
	defer f.Close()
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<30))
	if err != nil {
		return nil, err
	}
	st := &hibernateState{}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, err
	}
	return st, nil
}

// resume rebuilds the monitor from the state the hibernating process
// kept, answers what woke it, and supervises the container as before.
func resume(r nsexec.Resume) (int, error) {
	st, err := readState(r.StateFD)
	if err != nil {
		// Nothing to carry on with: exiting makes init go (parent-death
		// signal) and the next start sweeps what is left.
		return 1, err
	}
	for _, fd := range st.fds() {
		unix.CloseOnExec(fd)
	}
	if r.ConnFD >= 0 {
		unix.CloseOnExec(r.ConnFD)
	}
	closeFDs(st.GuardFDs)
	for _, d := range st.CgroupDirs {
		unix.Close(d.FD)
	}
	if st.Comm != "" {
		if p, err := unix.BytePtrFromString(st.Comm); err == nil {
			_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(p)), 0, 0, 0)
		}
	}
	m := &monitor{o: st.Options, rep: &reporter{done: true}, state: cmdsock.RUNNING}
	if m.cfg, m.spec, err = loadHibernatedConfig(st); err != nil {
		return 1, err
	}
	if st.LogFD >= 0 {
		log.SetupFile(st.LogPrefix, m.o.Name, os.NewFile(uintptr(st.LogFD), "log"), st.LogLevel)
	} else if err := log.Setup(st.LogPrefix, m.o.Name, "", st.LogLevel, true); err != nil {
		return 1, err
	}
	log.Debugf("Monitor resumed from hibernation (%s)", wakeReason(r))
	in, err := m.restoreInstance(st)
	if err != nil {
		log.Errorf("Cannot resume the monitor of %q: %v", m.o.Name, err)
		return 1, err
	}
	m.run = in
	if m.srv, err = cmdsock.Adopt(st.ListenFD, m.o.LXCPath, m.o.Name, m); err != nil {
		log.Errorf("%v", err)
		return 1, err
	}
	defer m.srv.Close()
	if m.o.PidFile != "" {
		defer os.Remove(m.o.PidFile)
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	// No signal.Stop: the process exits after (ResumeIfRequested), as a
	// daemon does (monitor.main says why that matters to lxc-stop).
	go m.handleSignals(sigs)
	if r.Signal > 0 {
		sigs <- syscall.Signal(r.Signal) // the one the loop took for us
	}
	if r.ConnFD >= 0 {
		if err := m.srv.ServeFD(r.ConnFD); err != nil {
			log.Warnf("Dropped the connection that woke the monitor: %v", err)
		}
	}
	return m.supervise(in)
}

func wakeReason(r nsexec.Resume) string {
	switch r.Reason {
	case 'e':
		return "init exited"
	case 'c':
		return "a request to answer"
	case 's':
		return fmt.Sprintf("signal %d", r.Signal)
	case 't':
		return "console output"
	}
	return "unknown reason"
}

// restoreInstance rebuilds the running boot from the state.
func (m *monitor) restoreInstance(st *hibernateState) (*instance, error) {
	in := &instance{kill: newKiller(), flags: st.Flags, pid: st.Pid, nsFiles: map[string]*os.File{}}
	in.proc = &initProcess{p: spawn.Adopt(st.Pid, st.PidFD), pid: st.Pid, done: make(chan struct{})}
	go in.proc.waitLoop()
	layout, err := cgroup.Detect()
	if err != nil {
		return nil, fmt.Errorf("detect cgroups: %w", err)
	}
	cg, err := cgroup.Restore(layout, st.Cgroups)
	if err != nil {
		return nil, err
	}
	in.cg = &cgroups{layout: cg.Layout(), cg: cg}
	if st.CgroupFD >= 0 {
		in.cg.fd = os.NewFile(uintptr(st.CgroupFD), "payload cgroup")
	}
	if c := st.Console; c != nil {
		con := &console{pty: &pty{master: os.NewFile(uintptr(c.Master), c.SlavePath), slavePath: c.SlavePath},
			closing: make(chan struct{})}
		if c.Log >= 0 {
			con.log = os.NewFile(uintptr(c.Log), "console log")
		}
		if c.RingSize > 0 {
			con.ring = newRingBuffer(c.RingSize)
			_, _ = con.ring.Write(c.Ring)
		}
		con.wg.Add(1)
		go con.pump()
		in.con = con
	}
	for _, t := range st.TTYs {
		p := &pty{master: os.NewFile(uintptr(t.Master), "tty")}
		if t.Held >= 0 {
			p.held = os.NewFile(uintptr(t.Held), "tty slave")
		}
		in.ttys = append(in.ttys, p)
	}
	for name, fd := range st.NS {
		in.nsFiles[name] = os.NewFile(uintptr(fd), name)
	}
	netp := NetParams{Name: m.o.Name, LXCPath: m.o.LXCPath, Spec: m.spec,
		NetnsShared: in.flags&unix.CLONE_NEWNET == 0, Hook: m.hookContext()}
	if st.Net != nil {
		n, err := network.Restore(network.Params{Name: netp.Name, LXCPath: netp.LXCPath, Spec: netp.Spec,
			NetnsShared: netp.NetnsShared, Hook: netp.Hook}, *st.Net)
		if err != nil {
			return nil, err
		}
		in.net = noNet{}
		if n != nil {
			in.net = n
		}
	} else if in.net, err = NewNetSetup(netp); err != nil {
		return nil, err
	}
	return in, nil
}
