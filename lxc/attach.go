package lxc

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/attach"
	"github.com/golxc/golxc/internal/seccomp"
)

// Personality is an execution domain for AttachOptions.Arch.
type Personality int64

const (
	X86    Personality = attach.PerLinux32
	X86_64 Personality = attach.PerLinux
)

// AttachPrivileges are the parts of the container's confinement an attach
// may skip (lxc-attach -e).
type AttachPrivileges = attach.Privileges

const (
	AttachKeepCgroup = attach.KeepCgroup
	AttachKeepCaps   = attach.KeepCaps
	AttachKeepLSM    = attach.KeepLSM
)

// AttachTerminal says whether an attach allocates a pty.
type AttachTerminal int

const (
	// AttachNoTerminal passes the fds straight through (go-lxc's behaviour).
	AttachNoTerminal AttachTerminal = iota
	// AttachTerminalAuto gives the std streams that are terminals a pty on
	// the container's devpts (lxc-attach's behaviour).
	AttachTerminalAuto
	// AttachTerminalAlways gives all three std streams the pty.
	AttachTerminalAlways
)

// AttachOptions are go-lxc's attach options plus golxc's extensions.
//
// Attaching runs golxc's namespace stage from the golxc binary (see
// SetGolxcBinary for how a program other than golxc finds it).
type AttachOptions struct {
	// Namespaces to join (CLONE_NEW* flags); -1 joins all of them.
	Namespaces int
	// Arch is the personality; -1 uses the container's lxc.arch.
	Arch Personality
	// Cwd is the working directory; "" keeps the caller's when it exists
	// in the container.
	Cwd string
	// UID and GID to run as; -1 uses lxc.init.uid/gid (0).
	UID, GID int
	// Groups are the supplementary groups; nil clears them.
	Groups []int
	// ClearEnv starts from PATH and container=lxc only.
	ClearEnv bool
	// Env are VAR=VALUE pairs set last.
	Env []string
	// EnvToKeep are kept under ClearEnv.
	EnvToKeep []string
	// StdinFd, StdoutFd and StderrFd are the command's std streams.
	StdinFd, StdoutFd, StderrFd uintptr
	// RemountSysProc remounts /proc and /sys when the mount namespace is
	// not joined.
	RemountSysProc bool
	// ElevatedPrivileges skips cgroups, capability drop and LSM.
	ElevatedPrivileges bool

	// Elevated skips only the listed parts (ORed with ElevatedPrivileges).
	Elevated AttachPrivileges
	// Terminal: see AttachTerminal.
	Terminal AttachTerminal
	// PtyLog receives a copy of what the pty prints.
	PtyLog *os.File
	// Quiet suppresses the error lines printed from inside the attach.
	Quiet bool
	// LogPrefix starts those lines ("lxc-attach" by default).
	LogPrefix string
	// ProcessExitsAfter: the caller exits once the attach returns (a
	// tool), so the signals it forwarded stay caught rather than being
	// handed back one by one (see attach.Options.ExitsAfterRun).
	ProcessExitsAfter bool
}

// DefaultAttachOptions are go-lxc's defaults: all namespaces, full
// confinement, the caller's environment, uid/gid of the container's init,
// cwd "/", and this process's std streams.
var DefaultAttachOptions = AttachOptions{
	Namespaces: -1,
	Arch:       -1,
	Cwd:        "/",
	UID:        -1,
	GID:        -1,
	StdinFd:    os.Stdin.Fd(),
	StdoutFd:   os.Stdout.Fd(),
	StderrFd:   os.Stderr.Fd(),
}

// AttachShell runs the user's shell from the container's /etc/passwd
// (/bin/sh without one) and waits for it.
func (c *Container) AttachShell(options AttachOptions) error {
	code, err := c.runAttach(nil, options)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("%s: shell exited with status %d", c.name, code)
	}
	return nil
}

// RunCommandStatus runs args in the container, waits, and returns the
// exit code as a shell reports it (128+N when killed by signal N).
func (c *Container) RunCommandStatus(args []string, options AttachOptions) (int, error) {
	if len(args) == 0 {
		return -1, ErrAttachFailed
	}
	return c.runAttach(args, options)
}

