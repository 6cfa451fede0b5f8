package config

import (
	"fmt"
	"os"
	"strings"
	"sync"
)

// Legacy (LXC 1.x / 2.0) keys. LXC 5 rejects them; golxc reads them as their
// current names and warns once per key name per process.

// legacyRenames maps each renamed legacy key to its current name (static
// data: nothing to build at every golxc start). LegacyKeys hands it to the
// manual.
var legacyRenames = [...]struct{ old, new string }{
	{"lxc.utsname", "lxc.uts.name"},
	{"lxc.id_map", "lxc.idmap"},
	{"lxc.pts", "lxc.pty.max"},
	{"lxc.tty", "lxc.tty.max"},
	{"lxc.devttydir", "lxc.tty.dir"},
	{"lxc.aa_profile", "lxc.apparmor.profile"},
	{"lxc.aa_allow_incomplete", "lxc.apparmor.allow_incomplete"},
	{"lxc.se_context", "lxc.selinux.context"},
	{"lxc.mount", "lxc.mount.fstab"},
	{"lxc.seccomp", "lxc.seccomp.profile"},
	{"lxc.console", "lxc.console.path"},
	{"lxc.haltsignal", "lxc.signal.halt"},
	{"lxc.rebootsignal", "lxc.signal.reboot"},
	{"lxc.stopsignal", "lxc.signal.stop"},
	{"lxc.syslog", "lxc.log.syslog"},
	{"lxc.loglevel", "lxc.log.level"},
	{"lxc.logfile", "lxc.log.file"},
	{"lxc.init_cmd", "lxc.init.cmd"},
	{"lxc.init_uid", "lxc.init.uid"},
	{"lxc.init_gid", "lxc.init.gid"},
	{"lxc.limit", "lxc.prlimit"},
	{"lxc.network", "lxc.net"},
	{"lxc.rootfs", "lxc.rootfs.path"},
}

// legacyRename is the current name of a renamed legacy key, "" for any
// other key.
func legacyRename(key string) string {
	for _, r := range legacyRenames {
		if r.old == key {
			return r.new
		}
	}
	return ""
}

type legacyKind int

const (
	notLegacy legacyKind = iota
	legacyRenamed
	legacyIgnored // lxc.pivotdir, lxc.kmsg
	legacyBackend // lxc.rootfs.backend
)

// legacyName maps a legacy key to its current name. netIdx is the device
// an unindexed lxc.network.* key refers to.
func legacyName(key string, netIdx int) (string, legacyKind) {
	if n := legacyRename(key); n != "" {
		return n, legacyRenamed
	}
	switch key {
	case "lxc.pivotdir", "lxc.kmsg":
		return "", legacyIgnored
	case "lxc.rootfs.backend":
		return "lxc.rootfs.path", legacyBackend
	}
	if rest, ok := strings.CutPrefix(key, "lxc.limit."); ok {
		return "lxc.prlimit." + rest, legacyRenamed
	}
	if rest, ok := strings.CutPrefix(key, "lxc.network."); ok {
		if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			idx, sub, hasSub := strings.Cut(rest, ".")
			if !hasSub {
				return "lxc.net." + idx, legacyRenamed
			}
			return "lxc.net." + idx + "." + legacyNetSub(sub), legacyRenamed
		}
		return fmt.Sprintf("lxc.net.%d.%s", netIdx, legacyNetSub(rest)), legacyRenamed
	}
	return key, notLegacy
}

func legacyNetSub(sub string) string {
	if sub == "ipv4" || sub == "ipv6" {
		return sub + ".address"
	}
	return sub
}

// currentName maps key for Get/Clear (no warning, no state change).
func (c *Config) currentName(key string) string {
	n, kind := legacyName(key, max(c.netIdx, 0))
	switch kind {
	case legacyRenamed, legacyBackend:
		return n
	}
	return key
}

// mapLegacy maps a key being set, tracking LXC 2.0's implicit network
// numbering and lxc.rootfs.backend. An empty returned key means "ignore".
func (c *Config) mapLegacy(key, val, file string, lineNo int) (string, string, error) {
	if rest, ok := strings.CutPrefix(key, "lxc.network."); ok && rest == "type" {
		c.netIdx++
	}
	n, kind := legacyName(key, c.netIdx)
	switch kind {
	case notLegacy:
		return key, val, nil
	case legacyIgnored:
		warnLegacy(key, file, lineNo, "ignored")
		return "", "", nil
	case legacyBackend:
		warnLegacy(key, file, lineNo, `read as the type prefix of "lxc.rootfs.path"`)
		c.legacyBackend = val
		if !c.legacyRootSet {
			return "", "", nil
		}
		return n, c.withBackend(c.legacyRootfs), nil
	}
	if strings.HasPrefix(key, "lxc.network.") && c.netIdx < 0 && strings.HasPrefix(n, "lxc.net.-") {
		return "", "", verr("unnumbered lxc.network key before any lxc.network.type line",
			"start each network with lxc.network.type, or run lxc-update-config")
	}
	warnLegacy(key, file, lineNo, fmt.Sprintf("read as %q", n))
	if key == "lxc.rootfs" {
		c.legacyRootfs, c.legacyRootSet = val, val != ""
		if val != "" {
			val = c.withBackend(val)
		}
	}
	return n, val, nil
}

