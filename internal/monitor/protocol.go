package monitor

import "github.com/golxc/golxc/internal/config"

// The monitor and the init stage talk over spawn's sync socket, one JSON
// message per step:
//
//	monitor → init  setupMsg   (namespaces, maps, cgroup, network ready)
//	init → monitor  childMsg{TTYs: n} + n fds, repeated (rootfs done): the
//	                masters of the lxc.tty.max ptys, allocated on the
//	                container's devpts, tty1 first
//	init → monitor  childMsg{Ready}  (start hooks ran)
//	monitor → init  goMsg      (start-host hooks ran)
//	init execs; the close-on-exec sync socket reads EOF in the monitor.
//	Any failure: init → monitor childMsg{Error}, then init exits.
//
// An init that runs an exec plan (initplan.go) gets the plan instead of
// setupMsg and sends the same TTYs and Ready packets; its failure report
// is {"Err": MSG} (internal/nsexec, execplan.c).

const initStageName = "init"

// maxTTYsPerMsg stays within spawn's limit of fds per packet.
const maxTTYsPerMsg = 16

type setupMsg struct {
	Name        string
	LXCPath     string
	ConfigFile  string
	Spec        *config.Spec
	Cmd         []string
	Env         []string
	Execute     bool
	CloneFlags  uintptr
	ConsolePath string // host path of the console pty slave ("" = none)
	LogLevel    string
	// LogFD: the monitor's log file is the stage's fd 3 (see spawnInit);
	// the stage writes its steps there as LogPrefix, until its exec.
	LogFD     bool
	LogPrefix string
	// InProcessInit: lxc-execute's init stays in this process (the stage
	// already narrowed every thread's capabilities); see finalize.
	InProcessInit bool
}

type childMsg struct {
	TTYs  int    `json:",omitempty"` // tty masters riding on this packet
	Ready bool   `json:",omitempty"`
	Error string `json:",omitempty"`
	Err   string `json:",omitempty"` // the C executor's failure report (exec plan)
}

// err is the failure init reported, from either stage.
func (c *childMsg) err() string {
	if c.Error != "" {
		return c.Error
	}
	return c.Err
}

type goMsg struct {
	Go bool
}