// RunCommand runs args and reports whether they exited 0.
func (c *Container) RunCommand(args []string, options AttachOptions) (bool, error) {
	code, err := c.RunCommandStatus(args, options)
	if err != nil {
		return false, err
	}
	return code == 0, nil
}

// RunCommandNoWait starts args in the container and returns its host pid
// without waiting. The process is this process's child: reap it with
// syscall.Wait4 (or os.FindProcess(pid).Wait()).
func (c *Container) RunCommandNoWait(args []string, options AttachOptions) (int, error) {
	if len(args) == 0 {
		return -1, ErrAttachFailed
	}
	o, files, err := c.attachOptions(args, options)
	if err != nil {
		return -1, err
	}
	defer closeFiles(files)
	if o.Terminal != attach.TerminalNever {
		return -1, fmt.Errorf("%s: RunCommandNoWait cannot proxy a terminal; use AttachNoTerminal", c.name)
	}
	p, err := attach.Start(o)
	if err != nil {
		return -1, err
	}
	return p.Pid, nil
}

// Attach runs args (nil: the user's shell) and returns the exit code,
// with attach.Error failures (the tools print their Step).
func (c *Container) Attach(args []string, options AttachOptions) (int, error) {
	return c.runAttach(args, options)
}

func (c *Container) runAttach(args []string, options AttachOptions) (int, error) {
	o, files, err := c.attachOptions(args, options)
	if err != nil {
		return -1, err
	}
	defer closeFiles(files)
	return attach.Run(o)
}

// attachOptions merges the caller's options with the container's config.
func (c *Container) attachOptions(args []string, a AttachOptions) (attach.Options, []*os.File, error) {
	o := attach.Defaults(c.lxcpath, c.name)
	spec, err := c.Spec()
	if err != nil {
		return o, nil, err
	}
	o.Caps = spec.Caps
	o.NoNewPrivs = spec.NoNewPrivs
	if o.Seccomp, err = seccomp.Prepare(spec); err != nil {
		return o, nil, err
	}
	o.ConfigEnv = spec.Environment
	o.ArchPersonality = spec.Personality
	o.InitUID, o.InitGID = spec.Init.UID, spec.Init.GID

	o.Namespaces = a.Namespaces
	o.Personality = int(a.Arch)
	o.Cwd, o.UID, o.GID, o.Groups = a.Cwd, a.UID, a.GID, a.Groups
	if a.ClearEnv {
		o.EnvPolicy = attach.ClearEnv
	}
	o.ExtraEnv, o.KeepVars = a.Env, a.EnvToKeep
	o.RemountProc = a.RemountSysProc
	o.Elevated = a.Elevated
	if a.ElevatedPrivileges {
		o.Elevated = attach.KeepAll
	}
	switch a.Terminal {
	case AttachNoTerminal:
		o.Terminal = attach.TerminalNever
	case AttachTerminalAlways:
		o.Terminal = attach.TerminalAlways
	default:
		o.Terminal = attach.TerminalAuto
	}
	o.PtyLog, o.Quiet = a.PtyLog, a.Quiet
	o.ExitsAfterRun = a.ProcessExitsAfter
	if a.LogPrefix != "" {
		o.LogPrefix = a.LogPrefix
	}
	o.Argv = args
	var files []*os.File
	for _, s := range []struct {
		fd  uintptr
		std *os.File
		dst **os.File
	}{{a.StdinFd, os.Stdin, &o.Stdin}, {a.StdoutFd, os.Stdout, &o.Stdout}, {a.StderrFd, os.Stderr, &o.Stderr}} {
		if s.fd == s.std.Fd() {
			*s.dst = s.std
			continue
		}
		// Our own copy: the caller keeps ownership of its fd.
		dup, err := unix.FcntlInt(s.fd, unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			closeFiles(files)
			return o, nil, fmt.Errorf("%s: attach: fd %d: %w", c.name, s.fd, err)
		}
		f := os.NewFile(uintptr(dup), "attach-fd")
		files = append(files, f)
		*s.dst = f
	}
	return o, files, nil
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// ExitStatus turns a wait status into a shell-style exit code.
func ExitStatus(ws syscall.WaitStatus) int { return attach.ExitCode(ws) }
