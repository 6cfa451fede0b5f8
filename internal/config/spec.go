package config

import (
	"net"
	"net/netip"
	"strconv"
	"syscall"
)

// Spec is the typed view of a container configuration that the runtime
// (monitor, init stage, cgroups, network) consumes. It is built from a
// Config by (*Config).Spec() after all keys are applied, so the parser
// and the runtime never share mutable state.
//
// Zero values mean "not set"; defaults that LXC applies at use time (such
// as SIGPWR for halt) are applied by the runtime, not here, except where a
// field's comment says otherwise.
type Spec struct {
	Arch string // lxc.arch as LXC reads it back: "i686" (32-bit), "x86_64" (64-bit) or ""
	// Personality is lxc.arch as personality(2) takes it: PerLinux32,
	// PerLinux, or -1 when unset.
	Personality int
	UTSName     string // lxc.uts.name
	Ephemeral   bool   // lxc.ephemeral
	Groups      []string
	StartAuto   int
	StartDelay  int
	StartOrder  int

	Environment []string // lxc.environment, each resolved to VAR=VALUE
	ExecuteCmd  string   // lxc.execute.cmd
	Init        InitSpec

	Signals SignalSpec

	MonitorUnshare       bool
	MonitorPdeathSignal  syscall.Signal // 0: default (SIGKILL) unless PdeathDisabled
	MonitorPdeathDisable bool
	NoNewPrivs           bool
	KeyringSession       *bool // nil = default (new session keyring); else whether to create one (see Spec())

	Proc    []KeyValue // lxc.proc.<file>   (Key = "oom_score_adj")
	Sysctl  []KeyValue // lxc.sysctl.<name> (Key = "net.ipv4.ip_forward")
	Prlimit []Rlimit   // lxc.prlimit.<name>

	Rootfs RootfsSpec

	MountFstab   string       // lxc.mount.fstab (its file is read, and parsed with ParseFstab, at start)
	MountEntries []MountEntry // lxc.mount.entry in config order, parsed
	MountAuto    MountAuto

	Autodev          bool // lxc.autodev (default true)
	AutodevTmpfsSize int  // bytes; 0 = default (500000)

	Console ConsoleSpec
	TTYMax  int    // lxc.tty.max
	TTYDir  string // lxc.tty.dir
	PTYMax  int    // lxc.pty.max

	Net []NetDev // sorted by Index

	Cgroup1            []KeyValue // lxc.cgroup.<controller>.<file> (Key = "memory.limit_in_bytes")
	Cgroup2            []KeyValue // lxc.cgroup2.<controller>.<file>
	CgroupDir          string     // lxc.cgroup.dir
	CgroupDirContainer string     // lxc.cgroup.dir.container
	CgroupDirMonitor   string     // lxc.cgroup.dir.monitor
	CgroupDirPivot     string     // lxc.cgroup.dir.monitor.pivot
	CgroupDirInner     string     // lxc.cgroup.dir.container.inner
	CgroupRelative     bool       // lxc.cgroup.relative

	Caps Caps // lxc.cap.drop / lxc.cap.keep as capability numbers

	ApparmorProfile         string
	ApparmorAllowIncomplete bool
	ApparmorAllowNesting    bool
	ApparmorRaw             []string
	SelinuxContext          string
	SelinuxContextKeyring   string

	SeccompProfile      string // path of the policy file
	SeccompAllowNesting bool
	SeccompNotifyProxy  string
	SeccompNotifyCookie string

	IDMap []IDMap

	NamespaceClone uintptr           // lxc.namespace.clone as CLONE_NEW* flags (0: unset)
	NamespaceKeep  uintptr           // lxc.namespace.keep, same
	NamespaceShare map[string]string // ns name -> container name, path or pid

	Hooks       map[string][]string // hook type ("pre-start", "mount", ...) -> commands in order
	HookVersion int

	Log LogSpec

	TimeOffsetBoot      string     // get_config_item text without newline, e.g. "10 s"; "" when unset
	TimeOffsetMonotonic string     // same for lxc.time.offset.monotonic
	TimeBoot            TimeOffset // lxc.time.offset.boot as written to /proc/PID/timens_offsets
	TimeMonotonic       TimeOffset
	SchedCore           bool
}

// TimeOffset is a time namespace clock offset. LXC keeps the seconds (h/m/s
// units) and nanoseconds (ms/us/ns units) parts separately.
type TimeOffset struct {
	Sec  int64
	Nsec int64
}

// InitSpec holds lxc.init.*.
type InitSpec struct {
	Cmd    string // lxc.init.cmd (default /sbin/init applied by the runtime)
	Cwd    string
	UID    int
	GID    int
	Groups []int
}

// SignalSpec holds lxc.signal.*; 0 means "use LXC's default".
type SignalSpec struct {
	Halt   syscall.Signal // default SIGPWR
	Reboot syscall.Signal // default SIGINT
	Stop   syscall.Signal // default SIGKILL
}

