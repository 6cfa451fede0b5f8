package monitor

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/hooks"
	"github.com/golxc/golxc/internal/initsetup"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/rootfs"
	"github.com/golxc/golxc/internal/seccomp"
)

// The container's init normally runs no Go runtime: the monitor computes
// the whole init stage (rootfs, ttys, the wait for the monitor's go, the
// final settings, init's exec or lxc-execute's PID 1) as an exec plan that
// the C executor of internal/nsexec carries out (initplan.c). Configs the
// plan cannot express keep the Go stage (initStage); initPlanWhy says which.

// noInitPlanEnv, when non-empty, makes every container use the Go stage
// (an opt-out for debugging and for comparing both paths).
const noInitPlanEnv = "GOLXC_NO_INIT_PLAN"

// initPlanWhy says why this container's init needs the Go stage, "" when
// the exec plan covers it.
func (m *monitor) initPlanWhy(in *instance, consolePath string) string {
	switch {
	case os.Getenv(noInitPlanEnv) != "":
		return noInitPlanEnv + " is set"
	case in.flags&unix.CLONE_NEWNS == 0:
		return "no new mount namespace"
	case m.spec.NamespaceShare["mnt"] != "":
		return "lxc.namespace.share.mnt: the host paths of the plan mean nothing there"
	}
	s := m.rootfsSetup(consolePath, in.flags)
	return s.Plannable()
}

func (m *monitor) rootfsSetup(consolePath string, flags uintptr) *rootfs.Setup {
	return &rootfs.Setup{
		Name:        m.o.Name,
		Spec:        m.spec,
		RootfsMount: m.spec.Rootfs.Mount,
		ConsolePath: consolePath,
		LXCPath:     m.o.LXCPath,
		CloneFlags:  flags,
		PlanHook: func(p *nsexec.Plan, kind string) {
			m.planHooks(p, kind, m.hookContext(), "lxc.hook."+kind+": ")
		},
	}
}

// planHooks adds the kind's hooks, run in the init stage's namespaces as
// initStage runs them (the same command line and environment).
func (m *monitor) planHooks(p *nsexec.Plan, kind string, c hooks.Context, errPrefix string) {
	for _, value := range m.spec.Hooks[kind] {
		argv, env := hooks.Command(kind, value, c)
		p.Hook(kind, value, errPrefix, argv, env, c.Dir)
	}
}

// buildInitPlan is the init stage as an exec plan, in initStage's order.
func (m *monitor) buildInitPlan(in *instance, msg *setupMsg) (*nsexec.Plan, error) {
	p := &nsexec.Plan{}
	logFD := -1
	if msg.LogFD {
		logFD = stageLogFD
	}
	p.Ident(log.Prefix(), m.o.Name, true, logFD, int(log.CurrentLevel()))
	// lxc.seccomp.profile is a host path: compiled here, loaded there.
	filter, err := seccomp.Prepare(m.spec)
	if err != nil {
		return nil, err
	}
	if m.spec.ApparmorProfile != "" {
		log.Infof("lxc.apparmor.profile = %s: no LSM support, not applied", m.spec.ApparmorProfile)
	}
	if err := m.rootfsSetup(msg.ConsolePath, msg.CloneFlags).Plan(p); err != nil {
		return nil, err
	}
	p.SendTTYs()
	// start hooks run inside the container (paths resolve in its rootfs).
	sc := m.hookContext()
	sc.BaseEnv, sc.Dir = msg.Env, "/"
	m.planHooks(p, hooks.Start, sc, "")
	p.Ready()
	f := &initsetup.Final{
		Spec:        m.spec,
		Cmd:         msg.Cmd,
		Env:         msg.Env,
		SetHostname: in.flags&unix.CLONE_NEWUTS != 0,
		Seccomp:     filter,
	}
	if err := f.Plan(p, m.o.Execute); err != nil {
		return nil, err
	}
	if len(p.Bytes()) > nsexec.PlanMax {
		return nil, fmt.Errorf("container init: exec plan of %d bytes, at most %d", len(p.Bytes()), nsexec.PlanMax)
	}
	return p, nil
}
