package monitor

import (
	"fmt"
	"os"
	"syscall"

	"github.com/golxc/golxc/internal/execinit"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/spawn"
)

// initProcess wraps the spawned container init: its sync socket for the
// setup handshake and a single wait shared by every caller.
type initProcess struct {
	p    *spawn.Process
	pid  int
	sync *os.File

	done chan struct{}
	ws   syscall.WaitStatus
}

// spawnInit starts the init stage in new namespaces, inside the payload
// cgroup, with the console as stdio.
// With plan, init is the C executor: it runs the exec plan handshake sends.
func (m *monitor) spawnInit(in *instance, logFD, plan bool) (*initProcess, error) {
	req := spawn.Request{
		Mode:       spawn.Create,
		CloneFlags: in.flags,
		UIDMap:     idMaps(m.spec.IDMap, 'u'),
		GIDMap:     idMaps(m.spec.IDMap, 'g'),
		Stage:      initStageName,
		Pdeathsig:  pdeathSignal(m),
		CgroupFD:   in.cg.payloadFD(),
		Setsid:     true,
		// Forked on boot's locked thread, which hibernation execs from
		// (boot locks only a monitor that may hibernate).
		CallerThread: true,
		// The intermediate joins the payload cgroups before the cgroup
		// namespace is unshared, so init's cgroup ns is rooted there.
		Prepare: in.cg.enter,
		Share:   sharedNS(in.nsFiles, m.spec.NamespaceShare),
	}
	if plan {
		req.ExecPlan = true
		if m.o.Execute {
			req.Argv0 = execinit.Argv0 // lxc-execute's PID 1 stays this process
		}
	}
	if in.inProcessInit {
		req.NarrowCaps, req.CapKeep, req.Argv0 = true, in.capKeep, execinit.Argv0
		req.NoNewPrivs = m.spec.NoNewPrivs
	}
	var stdio []*os.File
	switch {
	case in.con != nil:
		slave, err := in.con.pty.openSlave()
		if err != nil {
			return nil, fmt.Errorf("open console %s: %w", in.con.pty.slavePath, err)
		}
		defer slave.Close()
		stdio = []*os.File{slave, slave, slave}
	case m.spec.Console.Path != "" && m.spec.Console.Path != "none":
		dev, err := os.OpenFile(m.spec.Console.Path, os.O_RDWR|syscall.O_NOCTTY, 0)
		if err != nil {
			return nil, fmt.Errorf("lxc.console.path %s: %w", m.spec.Console.Path, err)
		}
		defer dev.Close()
		stdio = []*os.File{dev, dev, dev}
	case m.o.Daemonize:
		null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
		if err != nil {
			return nil, err
		}
		defer null.Close()
		stdio = []*os.File{null, null, null}
	default: // foreground without a terminal: init gets our stdio
		stdio = []*os.File{os.Stdin, os.Stdout, os.Stderr}
	}
	req.Stdin, req.Stdout, req.Stderr = stdio[0], stdio[1], stdio[2]
	if logFD {
		// The stage's fd 3: it logs its steps (mounts, pivot, caps,
		// seccomp, exec) to our file whatever its own view of the host,
		// and closes it before exec'ing the container's init.
		lf, _ := log.File()
		if lf == nil {
			return nil, fmt.Errorf("spawn container init: duplicate the log file descriptor")
		}
		defer lf.Close()
		req.ExtraFiles = []*os.File{lf}
	}
	p, err := spawn.Start(req)
	if err != nil {
		// A failed first move (Prepare joins it) fails the start with
		// newCgroups' line, as when it ran there.
		if err := in.cg.joinFirst(); err != nil {
			return nil, err
		}
		if err := shareError(err, m.spec.NamespaceShare); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("spawn container init: %w", err)
	}
	ip := &initProcess{p: p, pid: p.Pid, sync: p.Sync, done: make(chan struct{})}
	go ip.waitLoop()
	return ip, nil
}

func pdeathSignal(m *monitor) syscall.Signal {
	if m.spec.MonitorPdeathDisable {
		return 0
	}
	if m.spec.MonitorPdeathSignal != 0 {
		return m.spec.MonitorPdeathSignal
	}
	return syscall.SIGKILL
}

func (ip *initProcess) waitLoop() {
	ws, _ := ip.p.Wait()
	ip.ws = ws
	close(ip.done)
}

func (ip *initProcess) wait() syscall.WaitStatus {
	<-ip.done
	return ip.ws
}

func (ip *initProcess) exited() bool {
	select {
	case <-ip.done:
		return true
	default:
		return false
	}
}

func (ip *initProcess) signal(sig syscall.Signal) error {
	if ip.exited() {
		return syscall.ESRCH
	}
	return ip.p.Signal(sig)
}

func (ip *initProcess) kill() { _ = ip.signal(syscall.SIGKILL) }

func (ip *initProcess) send(v any) error { return spawn.Send(ip.sync, v) }
func (ip *initProcess) recv(v any) error { return spawn.Recv(ip.sync, v) }

func (ip *initProcess) closeSync() {
	if ip.sync != nil {
		ip.sync.Close()
		ip.sync = nil
	}
}

// release drops the handles once init is gone.
func (ip *initProcess) release() { ip.closeSync() }