// KeyValue is one entry of a prefix key family, in config order.
type KeyValue struct {
	Key   string
	Value string
}

// Rlimit is one lxc.prlimit.<name> entry. Unlimited is RLIM_INFINITY.
type Rlimit struct {
	Name string // lowercase resource name without RLIMIT_, e.g. "nofile"
	Soft uint64
	Hard uint64
}

// RootfsSpec holds lxc.rootfs.*.
type RootfsSpec struct {
	Type    string // "dir", "overlay", "loop", ... ("dir" when no prefix and a path is set)
	Path    string // without the "type:" prefix; "/" means the host root
	Raw     string // as written, e.g. "dir:/var/lib/lxc/c1/rootfs"
	Mount   string // lxc.rootfs.mount
	Options string // lxc.rootfs.options as written
	Managed bool   // lxc.rootfs.managed (default true)

	// lxc.rootfs.options parsed with the mount entries' option table.
	Flags       uintptr // MS_* flags
	Propagation uintptr // MS_SHARED/MS_SLAVE/... (+MS_REC)
	Data        string  // filesystem options
	// OptionsErr: an option LXC takes when loading that golxc cannot
	// apply (idmap=); mounting the rootfs fails with it.
	OptionsErr *ParseError `json:",omitempty"`

	// Overlay types ("overlay" or "overlayfs"): Path split into its
	// lower directories and its upper one.
	OverlayLower []string
	OverlayUpper string
	// PathErr: a path LXC takes when loading but cannot mount (a storage
	// type golxc lacks, an overlay without an upper directory); mounting
	// the rootfs fails with it.
	PathErr *ParseError `json:",omitempty"`
}

// MountAuto is the parsed lxc.mount.auto token set. Empty strings mean
// "not requested".
type MountAuto struct {
	Proc     string // "", "mixed", "rw"
	Sys      string // "", "mixed", "ro", "rw"
	Cgroup   CgroupMount
	Shmounts string   // "HOST[:CONT]"
	Tokens   []string // canonical tokens, in order proc, sys, cgroup(-full|2), shmounts
}

// CgroupMount is the cgroup token of lxc.mount.auto (cgroup, cgroup-full
// or cgroup2, one mode, maybe :force).
type CgroupMount struct {
	// Mode is "" (no cgroup token), "mixed", "ro", "rw" or "nospec" (a
	// bare cgroup or cgroup-full, mounted read-write).
	Mode  string
	Full  bool // cgroup-full
	V2    bool // cgroup2: one cgroup2 mount (Mode rw or ro)
	Force bool // :force
}

// ConsoleSpec holds lxc.console.*.
type ConsoleSpec struct {
	Path       string // "" default (allocate a pty), "none", or a device
	Logfile    string
	Rotate     bool
	BufferSize int // bytes, 0 = default
	Size       int // bytes, 0 = default
}

// NetDev is one lxc.net.N.
type NetDev struct {
	Index           int
	Type            string // veth macvlan ipvlan vlan phys none empty ("empty" when unset)
	Flags           string
	Link            string
	Name            string
	Hwaddr          string           // as written, x placeholders already expanded
	MAC             net.HardwareAddr // Hwaddr parsed; nil when unset or invalid (see Err)
	MTU             int
	IPv4            []NetAddr // broadcast only when written (else derived from the prefix)
	IPv4Gateway     Gateway
	IPv6            []NetAddr
	IPv6Gateway     Gateway
	L2Proxy         bool
	ScriptUp        string
	ScriptDown      string
	VethPair        string
	VethMode        string // "bridge" (default) or "router"
	VethIPv4Routes  []netip.Prefix
	VethIPv6Routes  []netip.Prefix
	VethVlanID      VlanID   // veth.vlan.id
	VethVlanTagged  []uint16 // veth.vlan.tagged.id, in config order
	MacvlanMode     string
	IpvlanMode      string
	IpvlanIsolation string
	VlanID          int
	VethNRxQueues   int // 0 = default
	VethNTxQueues   int

	// Err is the first value of the device that LXC accepts when loading
	// a config but that cannot be used (a malformed hwaddr, an IPv6
	// prefix over 128...): the start fails with it, before any device is
	// made, as it did when the network code parsed the strings itself.
	Err *ParseError `json:",omitempty"`
}

// IDMap is one lxc.idmap line.
type IDMap struct {
	Type   byte // 'u' or 'g'
	NSID   uint32
	HostID uint32
	Range  uint32
}

// LogSpec holds lxc.log.*.
type LogSpec struct {
	File   string
	Level  string // level name, "" when unset
	Syslog string
}

// VlanID is lxc.net.N.veth.vlan.id: 0 when unset, VlanNone for "none"
// (no untagged VLAN), else the port's untagged VLAN.
type VlanID int

// VlanNone is veth.vlan.id = none.
const VlanNone VlanID = -1

// String is the value as written ("" when unset).
func (v VlanID) String() string {
	switch {
	case v == VlanNone:
		return "none"
	case v > 0:
		return strconv.Itoa(int(v))
	}
	return ""
}
