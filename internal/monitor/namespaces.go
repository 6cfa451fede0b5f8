package monitor

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/namespace"
)

// kernelHasNS reports whether /proc/self/ns/<name> exists (cgroup: 4.6+,
// time: 5.6+).
var kernelHasNS = func(name string) bool {
	_, err := os.Stat("/proc/self/ns/" + name)
	return err == nil
}

// cloneFlags computes the namespaces a new init gets, as LXC's
// resolve_clone_flags:
//
//   - lxc.namespace.keep = LIST: every namespace except LIST;
//   - lxc.namespace.clone = LIST: exactly LIST;
//   - neither: mnt pid uts ipc net cgroup, plus user when lxc.idmap is set
//     and time when lxc.time.offset.* is, minus net when every lxc.net.N
//     is of type none;
//
// then minus the lxc.namespace.share.* ones. Unlike LXC, golxc refuses to
// run a container without its own mount namespace (its rootfs setup would
// change the host's or the other container's mounts) and refuses a new
// user namespace without lxc.idmap (its root would be unmapped).
func cloneFlags(s *config.Spec) (uintptr, error) {
	wantsTime := s.TimeBoot != (config.TimeOffset{}) || s.TimeMonotonic != (config.TimeOffset{})
	var flags uintptr
	switch {
	case s.NamespaceKeep != 0:
		keep := s.NamespaceKeep
		if keep&unix.CLONE_NEWNS != 0 {
			return 0, fmt.Errorf("lxc.namespace.keep: a container needs its own mount namespace; remove mnt")
		}
		if keep&unix.CLONE_NEWTIME != 0 && wantsTime {
			return 0, fmt.Errorf("lxc.namespace.keep: time is kept but lxc.time.offset.* is set; remove one of them")
		}
		for _, ns := range namespace.All() {
			if keep&ns.Flag == 0 && kernelHasNS(ns.Name) {
				flags |= ns.Flag
			}
		}
	case s.NamespaceClone != 0:
		flags = s.NamespaceClone
		// A container always needs its own mount namespace for pivot_root.
		flags |= unix.CLONE_NEWNS
	default:
		flags = unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWNET
		if kernelHasNS("cgroup") {
			flags |= unix.CLONE_NEWCGROUP
		}
		if len(s.IDMap) > 0 {
			flags |= unix.CLONE_NEWUSER
		}
		if wantsTime {
			flags |= unix.CLONE_NEWTIME
		}
		if onlyNoneNetworks(s.Net) { // lxc.net.N.type = none: the host's netns
			flags &^= unix.CLONE_NEWNET
		}
	}
	for _, ns := range namespace.All() {
		if v, ok := s.NamespaceShare[ns.Name]; ok {
			if ns.Flag == unix.CLONE_NEWNS {
				return 0, fmt.Errorf("lxc.namespace.share.mnt = %s: a container needs its own mount namespace; remove the setting", v)
			}
			flags &^= ns.Flag
		}
	}
	if flags&unix.CLONE_NEWUSER != 0 && len(s.IDMap) == 0 {
		key := "lxc.namespace.clone"
		if s.NamespaceKeep != 0 {
			key = "lxc.namespace.keep"
		}
		return 0, fmt.Errorf("%s: a new user namespace needs lxc.idmap; set lxc.idmap or keep (do not clone) user", key)
	}
	return flags, nil
}

// onlyNoneNetworks is LXC's lxc_requests_empty_network: at least one
// lxc.net.N and all of type none.
func onlyNoneNetworks(nets []config.NetDev) bool {
	for _, n := range nets {
		if n.Type != "none" {
			return false
		}
	}
	return len(nets) > 0
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
