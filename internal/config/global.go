package config

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// System configuration, lxc.system.conf(5).

// GlobalKeys are the items lxc-config -l lists, in LXC's order.
func GlobalKeys() []string {
	return []string{"lxc.default_config", "lxc.lxcpath", "lxc.bdev.lvm.vg", "lxc.bdev.lvm.thin_pool",
		"lxc.bdev.zfs.root", "lxc.cgroup.use", "lxc.cgroup.pattern"}
}

// globalConfPath is the lxc.conf to read: $GOLXC_GLOBAL_CONF (tests), else
// /etc/lxc/lxc.conf for root, else ~/.config/lxc/lxc.conf.
func globalConfPath() string {
	if p := os.Getenv("GOLXC_GLOBAL_CONF"); p != "" {
		return p
	}
	if os.Geteuid() == 0 {
		return "/etc/lxc/lxc.conf"
	}
	return filepath.Join(homeDir(), ".config/lxc/lxc.conf")
}

func homeDir() string {
	if h := os.Getenv("HOME"); h != "" {
		return h
	}
	return "/"
}

// globalDefault is the built-in value of a system key; ok=false when unset
// or unknown.
func globalDefault(key string) (string, bool) {
	root := os.Geteuid() == 0
	switch key {
	case "lxc.lxcpath":
		if root {
			return "/var/lib/lxc", true
		}
		return filepath.Join(homeDir(), ".local/share/lxc"), true
	case "lxc.default_config":
		if root {
			return "/etc/lxc/default.conf", true
		}
		return filepath.Join(homeDir(), ".config/lxc/default.conf"), true
	case "lxc.bdev.lvm.vg", "lxc.bdev.lvm.thin_pool", "lxc.bdev.zfs.root", "lxc.bdev.rbd.rbdpool":
		return "lxc", true
	}
	return "", false
}

func isGlobalKey(key string) bool {
	switch key {
	case "lxc.lxcpath", "lxc.default_config", "lxc.bdev.lvm.vg", "lxc.bdev.lvm.thin_pool",
		"lxc.bdev.zfs.root", "lxc.bdev.rbd.rbdpool", "lxc.cgroup.use", "lxc.cgroup.pattern":
		return true
	}
	return false
}

// GlobalItem returns a system configuration value (lxc_get_global_config_item):
// the first matching line of lxc.conf, else the built-in default. ok is
// false for unknown keys and for keys that are unset (cgroup.use/pattern).
func GlobalItem(key string) (string, bool) {
	if !isGlobalKey(key) {
		return "", false
	}
	v, found := readGlobal(globalConfPath(), key)
	if !found {
		v, found = globalDefault(key)
		if !found {
			return "", false
		}
	}
	if key == "lxc.lxcpath" {
		for len(v) > 1 && strings.HasSuffix(v, "/") {
			v = strings.TrimSuffix(v, "/")
		}
	}
	return v, true
}

// readGlobal mirrors LXC's matcher: KEY preceded only by blanks and followed
// by blanks then "="; the value is the rest after leading blanks (no quote
// stripping, trailing blanks kept); '#' lines are skipped; first match wins.
func readGlobal(path, key string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		rest, ok := strings.CutPrefix(strings.TrimLeft(line, " \t"), key)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " \t")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		return strings.TrimLeft(rest[1:], " \t"), true
	}
	return "", false
}

// DefaultLXCPath is lxc.lxcpath.
func DefaultLXCPath() string {
	v, _ := GlobalItem("lxc.lxcpath")
	return v
}

// DefaultConfigFile is lxc.default_config.
func DefaultConfigFile() string {
	v, _ := GlobalItem("lxc.default_config")
	return v
}

// RuntimeDir is LXC's runtime directory (utils.c get_rundir), the one rule
// for every runtime path: /run when the caller's euid or egid owns /run
// (root), else $XDG_RUNTIME_DIR, else ~/.cache/lxc/run. LXC's own files
// go under RUNDIR/lxc (locks, monitor FIFO), golxc's under GolxcRuntimeDir.
func RuntimeDir() string {
	var st syscall.Stat_t
	if err := syscall.Stat("/run", &st); err == nil &&
		(int(st.Uid) == os.Geteuid() || int(st.Gid) == os.Getegid()) {
		return "/run"
	}
	if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" {
		return x
	}
	return filepath.Join(homeDir(), ".cache/lxc/run")
}

// GolxcSetting reads a golxc-only key (golxc.*) from the same lxc.conf as
// the LXC keys; LXC ignores lines it does not know in that file.
func GolxcSetting(key string) (string, bool) {
	if !strings.HasPrefix(key, "golxc.") {
		return "", false
	}
	v, ok := readGlobal(globalConfPath(), key)
	return strings.TrimSpace(v), ok
}

// GolxcRuntimeDir is where golxc keeps runtime files LXC has no name for
// (network records, a fallback rootfs mount point): RUNDIR/golxc, i.e.
// /run/golxc for root and $XDG_RUNTIME_DIR/golxc for a user.
func GolxcRuntimeDir() string { return filepath.Join(RuntimeDir(), "golxc") }
