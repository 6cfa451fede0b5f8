package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/golxc/golxc/internal/namespace"
)

// entry is one row of the key table. Strict entries match the key exactly,
// the others (lxc.cgroup, lxc.prlimit, lxc.net., ...) by prefix, in table
// order, exactly like LXC's lxc_get_config.
type entry struct {
	name   string
	strict bool
	set    func(c *Config, key, v string) error
	get    func(c *Config, key string) (string, error)
	clr    func(c *Config, key string) error
}

// lookup returns the table entry handling key, or nil.
func lookup(key string) *entry {
	for i := range table {
		e := &table[i]
		if e.strict {
			if key == e.name {
				return e
			}
		} else if strings.HasPrefix(key, e.name) {
			return e
		}
	}
	return nil
}

const pathMax = 4096

// ---- generic entry builders ----------------------------------------------

func strKey(name string, f func(*values) *string, max int) entry {
	return entry{name: name, strict: true,
		set: func(c *Config, _, v string) error {
			if max > 0 && len(v) >= max {
				return verr(fmt.Sprintf("value is %d bytes long", len(v)), fmt.Sprintf("at most %d bytes are accepted", max-1))
			}
			*f(&c.v) = v
			return nil
		},
		get: func(c *Config, _ string) (string, error) { return *f(&c.v), nil },
		clr: func(c *Config, _ string) error { *f(&c.v) = ""; return nil },
	}
}

// boolKey is a 0/1 key; an empty value restores def.
func boolKey(name string, f func(*values) *uint32, def uint32) entry {
	return entry{name: name, strict: true,
		set: func(c *Config, _, v string) error {
			if v == "" {
				*f(&c.v) = def
				return nil
			}
			n, err := boolValue(v)
			if err != nil {
				return err
			}
			*f(&c.v) = n
			return nil
		},
		get: func(c *Config, _ string) (string, error) { return utoa(uint64(*f(&c.v))), nil },
		clr: func(c *Config, _ string) error { *f(&c.v) = def; return nil },
	}
}

// uintKey is an unsigned number; an empty value means 0.
func uintKey(name string, f func(*values) *uint32) entry {
	return entry{name: name, strict: true,
		set: func(c *Config, _, v string) error {
			if v == "" {
				*f(&c.v) = 0
				return nil
			}
			n, ok := safeUint(v)
			if !ok {
				return badValue(v, "expected an unsigned number")
			}
			*f(&c.v) = n
			return nil
		},
		get: func(c *Config, _ string) (string, error) { return utoa(uint64(*f(&c.v))), nil },
		clr: func(c *Config, _ string) error { *f(&c.v) = 0; return nil },
	}
}

// listKey appends each value (or each blank-separated word when split).
func listKey(name string, f func(*values) *[]string, split bool) entry {
	return entry{name: name, strict: true,
		set: func(c *Config, _, v string) error {
			if v == "" {
				*f(&c.v) = nil
				return nil
			}
			if split {
				*f(&c.v) = append(*f(&c.v), strings.FieldsFunc(v, isBlank)...)
			} else {
				*f(&c.v) = append(*f(&c.v), v)
			}
			return nil
		},
		get: func(c *Config, _ string) (string, error) { return joinLines(*f(&c.v)), nil },
		clr: func(c *Config, _ string) error { *f(&c.v) = nil; return nil },
	}
}

func isBlank(r rune) bool { return r == ' ' || r == '\t' }

// joinLines renders a list the way LXC does: each entry followed by "\n".
func joinLines(l []string) string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

func signalKey(name string, f func(*values) *int) entry {
	return entry{name: name, strict: true,
		set: func(c *Config, _, v string) error {
			if v == "" {
				*f(&c.v) = 0
				return nil
			}
			n, ok := parseSignal(v)
			if !ok {
				return badValue(v, signalHint)
			}
			*f(&c.v) = n
			return nil
		},
		get: func(c *Config, _ string) (string, error) { return itoa(int64(*f(&c.v))), nil },
		clr: func(c *Config, _ string) error { *f(&c.v) = 0; return nil },
	}
}

// cgroupDirKey: relative paths that never walk upwards.
func cgroupDirKey(name string, f func(*values) *string, leaf bool) entry {
	e := strKey(name, f, pathMax)
	set := e.set
	e.set = func(c *Config, k, v string) error {
		switch {
		case v == "":
		case leaf && (strings.Contains(v, "/") || v == "." || v == ".."):
			return badValue(v, "expected a single cgroup name without \"/\"")
		case strings.HasPrefix(v, "/"):
			return badValue(v, "cgroup paths may not be absolute")
		case strings.Contains(v, ".."):
			return badValue(v, "cgroup paths may not walk upwards via \"..\"")
		}
		return set(c, k, v)
	}
	return e
}