func (c *Config) withBackend(p string) string {
	if c.legacyBackend != "" {
		return c.legacyBackend + ":" + p
	}
	return p
}

var (
	warnMu sync.Mutex
	warner = defaultWarner
	warned = map[string]bool{}
)

func defaultWarner(msg string) { fmt.Fprintln(os.Stderr, msg) }

// SetWarner routes warnings (legacy keys) to f; nil restores the default,
// which writes one line to stderr.
func SetWarner(f func(msg string)) {
	warnMu.Lock()
	defer warnMu.Unlock()
	if f == nil {
		f = defaultWarner
	}
	warner = f
}

// Warnf emits one warning through the current warner.
func Warnf(format string, args ...any) {
	warnMu.Lock()
	w := warner
	warnMu.Unlock()
	w(fmt.Sprintf(format, args...))
}

func warnLegacy(key, file string, lineNo int, what string) {
	warnMu.Lock()
	seen := warned[key]
	warned[key] = true
	warnMu.Unlock()
	if seen {
		return
	}
	if file == "" {
		Warnf("%q is an LXC 1.x key, %s; use the current key name instead", key, what)
		return
	}
	Warnf("%s:%d: %q is an LXC 1.x key, %s; run lxc-update-config -c %s to convert", file, lineNo, key, what, file)
}

// resetLegacyWarnings forgets which warnings were given (tests).
func resetLegacyWarnings() {
	warnMu.Lock()
	warned = map[string]bool{}
	warnMu.Unlock()
}

// ModernizeText rewrites the unexpanded lines with LXC 5 key names, as
// lxc-update-config does. Configs golxc writes anew (lxc-create's) get it so
// that LXC 1.x names read from default.conf or -f do not spread into a
// container config that LXC 5 rejects; applied values are unchanged.
func (c *Config) ModernizeText() {
	if len(c.lines) == 0 {
		return
	}
	text := strings.TrimSuffix(string(UpdateLegacy(c.Text())), "\n")
	c.lines = strings.Split(text, "\n")
}

// rootfsTypes are the storage prefixes a legacy lxc.rootfs value may carry.
var rootfsTypes = []string{"dir", "overlay", "overlayfs", "aufs", "loop", "nbd", "btrfs", "lvm", "zfs", "rbd"}

// UpdateLegacy converts a whole config text the way lxc-update-config does
// (§4.4 table), line by line, commented lines included, and additionally
// converts lxc.limit.* (which LXC's script misses) and indexed
// lxc.network.N.ipv4/ipv6 (which it converts to invalid keys).
func UpdateLegacy(text []byte) []byte {
	lines := strings.SplitAfter(string(text), "\n")
	driver := ""
	for _, l := range lines {
		lead, hashes, key, rest := splitConfLine(l)
		_ = lead
		if key == "lxc.rootfs.backend" && hashes == "" {
			driver = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), "="))
		}
	}
	var out strings.Builder
	idx := -1
	for _, l := range lines {
		lead, hashes, key, rest := splitConfLine(l)
		switch key {
		case "":
			out.WriteString(l)
			continue
		case "lxc.rootfs.backend", "lxc.pivotdir", "lxc.kmsg":
			continue // deleted
		case "lxc.network.type":
			if hashes == "" {
				idx++
			}
		}
		n, kind := legacyName(key, idx)
		if kind == notLegacy || strings.HasPrefix(n, "lxc.net.-") {
			out.WriteString(l)
			continue
		}
		if key == "lxc.rootfs" {
			rest = rootfsValue(rest, driver)
		}
		out.WriteString(lead + hashes + n + rest)
	}
	return []byte(out.String())
}

// splitConfLine splits "  # lxc.key = v\n" into leading blanks, comment
// marks (with blanks after them), key and the rest; key is "" when the line
// holds no lxc key.
func splitConfLine(l string) (lead, hashes, key, rest string) {
	i := 0
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	j := i
	for j < len(l) && l[j] == '#' {
		j++
	}
	if j > i {
		for j < len(l) && (l[j] == ' ' || l[j] == '\t') {
			j++
		}
	}
	if !strings.HasPrefix(l[j:], "lxc.") {
		return "", "", "", l
	}
	k := j
	for k < len(l) && l[k] != '=' && l[k] != ' ' && l[k] != '\t' && l[k] != '\n' && l[k] != '\r' {
		k++
	}
	return l[:i], l[i:j], l[j:k], l[k:]
}

// rootfsValue prefixes the value in rest ("  = /path\n") with the storage
// driver, unless it already names one and no backend line was given.
func rootfsValue(rest, driver string) string {
	eq := strings.IndexByte(rest, '=')
	if eq < 0 {
		return rest
	}
	i := eq + 1
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
		i++
	}
	val := rest[i:]
	if driver == "" {
		for _, t := range rootfsTypes {
			if strings.HasPrefix(val, t+":") {
				return rest
			}
		}
		driver = "dir"
	}
	if strings.TrimSpace(val) == "" {
		return rest
	}
	return rest[:i] + driver + ":" + val
}
