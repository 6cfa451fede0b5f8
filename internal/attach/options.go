package attach

import (
	"fmt"
	"os"
	"strings"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/namespace"
	"github.com/golxc/golxc/internal/seccomp"
)

// Privileges are what -e (elevated privileges) may keep: the parts of the
// container's confinement not applied to the attached process.
type Privileges int

const (
	KeepCgroup Privileges = 1 << iota // do not enter the container's cgroups
	KeepCaps                          // do not drop the container's bounding set
	KeepLSM                           // do not apply the container's LSM profile
	KeepAll    = KeepCgroup | KeepCaps | KeepLSM
)

// EnvPolicy says what happens to the caller's environment.
type EnvPolicy int

const (
	KeepEnv  EnvPolicy = iota // the caller's environment (LXC's default)
	ClearEnv                  // only PATH, container=lxc and what is kept or set
)

// DefaultPath is PATH under ClearEnv when the caller keeps none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Options describe one attach. The zero value is not useful; start from
// Defaults.
type Options struct {
	LXCPath, Name string
	// Namespaces is the CLONE_NEW* set to join; -1 joins every namespace
	// the container has (those shared with the host are skipped).
	Namespaces int
	Elevated   Privileges
	// Personality is the execution domain (unix.PER_LINUX, PER_LINUX32);
	// -1 uses the container's lxc.arch.
	Personality int
	Cwd         string // "" keeps the caller's cwd when it exists inside, else /
	UID, GID    int    // -1: the container's lxc.init.uid/gid (0 by default)
	Groups      []int  // supplementary groups; nil clears them
	EnvPolicy   EnvPolicy
	ExtraEnv    []string // VAR=VALUE, set last
	KeepVars    []string // kept under ClearEnv
	RemountProc bool     // remount /proc and /sys when not joining the mount ns
	// Terminal: allocate a pty on the container's devpts for the std
	// streams that are terminals (TerminalAuto), never, or always.
	Terminal TerminalMode
	PtyLog   *os.File // copy of everything the pty prints (-L)

	Stdin, Stdout, Stderr *os.File // nil: os.Stdin, os.Stdout, os.Stderr

	// Container config: what the container's own confinement is.
	Caps       config.Caps // lxc.cap.drop / lxc.cap.keep
	NoNewPrivs bool        // lxc.no_new_privs
	// Seccomp is the container's lxc.seccomp.profile, compiled on the host
	// (the stage no longer sees host paths); nil when none is configured.
	Seccomp          *seccomp.Filter
	ConfigEnv        []string // lxc.environment, VAR=VALUE
	ArchPersonality  int      // lxc.arch as a personality (config.Spec.Personality), -1: unset
	InitUID, InitGID int      // lxc.init.uid/gid

	// Argv is the command; empty runs the user's shell from the
	// container's /etc/passwd (/bin/sh when it has none).
	Argv []string

	// LogPrefix and Quiet shape the error lines the stage prints itself
	// ("lxc-attach: NAME: ..."), as LXC's child does.
	LogPrefix string
	Quiet     bool

	// ExitsAfterRun is set by a program that exits once Run returns
	// (lxc-attach): Run then leaves the forwarded signals caught instead
	// of calling signal.Stop. The runtime updates its signal mask one
	// signal at a time on a thread of its own, so Stop costs two thread
	// hand-offs per signal (12 for the six forwarded) between the
	// command's exit and the tool's, each a wait for a CPU on a loaded
	// machine. A library caller keeps false: its own signal handling
	// comes back after Run.
	ExitsAfterRun bool
}

// TerminalMode says when Run allocates a pty.
type TerminalMode int

const (
	TerminalAuto TerminalMode = iota
	TerminalNever
	TerminalAlways
)

// Defaults returns options for attaching to NAME in LXCPATH with LXC's
// defaults (all namespaces, full confinement, keep env, caller's cwd).
func Defaults(lxcpath, name string) Options {
	return Options{LXCPath: lxcpath, Name: name, Namespaces: -1, Personality: -1, ArchPersonality: -1, UID: -1, GID: -1, LogPrefix: "lxc-attach"}
}

// ParseNamespaces parses -s: a "|"-separated list such as "NETWORK|UTSNAME";
// /proc/PID/ns names (net, uts) are accepted too.
func ParseNamespaces(s string) (int, error) {
	f, err := namespace.ParseList(s)
	return int(f), err
}

// ParsePrivileges parses -e's optional argument; "" means all.
func ParsePrivileges(s string) (Privileges, error) {
	if s == "" {
		return KeepAll, nil
	}
	var p Privileges
	for _, tok := range strings.Split(s, "|") {
		switch tok {
		case "CGROUP":
			p |= KeepCgroup
		case "CAP":
			p |= KeepCaps
		case "LSM":
			p |= KeepLSM
		default:
			return 0, fmt.Errorf("unknown privilege %q (use CGROUP, CAP or LSM, joined with |)", tok)
		}
	}
	return p, nil
}

// Personalities (linux/personality.h).
const (
	PerLinux   = config.PerLinux
	PerLinux32 = config.PerLinux32
)

// ParseArch maps an lxc.arch name to a personality.
func ParseArch(s string) (int, error) {
	switch s {
	case "arm", "armel", "armhf", "armv7l", "athlon", "i386", "i486", "i586", "i686", "linux32",
		"mips", "mipsel", "ppc", "powerpc", "x86":
		return PerLinux32, nil
	case "aarch64", "amd64", "arm64", "linux64", "mips64", "mips64el", "ppc64", "ppc64el",
		"ppc64le", "powerpc64", "riscv64", "s390x", "x86_64":
		return PerLinux, nil
	}
	return -1, fmt.Errorf("Invalid architecture specified: %s", s)
}
