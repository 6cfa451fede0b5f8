package monitor

import (
	"errors"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/execinit"
	"github.com/golxc/golxc/internal/initsetup"
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

// execSentinel is a command that cannot exist in any rootfs. In execute
// mode Final is asked to exec it: every setting (ids, caps, rlimits,
// no_new_privs ...) is applied to this locked thread first, and the exec
// failure hands control back so PID 1 can stay in Go as lxc-execute's init
// (our binary is usually dynamic and cannot be re-executed inside a
// minimal rootfs). The command, forked from this thread, inherits it all.
const execSentinel = "/.golxc-execute-init-stays-in-process"

// initSeccomp is the container's compiled seccomp filter, kept between
// prepareRootfs and finalize (the init stage serves one container).
var initSeccomp *seccomp.Filter

// finalize applies the last settings and execs the payload; it only returns
// on failure. For lxc-execute it returns nil once the settings are applied.
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
	f.Cmd = []string{execSentinel}
	err := f.Run()
	var ee *initsetup.ExecError
	if errors.As(err, &ee) && ee.Path == execSentinel {
		return nil
	}
	return err
}

// runExecInit is lxc-execute's PID 1: the command becomes PID 2.
func runExecInit(m *setupMsg) int {
	return execinit.Run(m.Cmd, m.Env)
}
