package config

import "strings"

// mountAutoGroup is the group a mount.auto token sets, "" for an unknown
// token; a later token of the same group replaces an earlier one, other
// groups accumulate (LXC's masks). A switch, not a map: nothing to build
// at every golxc start.
func mountAutoGroup(t string) string {
	switch t {
	case "proc", "proc:mixed", "proc:rw":
		return "proc"
	case "sys", "sys:ro", "sys:mixed", "sys:rw":
		return "sys"
	case "cgroup2", "cgroup2:ro", "cgroup2:force", "cgroup2:ro:force":
		return "cgroup"
	}
	// cgroup and cgroup-full, each with "", :mixed, :ro or :rw, then an
	// optional :force.
	for _, base := range [...]string{"cgroup-full", "cgroup"} {
		if mode, ok := strings.CutPrefix(t, base); ok {
			switch strings.TrimSuffix(mode, ":force") {
			case "", ":mixed", ":ro", ":rw":
				return "cgroup"
			}
			return ""
		}
	}
	return ""
}

const mountAutoHint = "expected proc[:mixed|:rw] sys[:ro|:mixed|:rw] cgroup[:mixed|:ro|:rw][:force] " +
	"cgroup-full[:mixed|:ro|:rw][:force] cgroup2[:ro][:force] shmounts:HOST[:CONTAINER]"

func setMountAuto(c *Config, _, v string) error {
	if v == "" {
		return clrMountAuto(c, "")
	}
	for _, t := range strings.FieldsFunc(v, isBlank) {
		if rest, ok := strings.CutPrefix(t, "shmounts:"); ok {
			host, cont, ok := strings.Cut(rest, ":")
			if !ok {
				cont = "/dev/.lxc-mounts"
			}
			c.v.shmounts = host + ":" + cont
			continue
		}
		switch mountAutoGroup(t) {
		case "proc":
			c.v.autoProc = canonicalAuto(t)
		case "sys":
			c.v.autoSys = canonicalAuto(t)
		case "cgroup":
			c.v.autoCgroup = t
		default:
			return badValue(t, mountAutoHint)
		}
	}
	return nil
}

func canonicalAuto(t string) string {
	if t == "proc" || t == "sys" {
		return t + ":mixed"
	}
	return t
}

// getMountAuto renders like LXC: proc, sys, cgroup; forced and cgroup2
// modes are not printed (they fall outside LXC's switch).
func getMountAuto(c *Config, _ string) (string, error) {
	var l []string
	if c.v.autoProc != "" {
		l = append(l, c.v.autoProc)
	}
	if c.v.autoSys != "" {
		l = append(l, c.v.autoSys)
	}
	if cg := c.v.autoCgroup; cg != "" && !strings.HasSuffix(cg, ":force") && !strings.HasPrefix(cg, "cgroup2") {
		l = append(l, cg)
	}
	return strings.Join(l, " "), nil
}

func clrMountAuto(c *Config, _ string) error {
	c.v.autoProc, c.v.autoSys, c.v.autoCgroup, c.v.shmounts = "", "", "", ""
	return nil
}
