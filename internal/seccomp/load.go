package seccomp

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
)

// Filter is the seccomp filter of a container, prepared while the host's
// filesystem (where lxc.seccomp.profile lives) is still visible and
// loaded later, right before the payload is executed.
type Filter struct {
	Program      *Program
	AllowNesting bool // lxc.seccomp.allow_nesting
}

// Prepare reads and compiles spec's lxc.seccomp.profile. It returns nil
// (and no error) when no profile is configured: like LXC, golxc applies no
// seccomp policy unless one is asked for.
func Prepare(spec *config.Spec) (*Filter, error) {
	if spec == nil || spec.SeccompProfile == "" {
		return nil, nil
	}
	text, err := os.ReadFile(spec.SeccompProfile)
	if err != nil {
		return nil, fmt.Errorf("lxc.seccomp.profile: reading the policy: %v", err)
	}
	prog, err := CompileText(spec.SeccompProfile, text)
	if err != nil {
		return nil, err
	}
	if prog.Notify {
		return nil, fmt.Errorf("lxc.seccomp.profile %s: %w", spec.SeccompProfile, ErrNotify)
	}
	log.Debugf("Read seccomp policy %s (%d BPF instructions)", spec.SeccompProfile, len(prog.Filter))
	return &Filter{Program: prog, AllowNesting: spec.SeccompAllowNesting}, nil
}

// LoadForSpec is Prepare followed by Load, for callers (lxc-attach) that
// still see the host's filesystem on the thread that will exec.
func LoadForSpec(spec *config.Spec) error {
	f, err := Prepare(spec)
	if err != nil {
		return err
	}
	return f.Load()
}

var cache sync.Map // policy text -> *Program

// CompileText parses and compiles a policy, caching the result by content.
func CompileText(source string, text []byte) (*Program, error) {
	key := string(text)
	if p, ok := cache.Load(key); ok {
		return p.(*Program), nil
	}
	pol, err := Parse(source, text)
	if err != nil {
		return nil, err
	}
	log.Debugf("Parsed seccomp policy %s: version %d, %d rules, default action %s", source, pol.Version, len(pol.Rules), pol.Default)
	for _, name := range pol.Skipped {
		log.Infof("seccomp policy %s: syscall %q is unknown on x86, rule skipped", source, name)
	}
	prog, err := pol.Compile()
	if err != nil {
		return nil, err
	}
	cache.Store(key, prog)
	return prog, nil
}

// ErrNotify is returned when a policy uses notify: golxc has no seccomp
// notify proxy.
var ErrNotify = errors.New("the notify action needs a seccomp notify proxy (lxc.seccomp.notify.proxy), which golxc does not implement; use errno N or kill instead")

// Load installs the filter on the calling thread; it is inherited by
// everything the thread forks or execs. A nil Filter does nothing. The
// thread needs no_new_privs set or CAP_SYS_ADMIN in its user namespace.
// As in LXC, a thread already under seccomp keeps only its filter unless
// AllowNesting is set.
func (f *Filter) Load() error { return f.load(0) }

// Compiled is the program a process must load, for a caller that loads
// it elsewhere (an exec plan): nil without a policy; an error for what
// Load would refuse (a notify policy, an empty program).
func (f *Filter) Compiled() (*Program, error) {
	if f == nil || f.Program == nil {
		return nil, nil
	}
	if f.Program.Notify {
		return nil, fmt.Errorf("lxc.seccomp.profile %s: %w", f.Program.Source, ErrNotify)
	}
	if len(f.Program.Filter) == 0 {
		return nil, fmt.Errorf("seccomp policy %s: empty program", f.Program.Source)
	}
	return f.Program, nil
}

// LoadAllThreads installs the filter on every thread of the process
// (SECCOMP_FILTER_FLAG_TSYNC, which also copies no_new_privs): for a Go
// process that keeps running in the container instead of exec'ing.
func (f *Filter) LoadAllThreads() error { return f.load(unix.SECCOMP_FILTER_FLAG_TSYNC) }

func (f *Filter) load(flags uintptr) error {
	if f == nil || f.Program == nil {
		return nil
	}
	if f.Program.Notify {
		return fmt.Errorf("lxc.seccomp.profile %s: %w", f.Program.Source, ErrNotify)
	}
	if !f.AllowNesting {
		if mode, err := unix.PrctlRetInt(unix.PR_GET_SECCOMP, 0, 0, 0, 0); err == nil && mode != 0 {
			log.Infof("already under seccomp, not loading %s (set lxc.seccomp.allow_nesting = 1 to stack it)", f.Program.Source)
			return nil
		}
	}
	if err := f.Program.load(flags); err != nil {
		return err
	}
	log.Infof("Loaded seccomp policy %s: %d BPF instructions", f.Program.Source, len(f.Program.Filter))
	return nil
}

// Load installs the program on the calling thread.
func (p *Program) Load() error { return p.load(0) }

func (p *Program) load(flags uintptr) error {
	if len(p.Filter) == 0 {
		return fmt.Errorf("seccomp policy %s: empty program", p.Source)
	}
	fprog := unix.SockFprog{Len: uint16(len(p.Filter)), Filter: &p.Filter[0]}
	tid, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags, uintptr(unsafe.Pointer(&fprog)))
	if errno == 0 && tid != 0 {
		// TSYNC: that thread has a diverging filter and got none.
		return fmt.Errorf("loading seccomp policy %s: thread %d could not be synchronized", p.Source, tid)
	}
	if errno != 0 {
		if errno == unix.EACCES {
			return fmt.Errorf("loading seccomp policy %s: %v (needs lxc.no_new_privs = 1 or CAP_SYS_ADMIN)", p.Source, errno)
		}
		return fmt.Errorf("loading seccomp policy %s: %v", p.Source, errno)
	}
	return nil
}

// DefaultProfile is the equivalent of LXC's config/common.seccomp, for
// configurations that want LXC's usual policy (lxc.seccomp.profile must
// name a file; templates include LXC's common.conf for it).
const DefaultProfile = `2
denylist
reject_force_umount  # comment this to allow umount -f;  not recommended
[all]
kexec_load errno 1
open_by_handle_at errno 1
init_module errno 1
finit_module errno 1
delete_module errno 1
`
