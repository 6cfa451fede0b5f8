package monitor

import (
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/hooks"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/spawn"
)

func init() {
	spawn.RegisterStage(initStageName, initStage)
	// The init stage must set up and exec from the main thread: only it
	// carries the parent-death signal nsexec armed before the Go runtime
	// started (threads begin with none, and exec keeps the exec'ing
	// thread's). Locking during package init keeps main, and so the stage,
	// on the main thread. Without it, an init outlived a killed monitor
	// whenever the stage goroutine had migrated to another thread.
	if info, ok := nsexec.Stage(); ok && info.Name == initStageName {
		runtime.LockOSThread()
	}
}

// initStage runs in the new namespaces (PID 1 of the container, still
// seeing the host filesystem in a private mount namespace). It builds the
// rootfs, runs the in-container hooks and becomes the container's init.
// It is the fallback: containers normally run the same steps as an exec
// plan without any Go runtime (initplan.go says which configs need this).
func initStage(sync *os.File, _ []string) int {
	var m setupMsg
	if err := spawn.Recv(sync, &m); err != nil {
		return 1
	}
	setupStageLog(&m)
	fail := func(err error) int {
		_ = spawn.Send(sync, childMsg{Error: err.Error()})
		return 1
	}
	// The console stays nobody's controlling terminal, as with LXC: init
	// (a session leader with no terminal) leaves it to the getty or shell
	// it starts there, which need it for job control.

	hc := hookContext(&m)
	runHook := func(typ string) error {
		return hooks.Run(typ, m.Spec.Hooks[typ], hc)
	}
	ttys, err := prepareRootfs(&m, runHook)
	if err != nil {
		return fail(err)
	}
	// The monitor serves the ttys (lxc-console -t N) from their masters;
	// this process must not keep them (the payload would inherit none,
	// they are close-on-exec, but lxc-execute's init never execs).
	err = sendTTYs(sync, ttys)
	closeAll(ttys)
	if err != nil {
		return 1
	}
	log.Noticef("The container %q is set up", m.Name)
	// start hooks run inside the container (paths resolve in its rootfs).
	sc := hc
	sc.BaseEnv = m.Env
	sc.Dir = "/"
	if err := hooks.Run(hooks.Start, m.Spec.Hooks[hooks.Start], sc); err != nil {
		return fail(err)
	}
	if err := spawn.Send(sync, childMsg{Ready: true}); err != nil {
		return 1
	}
	var g goMsg
	if err := spawn.Recv(sync, &g); err != nil || !g.Go {
		return 1
	}
	log.Tracef("The monitor released init: applying the final settings")
	// Final's errors name their step (key or command) themselves.
	if err := finalize(&m, connFD(sync)); err != nil {
		return fail(err)
	}
	// lxc-execute: settings applied, stay PID 1. Closing the sync socket
	// is what an exec would have done: it tells the monitor we run, once
	// our signal handler is in place (the monitor forwards from then on).
	return runExecInit(&m, func() { sync.Close() })
}

// sendTTYs passes the tty masters to the monitor, tty1 first, at most
// maxTTYsPerMsg per packet (SCM_RIGHTS).
func sendTTYs(sync *os.File, ttys []*os.File) error {
	for len(ttys) > 0 {
		n := min(len(ttys), maxTTYsPerMsg)
		if err := spawn.SendFiles(sync, childMsg{TTYs: n}, ttys[:n]...); err != nil {
			return err
		}
		log.Tracef("Sent %d tty master(s) to the monitor", n)
		ttys = ttys[n:]
	}
	return nil
}

// stageLogFD is where spawnInit puts the monitor's log file.
const stageLogFD = 3

// setupStageLog makes the monitor's log file (fd 3, close-on-exec from
// here on) this stage's log; without one, fd 3 is not ours to touch.
func setupStageLog(m *setupMsg) {
	if !m.LogFD {
		return
	}
	lvl, err := log.ParseLevel(m.LogLevel)
	if err != nil {
		lvl = log.ERROR
	}
	log.SetupFile(m.LogPrefix, m.Name, os.NewFile(stageLogFD, "log"), lvl)
	log.Tracef("Container setup stage %d started with the monitor's log file", os.Getpid())
}

func hookContext(m *setupMsg) hooks.Context {
	return hooks.Context{
		Name:        m.Name,
		ConfigFile:  m.ConfigFile,
		RootfsMount: rootfsMount(m.Spec),
		RootfsPath:  m.Spec.Rootfs.Path,
		Console:     m.Spec.Console.Path,
		ConsoleLog:  m.Spec.Console.Logfile,
		LogLevel:    m.LogLevel,
		Version:     m.Spec.HookVersion,
	}
}

func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

// connFD is f's descriptor number, read without Fd() (which would switch
// the socket to blocking mode).
func connFD(f *os.File) int {
	fd := -1
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(u uintptr) { fd = int(u) })
	}
	return fd
}