func hookKey(t string) entry {
	return entry{name: "lxc.hook." + t, strict: true, set: setHook, get: getHook, clr: clrHooks}
}

// table mirrors LXC 5.0.2's config_jump_table, in its order.
var table []entry

func init() {
	table = []entry{
		{name: "lxc.arch", strict: true, set: setArch,
			get: func(c *Config, _ string) (string, error) { return c.v.arch, nil },
			clr: func(c *Config, _ string) error { c.v.arch = ""; return nil }},
		strKey("lxc.apparmor.profile", func(v *values) *string { return &v.aaProfile }, 0),
		boolKey("lxc.apparmor.allow_incomplete", func(v *values) *uint32 { return &v.aaIncomplete }, 0),
		boolKey("lxc.apparmor.allow_nesting", func(v *values) *uint32 { return &v.aaNesting }, 0),
		listKey("lxc.apparmor.raw", func(v *values) *[]string { return &v.aaRaw }, false),
		{name: "lxc.autodev.tmpfs.size", strict: true, set: setAutodevTmpfs,
			get: func(c *Config, _ string) (string, error) { return itoa(int64(c.v.autodevTmpfs)), nil },
			clr: func(c *Config, _ string) error { c.v.autodevTmpfs = 500000; return nil }},
		boolKey("lxc.autodev", func(v *values) *uint32 { return &v.autodev }, 1),
		{name: "lxc.cap.drop", strict: true, set: setCapDrop, get: getCaps, clr: clrCaps},
		{name: "lxc.cap.keep", strict: true, set: setCapKeep, get: getCaps, clr: clrCaps},
		{name: "lxc.cgroup2", set: setCgroup, get: getCgroup, clr: clrCgroup},
		cgroupDirKey("lxc.cgroup.dir.monitor.pivot", func(v *values) *string { return &v.cgMonPivot }, false),
		cgroupDirKey("lxc.cgroup.dir.monitor", func(v *values) *string { return &v.cgMonitor }, false),
		cgroupDirKey("lxc.cgroup.dir.container.inner", func(v *values) *string { return &v.cgInner }, true),
		cgroupDirKey("lxc.cgroup.dir.container", func(v *values) *string { return &v.cgContainer }, false),
		cgroupDirKey("lxc.cgroup.dir", func(v *values) *string { return &v.cgDir }, false),
		boolKey("lxc.cgroup.relative", func(v *values) *uint32 { return &v.cgRelative }, 0),
		{name: "lxc.cgroup", set: setCgroup, get: getCgroup, clr: clrCgroup},
		consoleSizeKey("lxc.console.buffer.size", func(v *values) *uint64 { return &v.consoleBuf }),
		strKey("lxc.console.logfile", func(v *values) *string { return &v.consoleLog }, pathMax),
		strKey("lxc.console.path", func(v *values) *string { return &v.consolePath }, pathMax),
		boolKey("lxc.console.rotate", func(v *values) *uint32 { return &v.consoleRotate }, 0),
		consoleSizeKey("lxc.console.size", func(v *values) *uint64 { return &v.consoleSize }),
		boolKey("lxc.sched.core", func(v *values) *uint32 { return &v.schedCore }, 0),
		{name: "lxc.environment", strict: true, set: setEnvironment,
			get: func(c *Config, _ string) (string, error) { return joinLines(c.v.env), nil },
			clr: func(c *Config, _ string) error { c.v.env = nil; return nil }},
		boolKey("lxc.ephemeral", func(v *values) *uint32 { return &v.ephemeral }, 0),
		strKey("lxc.execute.cmd", func(v *values) *string { return &v.executeCmd }, 0),
		listKey("lxc.group", func(v *values) *[]string { return &v.groups }, true),
		hookKey("autodev"), hookKey("clone"), hookKey("destroy"), hookKey("mount"),
		hookKey("post-stop"), hookKey("pre-mount"), hookKey("pre-start"), hookKey("start"),
		hookKey("start-host"), hookKey("stop"),
		{name: "lxc.hook.version", strict: true, set: func(c *Config, _, v string) error {
			if v == "" {
				c.v.hookVersion = 0
				return nil
			}
			n, ok := safeUint(v)
			if !ok || n > 1 {
				return badValue(v, "only hook versions 0 (legacy) and 1 are supported")
			}
			c.v.hookVersion = n
			return nil
		},
			get: func(c *Config, _ string) (string, error) { return utoa(uint64(c.v.hookVersion)), nil },
			clr: func(c *Config, _ string) error { c.v.hookVersion = 0; return nil }},
		{name: "lxc.hook", strict: true, set: setHook, get: getHook, clr: clrHooks},
		{name: "lxc.idmap", strict: true, set: setIDMap, get: getIDMap,
			clr: func(c *Config, _ string) error { c.v.idmaps = nil; return nil }},
		{name: "lxc.include", strict: true, set: setInclude,
			get: func(*Config, string) (string, error) {
				return "", verr("lxc.include cannot be read back", "includes are applied while loading")
			},
			clr: func(*Config, string) error { return nil }},
		strKey("lxc.init.cmd", func(v *values) *string { return &v.initCmd }, 0),
		uintKey("lxc.init.gid", func(v *values) *uint32 { return &v.initGID }),
		{name: "lxc.init.groups", strict: true, set: setInitGroups, get: getInitGroups,
			clr: func(c *Config, _ string) error { c.v.initGroups = nil; return nil }},
		uintKey("lxc.init.uid", func(v *values) *uint32 { return &v.initUID }),
		strKey("lxc.init.cwd", func(v *values) *string { return &v.initCwd }, pathMax),
		{name: "lxc.keyring.session", strict: true, set: func(c *Config, _, v string) error {
			if v == "" {
				c.v.keyringDisable, c.v.keyringSet = false, false
				return nil
			}
			n, err := boolValue(v)
			if err != nil {
				return err
			}
			c.v.keyringDisable, c.v.keyringSet = n == 1, true
			return nil
		},
			get: func(c *Config, _ string) (string, error) { return b2s(c.v.keyringDisable), nil },
			clr: func(c *Config, _ string) error { c.v.keyringDisable, c.v.keyringSet = false, false; return nil }},
		strKey("lxc.log.file", func(v *values) *string { return &v.logFile }, pathMax),
		{name: "lxc.log.level", strict: true, set: setLogLevel,
			get: func(c *Config, _ string) (string, error) { return logLevelName(c.v.logLevel), nil },
			clr: func(c *Config, _ string) error { c.v.logLevel = logNotSet; return nil }},
		{name: "lxc.log.syslog", strict: true, set: setSyslog,
			get: func(c *Config, _ string) (string, error) { return c.v.logSyslog, nil },
			clr: func(c *Config, _ string) error { c.v.logSyslog = ""; return nil }},
		uintKey("lxc.monitor.unshare", func(v *values) *uint32 { return &v.monitorUnshare }),
		{name: "lxc.monitor.signal.pdeath", strict: true, set: func(c *Config, _, v string) error {
			if v == "" {
				c.v.pdeath = 9
				return nil
			}
			n, ok := parseSignal(v)
			if !ok {
				return badValue(v, signalHint+" (0 disables)")
			}
			c.v.pdeath = n
			return nil
		},
			get: func(c *Config, _ string) (string, error) { return itoa(int64(c.v.pdeath)), nil },
			clr: func(c *Config, _ string) error { c.v.pdeath = 9; return nil }},
		{name: "lxc.mount.auto", strict: true, set: setMountAuto, get: getMountAuto, clr: clrMountAuto},
		{name: "lxc.mount.entry", strict: true, set: setMountEntry, get: getMountEntries, clr: clrMountEntries},
		strKey("lxc.mount.fstab", func(v *values) *string { return &v.fstab }, pathMax),
		nsKey("lxc.namespace.clone", func(v *values) (*uint32, *uint32) { return &v.nsClone, &v.nsKeep }),
		nsKey("lxc.namespace.keep", func(v *values) (*uint32, *uint32) { return &v.nsKeep, &v.nsClone }),
		{name: "lxc.namespace.share.", set: setNsShare, get: getNsShare, clr: clrNsShare},
		timeKey("lxc.time.offset.boot", func(v *values) *timeOffset { return &v.timeBoot }),
		timeKey("lxc.time.offset.monotonic", func(v *values) *timeOffset { return &v.timeMono }),
		{name: "lxc.net.", set: setNetKey, get: getNetKey, clr: clrNetKey},
		{name: "lxc.net", strict: true, set: func(c *Config, _, v string) error {
			if v != "" {
				return verr("lxc.net must not have a value", "use an empty value to remove all network devices")
			}
			c.v.nets = nil
			return nil
		},
			get: getNetTypes,
			clr: func(c *Config, _ string) error { c.v.nets = nil; return nil }},
		boolKey("lxc.no_new_privs", func(v *values) *uint32 { return &v.noNewPrivs }, 0),
		{name: "lxc.prlimit", set: setPrlimit, get: getPrlimit, clr: clrPrlimit},
		uintKey("lxc.pty.max", func(v *values) *uint32 { return &v.ptyMax }),
		{name: "lxc.rootfs.managed", strict: true, set: func(c *Config, _, v string) error {
			if v == "" {
				c.v.rootfsManaged = true
				return nil
			}
			n, err := boolValue(v)
			if err != nil {
				return err
			}
			c.v.rootfsManaged = n == 1
			return nil
		},
			get: func(c *Config, _ string) (string, error) { return b2s(c.v.rootfsManaged), nil },
			clr: func(c *Config, _ string) error { c.v.rootfsManaged = true; return nil }},
		strKey("lxc.rootfs.mount", func(v *values) *string { return &v.rootfsMount }, pathMax),
		strKey("lxc.rootfs.options", func(v *values) *string { return &v.rootfsOptions }, 0),
		{name: "lxc.rootfs.path", strict: true, set: setRootfsPath,
			get: func(c *Config, _ string) (string, error) { return c.v.rootfsPath, nil },
			clr: func(c *Config, _ string) error { c.v.rootfsPath, c.v.rootfsType = "", ""; return nil }},
		boolKey("lxc.seccomp.allow_nesting", func(v *values) *uint32 { return &v.seccompNesting }, 0),
		strKey("lxc.seccomp.notify.cookie", func(v *values) *string { return &v.notifyCookie }, 0),
		{name: "lxc.seccomp.notify.proxy", strict: true, set: setNotifyProxy,
			get: func(c *Config, _ string) (string, error) { return c.v.notifyProxy, nil },
			clr: func(c *Config, _ string) error { c.v.notifyProxy = ""; return nil }},
		strKey("lxc.seccomp.profile", func(v *values) *string { return &v.seccompProfile }, pathMax),
		strKey("lxc.selinux.context.keyring", func(v *values) *string { return &v.selinuxKeyring }, 0),
		strKey("lxc.selinux.context", func(v *values) *string { return &v.selinuxContext }, 0),
		signalKey("lxc.signal.halt", func(v *values) *int { return &v.sigHalt }),
		signalKey("lxc.signal.reboot", func(v *values) *int { return &v.sigReboot }),
		signalKey("lxc.signal.stop", func(v *values) *int { return &v.sigStop }),
		boolKey("lxc.start.auto", func(v *values) *uint32 { return &v.startAuto }, 0),
		uintKey("lxc.start.delay", func(v *values) *uint32 { return &v.startDelay }),
		{name: "lxc.start.order", strict: true, set: func(c *Config, _, v string) error {
			if v == "" {
				c.v.startOrder = 0
				return nil
			}
			n, ok := safeInt(v)
			if !ok {
				return badValue(v, "expected an integer")
			}
			c.v.startOrder = n
			return nil
		},
			get: func(c *Config, _ string) (string, error) { return itoa(int64(c.v.startOrder)), nil },
			clr: func(c *Config, _ string) error { c.v.startOrder = 0; return nil }},
		strKey("lxc.tty.dir", func(v *values) *string { return &v.ttyDir }, 256),
		uintKey("lxc.tty.max", func(v *values) *uint32 { return &v.ttyMax }),
		strKey("lxc.uts.name", func(v *values) *string { return &v.utsname }, 65),
		{name: "lxc.sysctl", set: setSysctl, get: getSysctl, clr: clrSysctl},
		{name: "lxc.proc", set: setProc, get: getProc, clr: clrProc},
	}
}

