package cmdsock

import "strconv"

// Cmd is an LXC 5.0.2 command number (lxc_cmd_t). The numbers are part of the
// wire protocol and must never change.
type Cmd int32

const (
	GetTTYFD Cmd = iota
	TerminalWinch
	Stop
	GetState
	GetInitPID
	GetCloneFlags
	GetCgroup
	GetConfigItem
	GetName
	GetLXCPath
	AddStateClient
	ConsoleLog
	ServeStateClients
	SeccompNotifyAddListener
	AddBPFDeviceCgroup
	Freeze
	Unfreeze
	GetCgroup2FD
	GetInitPidFD
	GetLimitCgroup
	GetLimitCgroup2FD
	GetDevptsFD
	GetSeccompNotifyFD
	GetCgroupCtx
	GetCgroupFD
	GetLimitCgroupFD
	GetSystemdScope
	cmdMax
)

// cmdNames are the names LXC uses for the commands in its log messages.
var cmdNames = [cmdMax]string{
	"get_tty_fd", "terminal_winch", "stop", "get_state", "get_init_pid",
	"get_clone_flags", "get_cgroup", "get_config_item", "get_name",
	"get_lxcpath", "add_state_client", "console_log", "serve_state_clients",
	"seccomp_notify_add_listener", "add_bpf_device_cgroup", "freeze",
	"unfreeze", "get_cgroup2_fd", "get_init_pidfd", "get_limit_cgroup",
	"get_limit_cgroup2_fd", "get_devpts_fd", "get_seccomp_notify_fd",
	"get_cgroup_ctx", "get_cgroup_fd", "get_limit_cgroup_fd",
	"get_systemd_scope",
}

func (c Cmd) String() string {
	if c >= 0 && c < cmdMax {
		return cmdNames[c]
	}
	if c == Batch {
		return "golxc_batch"
	}
	return "unknown command " + strconv.Itoa(int(c))
}

// Valid reports whether c is a command LXC 5.0.2 knows.
func (c Cmd) Valid() bool { return c >= 0 && c < cmdMax }

// maxResponseFds is how many descriptors a reply to c may carry
// (cgroup_ctx carries up to CGROUP_CTX_MAX_FD = 20).
func (c Cmd) maxResponseFds() int {
	switch c {
	case GetTTYFD, GetCgroup2FD, GetLimitCgroup2FD, GetInitPidFD,
		GetSeccompNotifyFD, GetDevptsFD, GetCgroupFD, GetLimitCgroupFD:
		return 1
	case GetCgroupCtx:
		return 20
	}
	return 0
}

// keepsConnection reports whether the client must hold the connection open
// after the reply: a tty slot and a state subscription live as long as it.
func (c Cmd) keepsConnection() bool { return c == GetTTYFD || c == AddStateClient }

// mayExceedDataMax: console ring-buffer reads are exempt from the size cap.
func (c Cmd) mayExceedDataMax() bool { return c == ConsoleLog }

// query reports whether c only reads the monitor's state, so sending it
// twice is harmless.
func (c Cmd) query() bool {
	switch c {
	case GetState, GetInitPID, GetCloneFlags, GetCgroup, GetConfigItem, GetName, GetLXCPath,
		AddStateClient, GetInitPidFD, GetLimitCgroup, GetSystemdScope:
		return true
	}
	return false
}
