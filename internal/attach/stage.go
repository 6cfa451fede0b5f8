package attach

import (
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/initsetup"
	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/seccomp"
)

// stageName names the attached process until it execs ("[golxc attach]").
const stageName = "attach"

// stageSpec is what the attached process does once inside, decided here
// and carried out by the C executor of internal/nsexec (an exec plan): no
// Go runtime starts in the container.
type stageSpec struct {
	Argv        []string // empty: the user's shell
	Env         []string
	UID, GID    int
	Groups      []int
	Cwd         string
	Personality int         // -1: leave it
	DropCaps    bool        // restrict the bounding set to what Caps keeps
	Caps        config.Caps // the container's lxc.cap.drop / lxc.cap.keep
	NoNewPrivs  bool
	Seccomp     *seccomp.Filter // nil: none, or -e LSM
	Remount     bool            // new mount ns with fresh /proc and /sys
	CTTY        int             // std fd holding the pty slave to make the controlling tty, -1: none
	Prefix      string
	Name        string
	Quiet       bool
	// LogFD: the caller's log file is the process's fd 3, lines at LogLevel.
	LogFD    bool
	LogLevel int
}

// stageLogFD is where Start puts the caller's log file.
const stageLogFD = 3

// plan is the exec plan for s, in the order the steps must happen: the
// streams first (so every error is seen), what needs privileges before
// the ids change, dumpable off again after it (a credential change resets
// it), nothing but 0-2 across the exec.
func (s *stageSpec) plan() (*nsexec.Plan, error) {
	prog, err := s.Seccomp.Compiled()
	if err != nil {
		return nil, err
	}
	p := &nsexec.Plan{}
	logFD := -1
	if s.LogFD {
		logFD = stageLogFD
	}
	p.Ident(s.Prefix, s.Name, s.Quiet, logFD, s.LogLevel)
	p.Stdio()
	if s.Remount {
		p.RemountProcSys()
	}
	if s.Personality >= 0 {
		p.Personality(s.Personality)
	}
	if s.Cwd != "" {
		p.Chdir(s.Cwd)
	}
	if s.CTTY >= 0 {
		p.SetCTTY(s.CTTY)
	}
	if s.DropCaps {
		p.DropBounding(initsetup.BoundingDrops(s.Caps, config.KernelCaps()))
	}
	allowNesting := s.Seccomp != nil && s.Seccomp.AllowNesting
	// Without no_new_privs only CAP_SYS_ADMIN allows loading a filter, so
	// it goes in before the ids change; with it, as late as possible.
	if prog != nil && !s.NoNewPrivs {
		p.Seccomp(allowNesting, prog.Source, prog.Filter)
	}
	p.SetIDs(s.UID, s.GID, s.Groups)
	p.NoDump()
	if s.NoNewPrivs {
		p.NoNewPrivs()
	}
	p.CloseOnExecFrom(3)
	if prog != nil && s.NoNewPrivs {
		p.Seccomp(allowNesting, prog.Source, prog.Filter)
	}
	p.Exec(s.Argv, s.Env, s.UID, DefaultPath)
	return p, nil
}
