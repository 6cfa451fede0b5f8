// Package initsetup does the last steps inside the container, on the
// locked OS thread that then execs the payload: hostname, sysctls, rlimits,
// ids, capabilities, no_new_privs. Capabilities and no_new_privs are
// per-thread, so Run must be called from the thread that execs.
package initsetup

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/seccomp"
)

// DefaultPath is used to find a command when Env has no PATH.
const DefaultPath = "/sbin:/usr/sbin:/bin:/usr/bin"

// Final describes the payload and the last settings applied before exec.
type Final struct {
	Spec        *config.Spec
	Cmd         []string // argv; Cmd[0] is looked up in the container's PATH unless it has a "/"
	Env         []string // the complete environment of the payload
	SetHostname bool     // a UTS namespace was created: apply lxc.uts.name
	// Seccomp is lxc.seccomp.profile, compiled while the host's files were
	// visible (seccomp.Prepare); nil when none is configured.
	Seccomp *seccomp.Filter
	// ExecFD, when set, is the executable to run instead of looking up
	// Cmd[0] (opened before the pivot, e.g. golxc itself for lxc-execute's
	// init); Cmd[0] is then only argv[0].
	ExecFD *os.File
	// KeepFD (> 2) survives the exec of ExecFD: lxc-execute's re-exec'd
	// init closes it, the monitor's sync socket, once it handles signals
	// (execinit.ReadyFlag). Every other descriptor above 2 is closed.
	KeepFD int
	// AllThreads loads the seccomp filter on every thread (for a Go
	// process that stays in the container as its init).
	AllThreads bool
	// NoExec applies everything and returns nil instead of exec'ing: the
	// calling process stays in the container as its init. Cmd is unused.
	NoExec bool
}

// ExecError is returned when the payload could not be executed at all;
// NotFound distinguishes a missing command (LXC maps exec failures to 255,
// shells use 127).
type ExecError struct {
	Path string
	Err  error
}

func (e *ExecError) Error() string { return fmt.Sprintf("executing %q: %v", e.Path, e.Err) }
func (e *ExecError) Unwrap() error { return e.Err }

// NotFound reports whether the command does not exist.
func (e *ExecError) NotFound() bool { return errors.Is(e.Err, unix.ENOENT) }

// Run applies the settings and execs Cmd. It only returns on failure
// (or, with NoExec, once everything is applied).
func (f *Final) Run() error {
	if f.Spec == nil || (len(f.Cmd) == 0 && !f.NoExec) {
		return errors.New("init setup: no configuration or no command")
	}
	s := f.Spec
	if f.SetHostname && s.UTSName != "" {
		if err := unix.Sethostname([]byte(s.UTSName)); err != nil {
			return fmt.Errorf("lxc.uts.name %q: %v", s.UTSName, err)
		}
		log.Infof("Set hostname to %q", s.UTSName)
	}
	if err := applySysctls(s.Sysctl); err != nil {
		return err
	}
	if err := applyRlimits(s.Prlimit); err != nil {
		return err
	}
	all := config.KernelCaps()
	kept := capSet(s.Caps.Kept(all))
	log.Debugf("Keeping capabilities %#x (%s)", uint64(kept), s.Caps)
	// Bounding set first: it needs CAP_SETPCAP, and the id switch below
	// still needs CAP_SETUID/SETGID in the effective set.
	if err := dropBounding(BoundingDrops(s.Caps, all)); err != nil {
		return err
	}
	if s.Init.Cwd != "" {
		if err := unix.Chdir(s.Init.Cwd); err != nil {
			return fmt.Errorf("lxc.init.cwd %q: %v", s.Init.Cwd, err)
		}
	}
	// Loading a filter needs no_new_privs or CAP_SYS_ADMIN. Load it last,
	// so golxc's own steps run unfiltered, unless the id switch or cap
	// drop below would lose CAP_SYS_ADMIN without no_new_privs: then load
	// it now, still privileged, as LXC does.
	lateSeccomp := s.NoNewPrivs || (s.Init.UID == 0 && kept.has(unix.CAP_SYS_ADMIN))
	if !lateSeccomp {
		if err := f.loadSeccomp(); err != nil {
			return err
		}
	}
	if err := switchIDs(s.Init); err != nil {
		return err
	}
	log.Noticef("Switched to uid %d, gid %d, groups %v", s.Init.UID, s.Init.GID, s.Init.Groups)
	if err := restrictCaps(kept); err != nil {
		return err
	}
	log.Tracef("Restricted effective, permitted and inheritable capabilities; cleared ambient ones")
	if s.NoNewPrivs {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("lxc.no_new_privs: %v", err)
		}
		if v, err := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); err != nil || v != 1 {
			return fmt.Errorf("lxc.no_new_privs: the flag did not stick (PR_GET_NO_NEW_PRIVS = %d, %v)", v, err)
		}
		log.Debugf("Set no_new_privs")
	}
	bin := ""
	if f.ExecFD == nil && !f.NoExec {
		var err error
		if bin, err = lookPath(f.Cmd[0], f.Env); err != nil {
			return &ExecError{Path: f.Cmd[0], Err: err}
		}
	}
	// Only 0, 1 and 2 may reach the payload: whatever the tools inherited
	// or opened on the host must not survive the exec (CVE-2024-21626).
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("marking inherited file descriptors close-on-exec: %v", err)
	}
	if lateSeccomp {
		if err := f.loadSeccomp(); err != nil {
			return err
		}
	}
	if f.NoExec {
		log.Noticef("Container init stays in the setup process (pid %d)", os.Getpid())
		return nil
	}
	if f.ExecFD != nil {
		if f.KeepFD > 2 {
			if _, err := unix.FcntlInt(uintptr(f.KeepFD), unix.F_SETFD, 0); err != nil {
				return fmt.Errorf("keep descriptor %d across the exec: %v", f.KeepFD, err)
			}
		}
		log.Noticef("Exec'ing %q", f.Cmd)
		log.Close() // the container's init must hold no host file

		return &ExecError{Path: f.Cmd[0], Err: execFD(f.ExecFD, f.Cmd, f.Env)}
	}
	log.Noticef("Exec'ing %q (%s)", bin, strings.Join(f.Cmd, " "))
	log.Close() // the container's init must hold no host file
	err := syscall.Exec(bin, f.Cmd, f.Env)
	return &ExecError{Path: bin, Err: err}
}

