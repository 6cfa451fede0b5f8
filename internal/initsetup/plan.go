package initsetup

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/nsexec"
)

// Plan appends Run's steps to p as exec-plan operations for the C
// executor, in Run's order: hostname, sysctls, rlimits, bounding set,
// cwd, seccomp (early when the id switch or the cap drop would lose the
// right to load it), ids, capability sets, no_new_privs, dumpable off
// (the id switch reset it), nothing but 0-2 across the exec, seccomp
// (late), then init's exec. With Supervise (lxc-execute) the process stays
// PID 1 as a small init that runs Cmd as its child. ExecFD and AllThreads
// do not apply: the C process is single-threaded and execs Cmd itself.
func (f *Final) Plan(p *nsexec.Plan, supervise bool) error {
	if f.Spec == nil || len(f.Cmd) == 0 {
		return errors.New("init setup: no configuration or no command")
	}
	s := f.Spec
	if f.SetHostname && s.UTSName != "" {
		p.Hostname(s.UTSName)
	}
	if len(s.Sysctl) > 0 {
		var list []nsexec.Sysctl
		for _, kv := range s.Sysctl {
			list = append(list, nsexec.Sysctl{Key: kv.Key, Value: kv.Value,
				Path: path.Join("/proc/sys", strings.ReplaceAll(kv.Key, ".", "/"))})
		}
		p.Sysctls(list)
	}
	if len(s.Prlimit) > 0 {
		var list []nsexec.Rlimit
		for _, l := range s.Prlimit {
			res, ok := rlimitByName[l.Name]
			if !ok {
				return fmt.Errorf("lxc.prlimit.%s: unknown resource (use e.g. nofile, nproc, core)", l.Name)
			}
			list = append(list, nsexec.Rlimit{Name: l.Name, Resource: res, Soft: l.Soft, Hard: l.Hard})
		}
		p.Rlimits(list)
	}
	all := config.KernelCaps()
	kept := capSet(s.Caps.Kept(all))
	log.Debugf("Keeping capabilities %#x (%s)", uint64(kept), s.Caps)
	p.DropBounding(BoundingDrops(s.Caps, all))
	if s.Init.Cwd != "" {
		p.Cwd(s.Init.Cwd)
	}
	prog, err := f.Seccomp.Compiled()
	if err != nil {
		return err
	}
	nesting := f.Seccomp != nil && f.Seccomp.AllowNesting
	lateSeccomp := s.NoNewPrivs || (s.Init.UID == 0 && kept.has(unix.CAP_SYS_ADMIN))
	if prog != nil && !lateSeccomp {
		p.Seccomp(nesting, prog.Source, prog.Filter)
	}
	if len(s.Init.Groups) > 0 {
		p.SetIDsStrict(s.Init.UID, s.Init.GID, s.Init.Groups)
	} else {
		p.SetIDs(s.Init.UID, s.Init.GID, nil)
	}
	p.RestrictCaps(uint64(kept))
	if s.NoNewPrivs {
		p.NoNewPrivs()
	}
	if supervise && userOwnedInit(os.Geteuid(), len(s.IDMap) > 0) {
		// lxc-execute's PID 1 of a user's container never execs again, so
		// dumpable off would stay: its owner could then not lxc-attach
		// (setns through its pidfd checks ptrace access). Everything in
		// that user namespace is the user's already.
		log.Debugf("lxc-execute's init of a user's container stays dumpable for lxc-attach")
	} else {
		p.NoDump()
	}
	p.CloseOnExecFrom(3)
	if prog != nil && lateSeccomp {
		p.Seccomp(nesting, prog.Source, prog.Filter)
	}
	if prog == nil {
		log.Debugf("No seccomp policy configured (lxc.seccomp.profile unset)")
	}
	p.InitExec(f.Cmd, f.Env, DefaultPath, supervise)
	return nil
}

// userOwnedInit: the container's init belongs to a plain user (a user
// namespace the caller, not root, made), so its owner must be able to
// enter its namespaces.
func userOwnedInit(euid int, idmapped bool) bool { return euid != 0 && idmapped }
