package config

import (
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Spec builds the typed view of the applied values.
func (c *Config) Spec() (*Spec, error) {
	v := &c.v
	s := &Spec{
		Arch:       v.arch,
		UTSName:    v.utsname,
		Ephemeral:  v.ephemeral == 1,
		Groups:     clone(v.groups),
		StartAuto:  int(v.startAuto),
		StartDelay: int(v.startDelay),
		StartOrder: int(v.startOrder),

		Environment: clone(v.env),
		ExecuteCmd:  v.executeCmd,
		Init:        InitSpec{Cmd: v.initCmd, Cwd: v.initCwd, UID: int(v.initUID), GID: int(v.initGID)},
		Signals: SignalSpec{Halt: syscall.Signal(v.sigHalt), Reboot: syscall.Signal(v.sigReboot),
			Stop: syscall.Signal(v.sigStop)},

		MonitorUnshare:       v.monitorUnshare != 0,
		MonitorPdeathSignal:  syscall.Signal(v.pdeath),
		MonitorPdeathDisable: v.pdeath == 0,
		NoNewPrivs:           v.noNewPrivs == 1,

		Proc:   clone(v.procs),
		Sysctl: clone(v.sysctls),

		Rootfs: RootfsSpec{Type: v.rootfsType, Path: v.rootfsPath, Mount: v.rootfsMount,
			Options: v.rootfsOptions, Managed: v.rootfsManaged},

		MountFstab:   v.fstab,
		MountEntries: mountEntriesSpec(v.mountEntries),

		Autodev:          v.autodev == 1,
		AutodevTmpfsSize: int(v.autodevTmpfs),

		Console: ConsoleSpec{Path: v.consolePath, Logfile: v.consoleLog, Rotate: v.consoleRotate == 1,
			BufferSize: int(v.consoleBuf), Size: int(v.consoleSize)},
		TTYMax: int(v.ttyMax),
		TTYDir: v.ttyDir,
		PTYMax: int(v.ptyMax),

		CgroupDir:          v.cgDir,
		CgroupDirContainer: v.cgContainer,
		CgroupDirMonitor:   v.cgMonitor,
		CgroupDirPivot:     v.cgMonPivot,
		CgroupDirInner:     v.cgInner,
		CgroupRelative:     v.cgRelative == 1,

		ApparmorProfile:         v.aaProfile,
		ApparmorAllowIncomplete: v.aaIncomplete == 1,
		ApparmorAllowNesting:    v.aaNesting == 1,
		ApparmorRaw:             clone(v.aaRaw),
		SelinuxContext:          v.selinuxContext,
		SelinuxContextKeyring:   v.selinuxKeyring,

		SeccompProfile:      v.seccompProfile,
		SeccompAllowNesting: v.seccompNesting == 1,
		SeccompNotifyProxy:  v.notifyProxy,
		SeccompNotifyCookie: v.notifyCookie,

		IDMap: clone(v.idmaps),

		NamespaceClone: nsFlags(v.nsClone),
		NamespaceKeep:  nsFlags(v.nsKeep),
		NamespaceShare: map[string]string{},

		Hooks:       map[string][]string{},
		HookVersion: int(v.hookVersion),

		Log: LogSpec{File: v.logFile, Syslog: v.logSyslog},

		TimeBoot:      TimeOffset{Sec: v.timeBoot.sec, Nsec: v.timeBoot.nsec},
		TimeMonotonic: TimeOffset{Sec: v.timeMono.sec, Nsec: v.timeMono.nsec},
		SchedCore:     v.schedCore == 1,
	}
	s.Personality = archPersonality(v.arch)
	for _, g := range v.initGroups {
		s.Init.Groups = append(s.Init.Groups, int(g))
	}
	if v.keyringSet {
		// LXC 5.0.2 stores the value as "disable session keyring", so
		// "lxc.keyring.session = 1" means no new keyring; mirrored here.
		b := !v.keyringDisable
		s.KeyringSession = &b
	}
	for _, l := range v.prlimits {
		s.Prlimit = append(s.Prlimit, Rlimit{Name: l.name, Soft: l.soft, Hard: l.hard})
	}
	if v.rootfsPath != "" {
		if s.Rootfs.Type == "" {
			s.Rootfs.Type = "dir"
			s.Rootfs.Raw = v.rootfsPath
		} else {
			s.Rootfs.Raw = v.rootfsType + ":" + v.rootfsPath
		}
	}
	rootfsOptionsSpec(&s.Rootfs)
	rootfsPathSpec(&s.Rootfs)
	for _, cg := range v.cgroups {
		kv := KeyValue{Key: cg.key, Value: cg.value}
		if cg.v2 {
			s.Cgroup2 = append(s.Cgroup2, kv)
		} else {
			s.Cgroup1 = append(s.Cgroup1, kv)
		}
	}
	s.Caps = capsSpec(v)
	s.MountAuto = mountAutoSpec(v)
	for k, x := range v.nsShare {
		s.NamespaceShare[k] = x
	}
	for k, x := range v.hooks {
		if len(x) > 0 {
			s.Hooks[k] = clone(x)
		}
	}
	if v.logLevel != logNotSet {
		s.Log.Level = logLevelName(v.logLevel)
	}
	if t := v.timeBoot; t != (timeOffset{}) {
		s.TimeOffsetBoot, _ = c.Get("lxc.time.offset.boot")
		s.TimeOffsetBoot = strings.TrimSuffix(s.TimeOffsetBoot, "\n")
	}
	if t := v.timeMono; t != (timeOffset{}) {
		s.TimeOffsetMonotonic, _ = c.Get("lxc.time.offset.monotonic")
		s.TimeOffsetMonotonic = strings.TrimSuffix(s.TimeOffsetMonotonic, "\n")
	}
	for _, d := range v.nets {
		s.Net = append(s.Net, netSpec(d))
	}
	sort.SliceStable(s.Net, func(i, j int) bool { return s.Net[i].Index < s.Net[j].Index })
	return s, nil
}

// Personalities (linux/personality.h) of the two lxc.arch families.
const (
	PerLinux   = 0x0000
	PerLinux32 = 0x0008
)

// archPersonality: the setter reduced lxc.arch to "i686", "x86_64" or "".
func archPersonality(arch string) int {
	switch arch {
	case "i686":
		return PerLinux32
	case "x86_64":
		return PerLinux
	}
	return -1
}

func clone[T any](l []T) []T {
	if l == nil {
		return nil
	}
	return append([]T(nil), l...)
}

// mountAutoSpec types lxc.mount.auto.
func mountAutoSpec(v *values) MountAuto {
	m := MountAuto{Proc: strings.TrimPrefix(v.autoProc, "proc:"), Sys: strings.TrimPrefix(v.autoSys, "sys:"),
		Shmounts: v.shmounts}
	if cg := v.autoCgroup; cg != "" {
		m.Cgroup = cgroupMount(cg)
	}
	for _, t := range []string{v.autoProc, v.autoSys, v.autoCgroup} {
		if t != "" {
			m.Tokens = append(m.Tokens, t)
		}
	}
	if v.shmounts != "" {
		m.Tokens = append(m.Tokens, "shmounts:"+v.shmounts)
	}
	return m
}

// cgroupMount types a cgroup token the setter validated (mountAutoGroup).
func cgroupMount(tok string) CgroupMount {
	var m CgroupMount
	tok, m.Force = strings.CutSuffix(tok, ":force")
	switch {
	case strings.HasPrefix(tok, "cgroup2"):
		m.V2, m.Mode = true, "rw"
		if tok == "cgroup2:ro" {
			m.Mode = "ro"
		}
		return m
	case strings.HasPrefix(tok, "cgroup-full"):
		m.Full = true
		tok = strings.TrimPrefix(tok, "cgroup-full")
	default:
		tok = strings.TrimPrefix(tok, "cgroup")
	}
	if m.Mode = strings.TrimPrefix(tok, ":"); m.Mode == "" {
		m.Mode = "nospec"
	}
	return m
}

func netSpec(d *netdev) NetDev {
	n := NetDev{
		Index: d.idx, Type: d.typ, Link: d.link, Name: d.name, Hwaddr: d.hwaddr, L2Proxy: d.l2proxy,
		ScriptUp: d.scriptUp, ScriptDown: d.scriptDown, VethPair: d.vethPair, VethMode: d.vethMode,
		MacvlanMode: d.macvlanMode, IpvlanMode: d.ipvlanMode, IpvlanIsolation: d.ipvlanIsolate,
		VlanID: int(d.vlanID), VethNRxQueues: int(d.nRx), VethNTxQueues: int(d.nTx),
	}
	if d.up {
		n.Flags = "up"
	}
	if d.mtu != "" {
		// LXC takes any string when loading and fails the start on one
		// that is not a number: kept in Err, which network.New reports.
		if m, err := strconv.ParseUint(d.mtu, 10, 31); err == nil {
			n.MTU = int(m)
		} else {
			n.Err = netValueError(d, "mtu", d.mtu, "expected the MTU in bytes, a number such as 1500")
		}
	}
	netAddrsSpec(d, &n)
	if d.typ == "veth" {
		n.VethVlanID = VlanID(max(d.vethVlanID, -1))
		n.VethVlanTagged = clone(d.vethTagged)
	}
	return n
}
