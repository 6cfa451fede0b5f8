package monitor

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

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
	if m.Execute {
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

// initExe is golxc's own executable (the sealed copy the stage runs from),
// opened before the pivot in execute mode.
var initExe *os.File

// execSentinel is a command that cannot exist in any rootfs; see finalize.
const execSentinel = "/.golxc-execute-init-stays-in-process"

// finalize applies the last settings and execs the payload; it only returns
// on failure. In execute mode it execs golxc again as the minimal init
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
	if initExe != nil && staticELF(initExe) {
		f.Cmd = append([]string{execinit.Argv0, "--"}, m.Cmd...)
		f.ExecFD = initExe
		return f.Run()
	}
	log.Warnf("execute init: golxc is dynamically linked and cannot be re-executed inside any rootfs; PID 1 stays in the setup process")
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
	e, err := elf.NewFile(f)
	if err != nil {
		return false
	}
	for _, p := range e.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

// runExecInit is lxc-execute's PID 1: the command becomes PID 2.
func runExecInit(m *setupMsg) int {
	return execinit.Run(m.Cmd, m.Env)
}
