package monitor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
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
// Mount setup and the final exec must happen on one locked thread. It
// returns the masters of the lxc.tty.max ptys it allocated on the
// container's devpts, for the monitor.
func prepareRootfs(m *setupMsg, runHook func(string) error) ([]*os.File, error) {
	runtime.LockOSThread()
	// lxc.seccomp.profile is a host path: compile it before the pivot.
	filter, err := seccomp.Prepare(m.Spec)
	if err != nil {
		return nil, err
	}
	if m.Spec.ApparmorProfile != "" {
		log.Infof("lxc.apparmor.profile = %s: no LSM support, not applied", m.Spec.ApparmorProfile)
	} else {
		log.Tracef("No LSM profile to apply")
	}
	initSeccomp = filter
	if m.Execute && m.InProcessInit {
		// The init that stays in this process must later find every fd
		// it holds; the container's /proc cannot be trusted for that,
		// the host's, opened now, can.
		if selfFDs, err = openSelfFDs(); err != nil {
			return nil, err
		}
	}
	if m.Execute && !m.InProcessInit {
		// lxc-execute's init is golxc itself, re-executed from this open
		// file after the pivot (no path inside the container is trusted).
		if initExe, err = os.Open("/proc/self/exe"); err != nil {
			return nil, fmt.Errorf("open our own executable for the execute init: %w", err)
		}
	}
	s := &rootfs.Setup{
		Name:        m.Name,
		Spec:        m.Spec,
		RootfsMount: m.Spec.Rootfs.Mount,
		ConsolePath: m.ConsolePath,
		RunHook:     runHook,
		LXCPath:     m.LXCPath,
		CloneFlags:  m.CloneFlags,
	}
	err = s.Prepare()
	// The devpts directory fd only serves the setup; lxc-execute's init,
	// which never execs, would keep it for the container's whole life.
	if f, _ := s.Devpts(); f != nil {
		f.Close()
	}
	ttys := s.TTYs()
	if err != nil {
		closeAll(ttys)
		return nil, err
	}
	return ttys, nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// initSeccomp is the container's compiled seccomp filter, kept between
// prepareRootfs and finalize (the init stage serves one container).
var initSeccomp *seccomp.Filter

// initExe is golxc's own executable (the protected view the stage runs from),
// opened before the pivot in execute mode.
var initExe *os.File

// finalize applies the last settings and execs the payload; it only returns
// on failure. In execute mode, init stays in this process when the
// namespace stage already narrowed every thread's capabilities
// (InProcessInit); otherwise it execs golxc again as the minimal init
// (execinit.Argv0): a fresh image whose every thread inherits the dropped
// bounding set, ids and no_new_privs — a Go process cannot apply those to
// its other threads itself. A dynamically linked golxc (test binaries)
// cannot run in a rootfs without its loader: then PID 1 stays in this
// process, with a warning (make build links golxc statically).
// keep lists descriptors the caller still needs (its sync socket).
func finalize(m *setupMsg, keep ...int) error {
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
		// The namespace stage narrowed every thread's capabilities (and
		// set no_new_privs when asked), so this process can be PID 1
		// itself: Run applies the rest on this thread (the one that forks
		// the command) and the filter on all. Host fds go first, before
		// a seccomp policy could forbid the calls that replace them.
		log.Close()
		if err := neutralizeHostFDs(keep...); err != nil {
			return fmt.Errorf("execute init: replace host file descriptors: %w", err)
		}
		f.AllThreads = true
		return stayInProcess(f)
	}
	if initExe != nil && staticELF(initExe) {
		// The sync socket (keep[0]) goes along: the new init closes it
		// once it handles signals, which tells the monitor it runs.
		ready := -1
		if len(keep) > 0 && keep[0] > 2 {
			ready = keep[0]
		}
		f.Cmd = execinit.ReexecArgs(ready, m.Cmd)
		f.ExecFD, f.KeepFD = initExe, ready
		return f.Run()
	}
	log.Warnf("execute init: golxc is dynamically linked and cannot be re-executed inside any rootfs; PID 1 stays in the setup process")
	return stayInProcess(f)
}

// stayInProcess applies the final settings without exec'ing.
func stayInProcess(f *initsetup.Final) error {
	f.NoExec = true
	return f.Run()
}

// staticELF reports whether f is an ELF executable without an interpreter.
func staticELF(f *os.File) bool {
	interp, err := elfinterp.HasInterp(f)
	return err == nil && !interp
}

// runExecInit is lxc-execute's PID 1: the command becomes PID 2.
// ready (the sync socket's close) tells the monitor it runs, once it
// handles signals.
func runExecInit(m *setupMsg, ready func()) int {
	log.Close() // PID 1 of the container holds no host file
	if m.InProcessInit {
		execinit.SetName()
	}
	return execinit.Run(m.Cmd, m.Env, ready)
}

// anonInodeMagic is ANON_INODE_FS_MAGIC: epoll and eventfd, the Go
// runtime's own descriptors, live there.
const anonInodeMagic = 0x09041934

// selfFDs is the host's /proc/self/fd of this process, opened before the
// pivot (in-process execute init only).
var selfFDs *os.File

func openSelfFDs() (*os.File, error) {
	f, err := os.Open("/proc/self/fd")
	if err != nil {
		return nil, fmt.Errorf("execute init: open /proc/self/fd: %w", err)
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &st); err != nil || st.Type != unix.PROC_SUPER_MAGIC {
		f.Close()
		return nil, fmt.Errorf("execute init: /proc/self/fd is not on procfs")
	}
	return f, nil
}

// neutralizeHostFDs makes sure an init that stays in the setup process
// holds no host file: every descriptor above 2 that is not in keep and not
// an anonymous inode (the Go runtime's epoll and eventfd) is replaced by a
// fresh eventfd. Replacing instead of closing keeps the number taken, so a
// Go object still owning it can never close a descriptor opened later
// under the same number.
func neutralizeHostFDs(keep ...int) error {
	if selfFDs == nil {
		return errors.New("no trusted /proc/self/fd")
	}
	fds, err := listOpenFDs(selfFDs)
	dirFD := int(selfFDs.Fd())
	if err != nil {
		return err
	}
	ev := -1
	for _, fd := range fds {
		var st unix.Statfs_t
		if fd <= 2 || fd == dirFD || slices.Contains(keep, fd) || unix.Fstatfs(fd, &st) != nil || st.Type == anonInodeMagic {
			continue
		}
		if ev < 0 {
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
	selfFDs.Close()
	selfFDs = nil
	return nil
}

// listOpenFDs lists this process's open descriptors from dir, its
// /proc/self/fd.
func listOpenFDs(dir *os.File) ([]int, error) {
	if _, err := dir.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	fds := make([]int, 0, len(names))
	for _, n := range names {
		if fd, err := strconv.Atoi(n); err == nil {
			fds = append(fds, fd)
		}
	}
	return fds, nil
}
