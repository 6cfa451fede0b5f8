package cgroup

import (
	"fmt"
	"path"
	"strings"
)

// FromPid reconstructs the payload cgroups of a running container from
// /proc/PID/cgroup of its init, for tools that are not its monitor
// (lxc-cgroup, lxc-info, lxc-top, lxc-freeze). In each hierarchy the
// payload is the path up to the first "lxc.payload.NAME" or
// "lxc.payload.NAME-N" component of the process's path (so sub-cgroups
// init moved into, and nested containers, stay inside), else the
// process's own cgroup. The result has no monitor
// cgroup; Destroy removes only the payload.
func FromPid(l *Layout, pid int, name string) (*Container, error) {
	paths, err := pidCgroups(pid)
	if err != nil {
		return nil, fmt.Errorf("find cgroups of %s (pid %d): %w", name, pid, err)
	}
	c := New(l, Options{Name: name})
	for _, h := range l.Hierarchies {
		p, ok := paths[h.ID]
		if !ok {
			continue
		}
		lim := payloadOf(p, name)
		if lim == p && l.Euid != 0 && !hasPayloadDir(p, name) {
			// A user's container is only in the hierarchies delegated
			// to it (Delegated); elsewhere init shares the user's own
			// cgroup, which is not the container's to read or change.
			continue
		}
		c.lim[h] = h.Dir(lim)
		c.pay[h] = c.lim[h]
		c.base[h] = path.Dir(lim)
		if c.limit == "" {
			c.limit, c.payload = path.Base(lim), path.Base(lim)
		}
	}
	if len(c.lim) == 0 {
		return nil, fmt.Errorf("find cgroups of %s (pid %d): none of its cgroups is in a mounted hierarchy", name, pid)
	}
	return c, nil
}

// payloadOf cuts cgroup path p after its first lxc.payload.NAME[-N]
// component; p itself when there is none.
func payloadOf(p, name string) string {
	parts := strings.Split(p, "/")
	for i := range parts {
		if isPayloadDir(parts[i], name) {
			return "/" + strings.Trim(strings.Join(parts[:i+1], "/"), "/")
		}
	}
	return p
}

// hasPayloadDir reports whether cgroup path p has an lxc.payload.NAME[-N]
// component.
func hasPayloadDir(p, name string) bool {
	for _, part := range strings.Split(p, "/") {
		if isPayloadDir(part, name) {
			return true
		}
	}
	return false
}

// isPayloadDir matches lxc.payload.NAME and lxc.payload.NAME-N (the names
// LXC picks when the first is taken).
func isPayloadDir(dir, name string) bool {
	rest, ok := strings.CutPrefix(dir, payloadPrefix+name)
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	digits, ok := strings.CutPrefix(rest, "-")
	if !ok || digits == "" {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
