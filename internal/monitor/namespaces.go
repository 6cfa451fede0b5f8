package monitor

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

// nsFlags maps /proc/PID/ns names to clone flags.
var nsFlags = map[string]uintptr{
	"mnt": unix.CLONE_NEWNS, "pid": unix.CLONE_NEWPID, "uts": unix.CLONE_NEWUTS,
	"ipc": unix.CLONE_NEWIPC, "net": unix.CLONE_NEWNET, "user": unix.CLONE_NEWUSER,
	"cgroup": unix.CLONE_NEWCGROUP, "time": unix.CLONE_NEWTIME,
}

// nsNames is the order namespaces are preserved and listed in.
var nsNames = []string{"user", "mnt", "pid", "uts", "ipc", "net", "cgroup", "time"}

// cloneFlags computes the namespaces a new init gets, as LXC: the
// lxc.namespace.clone set (default mnt pid uts ipc net cgroup, plus user when
// lxc.idmap is set), minus lxc.namespace.keep, minus the shared ones.
func cloneFlags(s *config.Spec) (uintptr, error) {
	var flags uintptr
	if len(s.NamespaceClone) > 0 {
		for _, n := range s.NamespaceClone {
			f, ok := nsFlags[n]
			if !ok {
				return 0, fmt.Errorf("lxc.namespace.clone: unknown namespace %q", n)
			}
			flags |= f
		}
	} else {
		flags = unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWNET
		if _, err := os.Stat("/proc/self/ns/cgroup"); err == nil {
			flags |= unix.CLONE_NEWCGROUP
		}
		if len(s.IDMap) > 0 {
			flags |= unix.CLONE_NEWUSER
		}
	}
	for _, n := range s.NamespaceKeep {
		f, ok := nsFlags[n]
		if !ok {
			return 0, fmt.Errorf("lxc.namespace.keep: unknown namespace %q", n)
		}
		flags &^= f
	}
	for n := range s.NamespaceShare {
		flags &^= nsFlags[n]
	}
	for _, n := range s.Net {
		if n.Type == "none" { // lxc.net.N.type = none: share the host's netns
			flags &^= unix.CLONE_NEWNET
		}
	}
	// A container always needs its own mount namespace for pivot_root.
	flags |= unix.CLONE_NEWNS
	return flags, nil
}

// idMaps selects the lxc.idmap entries of one type ('u' or 'g').
func idMaps(maps []config.IDMap, typ byte) []config.IDMap {
	var out []config.IDMap
	for _, m := range maps {
		if m.Type == typ {
			out = append(out, m)
		}
	}
	return out
}

// shareTarget resolves a lxc.namespace.share.X value (a pid, a path, or a
// container name in lxcpath) to the namespace file to join.
func shareTarget(lxcpath, ns, value string, initPID func(lxcpath, name string) (int, error)) (string, error) {
	if pid, err := strconv.Atoi(value); err == nil {
		return fmt.Sprintf("/proc/%d/ns/%s", pid, ns), nil
	}
	if strings.HasPrefix(value, "/") {
		return value, nil
	}
	pid, err := initPID(lxcpath, value)
	if err != nil {
		return "", fmt.Errorf("lxc.namespace.share.%s: container %q is not running: %w", ns, value, err)
	}
	return fmt.Sprintf("/proc/%d/ns/%s", pid, ns), nil
}
