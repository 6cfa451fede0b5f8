package monitor

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/elfinterp"
	"github.com/golxc/golxc/internal/execinit"
	"github.com/golxc/golxc/internal/initsetup"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/rootfs"
	"github.com/golxc/golxc/internal/seccomp"
)

// prepareRootfs assembles the container filesystem and pivots into it.
// Mount setup and the final exec must happen on one locked thread.
func prepareRootfs(m *setupMsg, runHook func(string) error) error {
	runtime.LockOSThread()
	// lxc.seccomp.profile is a host path: compile it before the pivot.
	filter, err := seccomp.Prepare(m.Spec)
	if err != nil {
		return err
	}
	initSeccomp = filter
	if m.Execute && !m.InProcessInit {
		// lxc-execute's init is golxc itself, re-executed from this open
		// file after the pivot (no path inside the container is trusted).
		if initExe, err = os.Open("/proc/self/exe"); err != nil {
			return fmt.Errorf("open our own executable for the execute init: %w", err)
		}
	}
	s := &rootfs.Setup{
		Name:        m.Name,
		Spec:        m.Spec,
		RootfsMount: m.Spec.Rootfs.Mount,
		ConsolePath: m.ConsolePath,
		TTYPaths:    m.TTYPaths,
		RunHook:     runHook,
		LXCPath:     m.LXCPath,
	}
	err = s.Prepare()
	// The devpts directory fd only serves the setup; lxc-execute's init,
	// which never execs, would keep it for the container's whole life.
	if f, _ := s.Devpts(); f != nil {
		f.Close()
	}
	return err
}

// initSeccomp is the container's compiled seccomp filter, kept between
// prepareRootfs and finalize (the init stage serves one container).
var initSeccomp *seccomp.Filter

// initExe is golxc's own executable (the protected view the stage runs from),
// opened before the pivot in execute mode.
var initExe *os.File

// execSentinel is a command that cannot exist in any rootfs; see finalize.
const execSentinel = "/.golxc-execute-init-stays-in-process"

// finalize applies the last settings and execs the payload; it only returns
// on failure. In execute mode, init stays in this process when the
// namespace stage already narrowed every thread's capabilities
// (InProcessInit); otherwise it execs golxc again as the minimal init
// (execinit.Argv0): a fresh image whose every thread inherits the dropped
// bounding set, ids and no_new_privs — a Go process cannot apply those to
// its other threads itself. A dynamically linked golxc (test binaries)
// cannot run in a rootfs without its loader: then PID 1 stays in this
// process, with a warning (make build links golxc statically).
func finalize(m *setupMsg) error {
	f := &initsetup.Final{
		Spec:        m.Spec,
		Cmd:         m.Cmd,
		Env:         m.Env,
		SetHostname: m.CloneFlags&unix.CLONE_NEWUTS != 0,
		Seccomp:     initSeccomp,
	}
	if !m.Execute {
		return f.Run()
	}
	if m.InProcessInit {
		// The namespace stage narrowed every thread's capabilities, so
		// this process can be PID 1 itself: Run applies the rest on this
		// thread (the one that forks the command) and the filter on all.
		f.AllThreads = true
		return stayInProcess(f)
	}
	if initExe != nil && staticELF(initExe) {
		f.Cmd = append([]string{execinit.Argv0, "--"}, m.Cmd...)
		f.ExecFD = initExe
		return f.Run()
	}
	log.Warnf("execute init: golxc is dynamically linked and cannot be re-executed inside any rootfs; PID 1 stays in the setup process")
	return stayInProcess(f)
}

// stayInProcess applies the final settings without exec'ing: Run stops at
// the exec of a command that cannot exist.
func stayInProcess(f *initsetup.Final) error {
	f.Cmd = []string{execSentinel}
	err := f.Run()
	var ee *initsetup.ExecError
	if errors.As(err, &ee) && ee.Path == execSentinel {
		return nil
	}
	return err
}

// staticELF reports whether f is an ELF executable without an interpreter.
func staticELF(f *os.File) bool {
	interp, err := elfinterp.HasInterp(f)
	return err == nil && !interp
}

// runExecInit is lxc-execute's PID 1: the command becomes PID 2.
func runExecInit(m *setupMsg) int {
	if m.InProcessInit {
		if initExe != nil {
			initExe.Close()
		}
		log.Close()
		if err := neutralizeHostFDs(); err != nil {
			return execinit.ExecFailed
		}
		execinit.SetName()
	}
	return execinit.Run(m.Cmd, m.Env)
}

// anonInodeMagic is ANON_INODE_FS_MAGIC: epoll and eventfd, the Go
// runtime's own descriptors, live there.
const anonInodeMagic = 0x09041934

// neutralizeHostFDs makes sure an init that stays in the setup process
// holds no host file: every descriptor above 2 that is not an anonymous
// inode is replaced by a fresh eventfd. Replacing instead of closing keeps
// the number taken, so a Go object still owning it can never close a
// descriptor opened later under the same number.
func neutralizeHostFDs() error {
	fds := listOpenFDs()
	var ev int = -1
	for _, fd := range fds {
		var st unix.Statfs_t
		if fd <= 2 || unix.Fstatfs(fd, &st) != nil || st.Type == anonInodeMagic {
			continue
		}
		if ev < 0 {
			var err error
			if ev, err = unix.Eventfd(0, unix.EFD_CLOEXEC); err != nil {
				return err
			}
		}
		if err := unix.Dup3(ev, fd, unix.O_CLOEXEC); err != nil {
			return err
		}
	}
	if ev >= 0 {
		unix.Close(ev)
	}
	return nil
}

// listOpenFDs lists the open descriptors from /proc/self/fd, or by probing
// the first 1024 when the container has no /proc.
func listOpenFDs() []int {
	var fds []int
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		for _, e := range ents {
			if n, err := strconv.Atoi(e.Name()); err == nil {
				fds = append(fds, n)
			}
		}
		return fds
	}
	for fd := 3; fd < 1024; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
			fds = append(fds, fd)
		}
	}
	return fds
}