func (f *Final) loadSeccomp() error {
	if f.Seccomp == nil {
		log.Debugf("No seccomp policy configured (lxc.seccomp.profile unset)")
		return nil
	}
	if f.AllThreads {
		return f.Seccomp.LoadAllThreads()
	}
	return f.Seccomp.Load()
}

// switchIDs applies lxc.init.groups/gid/uid. The libc-style wrappers of
// package syscall change every thread of the process.
func switchIDs(in config.InitSpec) error {
	groups := in.Groups
	if groups == nil {
		groups = []int{}
	}
	if err := syscall.Setgroups(groups); err != nil {
		// A user namespace with setgroups denied: fine unless groups were asked for.
		if len(in.Groups) > 0 || !errors.Is(err, syscall.EPERM) {
			return fmt.Errorf("lxc.init.groups %v: %v", in.Groups, err)
		}
	}
	if err := syscall.Setresgid(in.GID, in.GID, in.GID); err != nil {
		return fmt.Errorf("lxc.init.gid %d: %v", in.GID, err)
	}
	if err := syscall.Setresuid(in.UID, in.UID, in.UID); err != nil {
		return fmt.Errorf("lxc.init.uid %d: %v", in.UID, err)
	}
	return nil
}

// applySysctls writes lxc.sysctl.* under /proc/sys, refusing anything that
// is not procfs (a container could have put something else there).
func applySysctls(list []config.KeyValue) error {
	if len(list) == 0 {
		return nil
	}
	var st unix.Statfs_t
	if err := unix.Statfs("/proc", &st); err != nil || st.Type != unix.PROC_SUPER_MAGIC {
		return fmt.Errorf("lxc.sysctl: /proc in the container is not procfs; add lxc.mount.auto = proc:mixed")
	}
	for _, kv := range list {
		p := path.Join("/proc/sys", strings.ReplaceAll(kv.Key, ".", "/"))
		log.Debugf("Setting sysctl %s to %q", p, kv.Value)
		if err := writeProcFile(p, kv.Value); err != nil {
			if errors.Is(err, unix.EROFS) {
				return fmt.Errorf("lxc.sysctl.%s: %s is read-only in the container (lxc.mount.auto proc:mixed leaves only net.* writable); use proc:rw to set it", kv.Key, p)
			}
			return fmt.Errorf("lxc.sysctl.%s: %w", kv.Key, err)
		}
	}
	return nil
}

func writeProcFile(p, value string) error {
	fd, err := unix.Open(p, unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("opening %s: %w", p, err)
	}
	file := os.NewFile(uintptr(fd), p)
	defer file.Close()
	var st unix.Statfs_t
	if err := unix.Fstatfs(fd, &st); err != nil || st.Type != unix.PROC_SUPER_MAGIC {
		return fmt.Errorf("%s is not on procfs", p)
	}
	if _, err := file.WriteString(value); err != nil {
		return fmt.Errorf("writing %q to %s: %v", value, p, err)
	}
	return nil
}

// lookPath finds cmd in the PATH of env (the container's), as execvp does.
func lookPath(cmd string, env []string) (string, error) {
	if strings.Contains(cmd, "/") {
		return cmd, nil
	}
	pathVar := DefaultPath
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			pathVar = v
		}
	}
	firstErr := error(unix.ENOENT)
	for _, dir := range strings.Split(pathVar, ":") {
		if dir == "" {
			dir = "."
		}
		p := path.Join(dir, cmd)
		var st unix.Stat_t
		if err := unix.Stat(p, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			continue
		}
		if err := unix.Access(p, unix.X_OK); err != nil {
			firstErr = err
			continue
		}
		return p, nil
	}
	return "", firstErr
}
