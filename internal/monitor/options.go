// Package monitor runs a container: the long-lived "[lxc monitor] LXCPATH
// NAME" process that owns the command socket, the cgroups, the console and
// the hooks, spawns the container init and tears everything down when it
// exits (LXC's start.c / lxccontainer.c start path).
//
// Process model (see docs in go-anchors.md §2.2):
//
//	lxc-start ──re-exec (GOLXC_MONITOR=1, Setsid)──► [lxc monitor] LXCPATH NAME
//	                                                   │ spawn.Start(Create, stage "init")
//	                                                   ▼
//	                                      init stage (new namespaces): rootfs, hooks, exec
//
// As root, golxc's own lxc-start skips the re-exec: it was forked before
// the Go runtime started (internal/nsexec, prefork.c), its parent waits for
// the exit code, and the process that ran lxc-start's Go code becomes the
// monitor (prefork.go). GOLXC_NO_PREFORK=1 restores the re-exec.
//
// The monitor and the init stage run the golxc binary (internal/selfexe):
// golxc itself marks itself (selfexe.MarkMain) and calls
// RunDaemonIfRequested early in main (after spawn.RunStageIfRequested);
// any other program that starts containers runs the installed golxc for
// both. Importing this package registers the spawn stage "init".
//
// lxc-execute: the init stage stays in Go as PID 1 (execinit) and forks the
// command, which therefore is not PID 2 (Go's threads take the first pids
// of the namespace). Final's settings are applied to the thread that forks.
//
// Cgroup moves (cgroups.go): the first move of a start waits for an RCU
// grace period (internal/cgroup's doc). Where v1 hierarchies take moves
// the monitor makes its monitor and payload cgroups, then moves itself
// into lxc.monitor.NAME in the background while the setup goes on; the
// stage's moves into the v1 payload cgroups (spawn's Prepare) wait for
// that move and follow it within its grace period, and so does anything
// forked before (pre-start hooks, criu). A failed move fails the start
// with the line it always gave ("create monitor cgroup: ...").
package monitor

import "errors"

// Options describe one start request (lxc-start / lxc-execute).
type Options struct {
	Name    string
	LXCPath string

	// ConfigFile is loaded (LXCPATH/NAME/config, or the -f rcfile for a
	// volatile container). Empty: start with an empty configuration.
	ConfigFile string
	// Defines are -s KEY=VAL, applied after loading.
	Defines []string
	// Command overrides the payload argv (lxc-start -- CMD, lxc-execute CMD).
	Command []string
	// Execute: an internal init is PID 1, the command PID 2, and Start
	// returns the command's exit status.
	Execute   bool
	Daemonize bool

	ConsolePath string // lxc.console.path
	ConsoleLog  string // lxc.console.logfile
	PidFile     string // receives the monitor pid

	// Share maps a namespace ("net", "ipc", "uts", "pid") to a container
	// name or pid (--share-net ...).
	Share map[string]string

	LogFile  string
	LogLevel string
	// LogPrefix starts the monitor's log lines ("" = the caller's, as
	// internal/log has it: the tool's name, or "lxc" for the Go API).
	LogPrefix string
	Quiet     bool

	UID, GID int // lxc-execute -u / -g; -1 = unset

	// NoMonitorCgroup keeps the monitor in the caller's cgroups (no
	// lxc.monitor.NAME): for a throw-away container nobody else looks
	// up (lxc-sandbox without --name), it saves creating, entering and
	// removing a cgroup per hierarchy, whose first move of a process
	// waits for an RCU grace period on a cgroup v1 host. golxc's own;
	// LXC always makes one.
	NoMonitorCgroup bool `json:",omitempty"`

	// UnifiedCgroupOnly makes the container's cgroups in the cgroup2
	// hierarchy only, as on a pure cgroup2 host (cgroup.Layout's
	// UnifiedView), where the host has one: on a hybrid host the
	// container is moved into no v1 hierarchy, each first move of which
	// waits for an RCU grace period. For lxc-sandbox without --name,
	// which sets no v1 limit. golxc's own.
	UnifiedCgroupOnly bool `json:",omitempty"`

	// ProcessExitsAfter: the caller exits once Start returns (the
	// lxc-execute, lxc-start -F and lxc-sandbox tools), so a foreground
	// monitor's caught signals stay caught instead of being handed back:
	// signal.Stop takes two thread hand-offs per signal, ~0.35 ms for the
	// six on a VM, after the container ended and before the tool's exit.
	ProcessExitsAfter bool `json:",omitempty"`

	// Restore, when set, brings the container back from a criu checkpoint
	// instead of spawning its init (lxc-checkpoint -r).
	Restore *RestoreRequest `json:",omitempty"`
}

// RestoreRequest is a checkpoint to restore and the criu to restore it
// with (found and checked by the caller, package lxc).
type RestoreRequest struct {
	Dir          string
	Criu         string
	CriuVersion  string
	Verbose      bool
	ActionScript string
}

// ErrAlreadyRunning is returned (with status 0) when another monitor owns
// the container; lxc-start prints it and still exits 0, like LXC.
var ErrAlreadyRunning = errors.New("Container is already running")
