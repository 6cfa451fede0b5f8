package lxc

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cgroup"
)

// sandboxEnv are passed from the caller when set (the root is the host's,
// so its PATH holds); --desktop adds sandboxDesktopEnv.
var sandboxEnv = []string{"PATH", "TERM", "LANG", "LC_ALL", "COLORTERM"}

var sandboxDesktopEnv = []string{"DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR",
	"PULSE_SERVER", "XDG_SESSION_TYPE", "DBUS_SESSION_BUS_ADDRESS"}

// config is the container configuration of the sandbox, in LXC's keys,
// with the seed's defaults: own hostname and network namespace, caps
// sys_module, sys_time and syslog dropped without a user namespace, no
// block devices.
func (sb *sandbox) config(hook string) (string, error) {
	o := sb.o
	host := "sandbox"
	if sb.named {
		host = sb.name
	}
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	line("# lxc-sandbox %s", sb.id)
	line("lxc.uts.name = %s", host)
	line("lxc.rootfs.path = %s", sb.path("root"))
	line("lxc.rootfs.mount = %s", sb.path("mnt"))
	line("lxc.mount.auto = proc:mixed sys:ro cgroup:mixed")
	line("lxc.autodev = 1")
	line("lxc.pty.max = 1024")
	line("lxc.tty.max = 0")
	if sb.named {
		line("lxc.ephemeral = 1")
	}
	switch {
	case sb.user:
		for _, m := range sb.maps {
			line("lxc.idmap = %c %d %d %d", m.Type, m.NSID, m.HostID, m.Range)
		}
		// The seed's drops, though the user namespace's root has no
		// power over the host's clock, modules or kernel log anyway.
		line("lxc.cap.drop = sys_module sys_time syslog")
		line("lxc.hook.pre-mount = %s", hook)
	case o.IDMap:
		line("lxc.idmap = u 0 %d 65536", sandboxUIDShift)
		line("lxc.idmap = g 0 %d 65536", sandboxUIDShift)
	default:
		line("lxc.cap.drop = sys_module sys_time syslog")
	}
	if o.Strict {
		line("lxc.cap.drop = mac_admin mac_override sys_rawio sys_boot")
	}
	// Block devices: no mknod, no access (seed: character devices only).
	// A user's sandbox needs no rule (nor a delegated devices cgroup):
	// its user namespace may make no device node at all.
	if !sb.user {
		line("%s = b *:* rwm", devicesDenyKey(sb.unifiedCgroups))
	}
	if cwd := sb.cwd(); cwd != "" {
		line("lxc.init.cwd = %s", cwd)
	}
	if err := sb.netConfig(line); err != nil {
		return "", err
	}
	env := append([]string{}, sandboxEnv...)
	if o.Desktop {
		env = append(env, sandboxDesktopEnv...)
		if err := sb.desktopMounts(line); err != nil {
			return "", err
		}
	}
	for _, k := range env {
		if v, ok := os.LookupEnv(k); ok && !strings.ContainsAny(v, "\n") {
			line("lxc.environment = %s=%s", k, v)
		}
	}
	home := "/root"
	if h := os.Getenv("HOME"); sb.user && filepath.IsAbs(h) && !strings.ContainsAny(h, "\n") {
		home = h // root inside is the user: its home is the user's
	}
	line("lxc.environment = HOME=%s", home)
	for _, kv := range o.Env {
		if !strings.Contains(kv, "=") || strings.ContainsAny(kv, "\n") {
			return "", fmt.Errorf("environment %q: want KEY=VALUE on one line", kv)
		}
		line("lxc.environment = %s", kv)
	}
	return b.String(), nil
}

// devicesDenyKey is cgroup2's key (golxc's eBPF device program) for a
// sandbox whose cgroups are cgroup2's only or on a host without a v1
// devices controller, else the v1 devices controller's.
func devicesDenyKey(unifiedOnly bool) string {
	if unifiedOnly {
		return "lxc.cgroup2.devices.deny"
	}
	b, _ := os.ReadFile("/proc/self/cgroup")
	for _, l := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) == 3 {
			for _, c := range strings.Split(parts[1], ",") {
				if c == "devices" {
					return "lxc.cgroup.devices.deny"
				}
			}
		}
	}
	return "lxc.cgroup2.devices.deny"
}

// desktopMounts maps what a desktop program needs to reach the host's
// display and sound: /tmp (X11 sockets), $XDG_RUNTIME_DIR (Wayland,
// PulseAudio, D-Bus) and $XAUTHORITY, each at its own path.
func (sb *sandbox) desktopMounts(line func(string, ...any)) error {
	bind := func(p, create string) error {
		if strings.ContainsAny(p, " \t\n\\") {
			return fmt.Errorf("--desktop: cannot map %q (white space or backslash in the path)", p)
		}
		line("lxc.mount.entry = %s %s none rbind,create=%s 0 0", p, strings.TrimPrefix(p, "/"), create)
		return nil
	}
	if err := bind("/tmp", "dir"); err != nil {
		return err
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) && isDir(d) {
		if err := bind(filepath.Clean(d), "dir"); err != nil {
			return err
		}
	}
	if x := os.Getenv("XAUTHORITY"); filepath.IsAbs(x) && !strings.HasPrefix(filepath.Clean(x), "/tmp/") {
		if st, err := os.Stat(x); err == nil && st.Mode().IsRegular() {
			if err := bind(filepath.Clean(x), "file"); err != nil {
				return err
			}
		}
	}
	return nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// cwd is o.Cwd when the overlay shows it: on the host's root filesystem
// (the lower layer), without a user namespace; for a user's sandbox on
// the filesystem of its top-level directory (each is an overlay), one
// with no mounts below it.
func (sb *sandbox) cwd() string {
	c := sb.o.Cwd
	if c == "" || c == "/" || !filepath.IsAbs(c) || sb.o.IDMap || strings.ContainsAny(c, "\n") {
		return ""
	}
	c = filepath.Clean(c)
	base := "/"
	if sb.user {
		top, _, _ := strings.Cut(strings.TrimPrefix(c, "/"), "/")
		if sandboxOwnTops[top] {
			return ""
		}
		base = "/" + top
		// A top-level directory with mounts below it stays empty
		// (overlayTop): nothing of it is there.
		for _, mp := range mountsBelow(base) {
			if mp != base {
				return ""
			}
		}
	}
	var root, st unix.Stat_t
	if unix.Stat(base, &root) != nil || unix.Stat(c, &st) != nil || st.Dev != root.Dev || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return ""
	}
	return c
}

// unifiedCgroupsFor decides where a sandbox's cgroups go. Root's sandbox
// without --name (nobody else looks it up, it sets no v1 limit) has them
// in the cgroup2 hierarchy only where the host has one, also on a hybrid
// host: each first move of a process into a v1 cgroup waits for an RCU
// grace period, on a 2-CPU VM 11 ms of a throw-away sandbox's ~25 ms from
// an idle machine (cgroup.Layout.UnifiedView). Its device rules are then
// an eBPF program (the same defaults, block devices denied). A named
// sandbox is a container like any other: every hierarchy, as LXC. A
// user's sandbox uses what is delegated to the user.
func unifiedCgroupsFor(sb *sandbox) bool {
	if sb.named || sb.user {
		return false
	}
	// The usual mount points first, a statfs each (Detect reads and
	// parses mountinfo on this path, which the monitor does again).
	for _, p := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		var st unix.Statfs_t
		if unix.Statfs(p, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
			return true
		}
	}
	l, err := cgroup.Detect()
	if err != nil {
		return false
	}
	_, ok := l.UnifiedView()
	return ok
}