func b2s(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// ---- individual setters ----------------------------------------------------

func setArch(c *Config, _, v string) error {
	if v == "" {
		c.v.arch = ""
		return nil
	}
	a := archName(v)
	if a == "" {
		return badValue(v, "expected a personality such as x86_64, amd64, i686, arm64 or armhf")
	}
	c.v.arch = a
	return nil
}

func setAutodevTmpfs(c *Config, _, v string) error {
	if v == "" {
		c.v.autodevTmpfs = 500000
		return nil
	}
	n, ok := safeInt(v)
	if !ok {
		return badValue(v, "expected a size in bytes")
	}
	c.v.autodevTmpfs = n
	return nil
}

func consoleSizeKey(name string, f func(*values) *uint64) entry {
	return entry{name: name, strict: true,
		set: func(c *Config, _, v string) error {
			if v == "" {
				*f(&c.v) = 0
				return nil
			}
			n, err := consoleSize(v)
			if err != nil {
				return err
			}
			*f(&c.v) = n
			return nil
		},
		get: func(c *Config, _ string) (string, error) { return utoa(*f(&c.v)), nil },
		clr: func(c *Config, _ string) error { *f(&c.v) = 0; return nil },
	}
}

func setCapDrop(c *Config, _, v string) error {
	if v == "" {
		return clrCaps(c, "")
	}
	if c.v.capsKeep && len(c.v.caps) > 0 {
		return verr("keeping and dropping capabilities are mutually exclusive", "remove the lxc.cap.keep lines or this one")
	}
	toks := strings.FieldsFunc(v, isBlank)
	for _, t := range toks {
		if t == "none" {
			return badValue(v, "\"none\" is only valid in lxc.cap.keep")
		}
		if !validCap(t) {
			return badValue(t, capHint)
		}
	}
	c.v.caps = append(c.v.caps, toks...)
	c.v.capsKeep = false
	return nil
}

func setCapKeep(c *Config, _, v string) error {
	if v == "" {
		return clrCaps(c, "")
	}
	if !c.v.capsKeep && len(c.v.caps) > 0 {
		return verr("keeping and dropping capabilities are mutually exclusive", "remove the lxc.cap.drop lines or this one")
	}
	for _, t := range strings.FieldsFunc(v, isBlank) {
		if t == "none" {
			c.v.caps = nil
			continue
		}
		if !validCap(t) {
			return badValue(t, capHint+", or none")
		}
		c.v.caps = append(c.v.caps, t)
	}
	c.v.capsKeep = true
	return nil
}

func getCaps(c *Config, _ string) (string, error) { return joinLines(c.v.caps), nil }

func clrCaps(c *Config, _ string) error {
	c.v.caps, c.v.capsKeep = nil, false
	return nil
}

// cgroupFamily returns "lxc.cgroup" or "lxc.cgroup2" for a key of that family.
func cgroupFamily(key string) (string, bool) {
	if strings.HasPrefix(key, "lxc.cgroup2") {
		return "lxc.cgroup2", true
	}
	return "lxc.cgroup", false
}

func setCgroup(c *Config, key, v string) error {
	if v == "" {
		return clrCgroup(c, key)
	}
	fam, v2 := cgroupFamily(key)
	sub, ok := strings.CutPrefix(key, fam+".")
	if !ok || sub == "" {
		return verr("missing controller file", fmt.Sprintf("write %s.<controller>.<file> = VALUE", fam))
	}
	c.v.cgroups = append(c.v.cgroups, cgroupItem{v2: v2, key: sub, value: v})
	return nil
}

func getCgroup(c *Config, key string) (string, error) {
	fam, v2 := cgroupFamily(key)
	all := key == fam
	sub, ok := strings.CutPrefix(key, fam+".")
	if !all && !ok {
		return "", unknownKeyError(key)
	}
	var b strings.Builder
	for _, it := range c.v.cgroups {
		if it.v2 != v2 {
			continue
		}
		if all {
			fmt.Fprintf(&b, "%s.%s = %s\n", fam, it.key, it.value)
		} else if it.key == sub {
			b.WriteString(it.value + "\n")
		}
	}
	return b.String(), nil
}

func clrCgroup(c *Config, key string) error {
	fam, v2 := cgroupFamily(key)
	all := key == fam
	sub, ok := strings.CutPrefix(key, fam+".")
	if !all && !ok {
		return unknownKeyError(key)
	}
	out := c.v.cgroups[:0:0]
	for _, it := range c.v.cgroups {
		if it.v2 == v2 && (all || it.key == sub) {
			continue
		}
		out = append(out, it)
	}
	c.v.cgroups = out
	return nil
}

func setEnvironment(c *Config, _, v string) error {
	if v == "" {
		c.v.env = nil
		return nil
	}
	if !strings.Contains(v, "=") {
		hv, ok := os.LookupEnv(v)
		if !ok {
			return verr(fmt.Sprintf("%s is not set in the environment", v), "write VAR=VALUE or export VAR first")
		}
		v = v + "=" + hv
	}
	c.v.env = append(c.v.env, v)
	return nil
}

func setHook(c *Config, key, v string) error {
	if v == "" {
		return clrHooks(c, key)
	}
	if key == "lxc.hook" {
		return verr("lxc.hook must not have a value", "use lxc.hook.<type>, or an empty value to clear all hooks")
	}
	t := strings.TrimPrefix(key, "lxc.hook.")
	c.v.hooks[t] = append(c.v.hooks[t], v)
	return nil
}

func getHook(c *Config, key string) (string, error) {
	if key == "lxc.hook" {
		return "", verr("lxc.hook cannot be read as a whole", "read lxc.hook.<type>")
	}
	return joinLines(c.v.hooks[strings.TrimPrefix(key, "lxc.hook.")]), nil
}

func clrHooks(c *Config, key string) error {
	if key == "lxc.hook" {
		c.v.hooks = map[string][]string{}
		return nil
	}
	delete(c.v.hooks, strings.TrimPrefix(key, "lxc.hook."))
	return nil
}

const idmapHint = "expected \"u|g NSID HOSTID RANGE\""

func setIDMap(c *Config, _, v string) error {
	if v == "" {
		c.v.idmaps = nil
		return nil
	}
	s := strings.TrimLeft(v, " \t")
	if len(s) < 2 || (s[0] != 'u' && s[0] != 'g') || !isBlank(rune(s[1])) {
		return badValue(v, idmapHint)
	}
	f := strings.FieldsFunc(s[1:], func(r rune) bool { return isCSpace(byte(r)) })
	if len(f) != 3 {
		return badValue(v, idmapHint)
	}
	var n [3]uint32
	for i, x := range f {
		u, ok := safeUint(x)
		if !ok {
			return badValue(v, idmapHint+" with unsigned numbers")
		}
		n[i] = u
	}
	c.v.idmaps = append(c.v.idmaps, IDMap{Type: s[0], NSID: n[0], HostID: n[1], Range: n[2]})
	return nil
}

func getIDMap(c *Config, _ string) (string, error) {
	l := make([]string, len(c.v.idmaps))
	for i, m := range c.v.idmaps {
		l[i] = fmt.Sprintf("%c %d %d %d", m.Type, m.NSID, m.HostID, m.Range)
	}
	return strings.Join(l, "\n"), nil
}

func setInitGroups(c *Config, _, v string) error {
	if v == "" {
		c.v.initGroups = nil
		return nil
	}
	var add []uint32
	for _, t := range strings.Split(v, ",") {
		if t == "" {
			continue
		}
		g, ok := safeUint(t)
		if !ok {
			return badValue(v, "expected a comma-separated list of numeric group ids")
		}
		add = append(add, g)
	}
	c.v.initGroups = append(c.v.initGroups, add...)
	return nil
}

func getInitGroups(c *Config, _ string) (string, error) {
	l := make([]string, len(c.v.initGroups))
	for i, g := range c.v.initGroups {
		l[i] = utoa(uint64(g))
	}
	return strings.Join(l, ","), nil
}

func setLogLevel(c *Config, _, v string) error {
	if v == "" {
		c.v.logLevel = logNotSet
		return nil
	}
	lvl := -1
	if v[0] >= '0' && v[0] <= '9' {
		if n, ok := safeInt(v); ok {
			lvl = int(n)
		}
	} else {
		for i, n := range logLevels {
			if strings.EqualFold(v, n) {
				lvl = i
			}
		}
	}
	if lvl < 0 || lvl >= logNotSet {
		return badValue(v, "expected 0-8 or TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT, FATAL")
	}
	c.v.logLevel = lvl
	return nil
}

func logLevelName(l int) string {
	if l >= 0 && l < len(logLevels) {
		return logLevels[l]
	}
	return "NOTSET"
}

func setSyslog(c *Config, _, v string) error {
	if v == "" {
		c.v.logSyslog = ""
		return nil
	}
	for _, f := range syslogFacilities {
		if strings.EqualFold(v, f) {
			c.v.logSyslog = v
			return nil
		}
	}
	return badValue(v, "expected daemon or local0 ... local7")
}

func nsKey(name string, f func(*values) (mine, other *uint32)) entry {
	return entry{name: name, strict: true,
		set: func(c *Config, _, v string) error {
			mine, other := f(&c.v)
			if v == "" {
				*mine = 0
				return nil
			}
			if *other != 0 {
				return verr("cannot set both \"lxc.namespace.clone\" and \"lxc.namespace.keep\"", "use only one of them")
			}
			var m uint32
			for _, t := range strings.FieldsFunc(v, isBlank) {
				i := namespace.Index(t)
				if i < 0 {
					return badValue(t, "expected namespace names: mnt pid uts ipc net user cgroup time")
				}
				m |= 1 << i
			}
			*mine |= m
			return nil
		},
		get: func(c *Config, _ string) (string, error) {
			mine, _ := f(&c.v)
			// namespace.Names keeps LXC's ns_info order, the one
			// get_config_item prints.
			return joinLines(namespace.Names(nsFlags(*mine))), nil
		},
		clr: func(c *Config, _ string) error { mine, _ := f(&c.v); *mine = 0; return nil },
	}
}

// nsFlags turns a mask of namespace.All indexes into CLONE_NEW* flags.
func nsFlags(mask uint32) uintptr {
	var f uintptr
	for i, ns := range namespace.All() {
		if mask&(1<<i) != 0 {
			f |= ns.Flag
		}
	}
	return f
}

func nsShareName(key string) (string, error) {
	ns := strings.TrimPrefix(key, "lxc.namespace.share.")
	if namespace.Index(ns) < 0 {
		return "", verr(fmt.Sprintf("unknown namespace %q", ns), "expected lxc.namespace.share.<mnt|pid|uts|ipc|net|user|cgroup|time>")
	}
	return ns, nil
}

func setNsShare(c *Config, key, v string) error {
	ns, err := nsShareName(key)
	if err != nil {
		return err
	}
	if v == "" {
		delete(c.v.nsShare, ns)
	} else {
		c.v.nsShare[ns] = v
	}
	return nil
}

func getNsShare(c *Config, key string) (string, error) {
	ns, err := nsShareName(key)
	if err != nil {
		return "", err
	}
	if v, ok := c.v.nsShare[ns]; ok {
		return v, nil
	}
	return "(null)", nil // what LXC 5.0.2 prints for an unset share
}

func clrNsShare(c *Config, key string) error {
	ns, err := nsShareName(key)
	if err != nil {
		return err
	}
	delete(c.v.nsShare, ns)
	return nil
}

// timeKey: LXC prints boot offsets as "10 s"/"5 ns" but monotonic ones
// as "10s"/"5ns".
func timeKey(name string, f func(*values) *timeOffset) entry {
	sep := ""
	if name == "lxc.time.offset.boot" {
		sep = " "
	}
	return entry{name: name, strict: true,
		set: func(c *Config, _, v string) error {
			t := f(&c.v)
			if v == "" {
				*t = timeOffset{}
				return nil
			}
			bad := badValue(v, "expected an integer with unit h, m, s, ms, us or ns (e.g. 10s)")
			neg, mag, rest, ok, of := strtoNum(v, 10)
			if !ok || of || mag > 1<<62 {
				return bad
			}
			n := int64(mag)
			if neg {
				n = -n
			}
			switch strings.Trim(rest, " \t\n\v\f\r") {
			case "h":
				t.sec = n * 3600
			case "m":
				t.sec = n * 60
			case "s":
				t.sec = n
			case "ms", "us", "ns":
				if n < 0 {
					return bad
				}
				t.nsec = n * map[string]int64{"ms": 1000000, "us": 1000, "ns": 1}[strings.Trim(rest, " \t\n\v\f\r")]
			default:
				return bad
			}
			return nil
		},
		get: func(c *Config, _ string) (string, error) {
			t := f(&c.v)
			if t.sec != 0 {
				return fmt.Sprintf("%d%ss\n", t.sec, sep), nil
			}
			return fmt.Sprintf("%d%sns\n", t.nsec, sep), nil
		},
		clr: func(c *Config, _ string) error { *f(&c.v) = timeOffset{}; return nil },
	}
}

func setRootfsPath(c *Config, _, v string) error {
	if v == "" {
		c.v.rootfsPath, c.v.rootfsType = "", ""
		return nil
	}
	if len(v) >= pathMax {
		return badValue(v[:32]+"...", "paths are limited to 4095 bytes")
	}
	if t, p, ok := strings.Cut(v, ":"); ok {
		c.v.rootfsType, c.v.rootfsPath = t, p
	} else {
		c.v.rootfsType, c.v.rootfsPath = "", v
	}
	return nil
}

func setNotifyProxy(c *Config, _, v string) error {
	if v == "" {
		c.v.notifyProxy = ""
		return nil
	}
	p, ok := strings.CutPrefix(v, "unix:")
	if !ok || p == "" || len(p) >= 108 {
		return badValue(v, "expected unix:/path or unix:@abstract (at most 107 bytes)")
	}
	c.v.notifyProxy = strings.TrimPrefix(p, "@")
	return nil
}

// ---- prefix families: prlimit, sysctl, proc ------------------------------

func setPrlimit(c *Config, key, v string) error {
	if v == "" {
		return clrPrlimit(c, key)
	}
	name, ok := strings.CutPrefix(key, "lxc.prlimit.")
	if !ok || name == "" {
		return verr("missing resource name", "write lxc.prlimit.<resource> = N or SOFT:HARD")
	}
	bad := badValue(v, "expected N or SOFT:HARD, each a number or \"unlimited\"")
	soft, rest, ok := limitValue(v)
	if !ok {
		return bad
	}
	rest = strings.TrimLeft(rest, " \t\n\v\f\r")
	hard := soft
	if strings.HasPrefix(rest, ":") {
		hard, rest, ok = limitValue(strings.TrimLeft(rest[1:], " \t\n\v\f\r"))
		if !ok {
			return bad
		}
		rest = strings.TrimLeft(rest, " \t\n\v\f\r")
	}
	if rest != "" {
		return bad
	}
	for i := range c.v.prlimits {
		if c.v.prlimits[i].name == name {
			c.v.prlimits[i].soft, c.v.prlimits[i].hard = soft, hard
			return nil
		}
	}
	c.v.prlimits = append(c.v.prlimits, prlimit{name: name, soft: soft, hard: hard})
	return nil
}

// limitValue mirrors parse_limit_value (strtoull base 10, "unlimited").
func limitValue(s string) (uint64, string, bool) {
	if strings.HasPrefix(s, "unlimited") {
		return rlimInfinity, s[9:], true
	}
	neg, mag, rest, ok, of := strtoNum(s, 10)
	if of {
		return 0, s, false
	}
	if !ok {
		return 0, s, true
	}
	if neg {
		mag = -mag
	}
	return mag, rest, true
}

func fmtLimit(l prlimit) string {
	f := func(u uint64) string {
		if u == rlimInfinity {
			return "unlimited"
		}
		return utoa(u)
	}
	s := f(l.soft)
	if l.soft != l.hard {
		s += ":" + f(l.hard)
	}
	return s
}

func getPrlimit(c *Config, key string) (string, error) {
	all := key == "lxc.prlimit"
	name, ok := strings.CutPrefix(key, "lxc.prlimit.")
	if !all && !ok {
		return "", unknownKeyError(key)
	}
	var b strings.Builder
	for _, l := range c.v.prlimits {
		if all {
			fmt.Fprintf(&b, "lxc.prlimit.%s = %s\n", l.name, fmtLimit(l))
		} else if l.name == name {
			b.WriteString(fmtLimit(l))
		}
	}
	return b.String(), nil
}

func clrPrlimit(c *Config, key string) error {
	all := key == "lxc.prlimit"
	name, ok := strings.CutPrefix(key, "lxc.prlimit.")
	if !all && !ok {
		return unknownKeyError(key)
	}
	out := c.v.prlimits[:0:0]
	for _, l := range c.v.prlimits {
		if !all && l.name != name {
			out = append(out, l)
		}
	}
	c.v.prlimits = out
	return nil
}

// kvFamily implements lxc.sysctl / lxc.proc: "FAMILY.NAME = VALUE" entries.
type kvFamily struct {
	prefix  string
	replace bool // sysctl updates an existing entry in place, proc appends
	list    func(*values) *[]KeyValue
}

var sysctlFam = kvFamily{"lxc.sysctl", true, func(v *values) *[]KeyValue { return &v.sysctls }}
var procFam = kvFamily{"lxc.proc", false, func(v *values) *[]KeyValue { return &v.procs }}

func setSysctl(c *Config, k, v string) error        { return sysctlFam.set(c, k, v) }
func getSysctl(c *Config, k string) (string, error) { return sysctlFam.get(c, k) }
func clrSysctl(c *Config, k string) error           { return sysctlFam.clr(c, k) }
func setProc(c *Config, k, v string) error          { return procFam.set(c, k, v) }
func getProc(c *Config, k string) (string, error)   { return procFam.get(c, k) }
func clrProc(c *Config, k string) error             { return procFam.clr(c, k) }

func (f kvFamily) set(c *Config, key, v string) error {
	if v == "" {
		return f.clr(c, key)
	}
	name, ok := strings.CutPrefix(key, f.prefix+".")
	if !ok || name == "" {
		return verr("missing name", fmt.Sprintf("write %s.<name> = VALUE", f.prefix))
	}
	l := f.list(&c.v)
	if f.replace {
		for i := range *l {
			if (*l)[i].Key == name {
				(*l)[i].Value = v
				return nil
			}
		}
	}
	*l = append(*l, KeyValue{Key: name, Value: v})
	return nil
}

func (f kvFamily) get(c *Config, key string) (string, error) {
	all := key == f.prefix
	name, ok := strings.CutPrefix(key, f.prefix+".")
	if !all && !ok {
		return "", unknownKeyError(key)
	}
	var b strings.Builder
	for _, kv := range *f.list(&c.v) {
		if all {
			fmt.Fprintf(&b, "%s.%s = %s\n", f.prefix, kv.Key, kv.Value)
		} else if kv.Key == name {
			b.WriteString(kv.Value)
		}
	}
	return b.String(), nil
}

func (f kvFamily) clr(c *Config, key string) error {
	all := key == f.prefix
	name, ok := strings.CutPrefix(key, f.prefix+".")
	if !all && !ok {
		return unknownKeyError(key)
	}
	l := f.list(&c.v)
	out := (*l)[:0:0]
	for _, kv := range *l {
		if !all && kv.Key != name {
			out = append(out, kv)
		}
	}
	*l = out
	return nil
}
