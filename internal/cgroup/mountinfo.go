package cgroup

import (
	"fmt"
	"strings"

	"github.com/golxc/golxc/internal/mountinfo"
)

// mount is one cgroup or cgroup2 line of /proc/self/mountinfo.
type mount struct {
	Root   string   // field 4: root of the mount within the filesystem
	Point  string   // field 5: mount point
	FSType string   // "cgroup" or "cgroup2"
	Super  []string // super options, e.g. rw,memory or rw,name=systemd
}

// parseMountinfo returns the cgroup mounts in file order.
func parseMountinfo(text string) ([]mount, error) {
	all, err := mountinfo.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("/proc/self/mountinfo: %w", err)
	}
	var out []mount
	for _, m := range all {
		if m.FSType != "cgroup" && m.FSType != "cgroup2" {
			continue
		}
		out = append(out, mount{Root: m.Root, Point: m.Point, FSType: m.FSType, Super: strings.Split(m.Super, ",")})
	}
	return out, nil
}

// findMount picks the mount of a hierarchy: the cgroup2 mount for the
// unified one, else the v1 mount whose super options name every
// controller. Mounts under /sys/fs/cgroup win over other (bind) mounts.
func findMount(ms []mount, unified bool, ctrls []string) *mount {
	var first *mount
	for i := range ms {
		m := &ms[i]
		if unified != (m.FSType == "cgroup2") {
			continue
		}
		if !unified && !hasAll(m.Super, ctrls) {
			continue
		}
		if strings.HasPrefix(m.Point, "/sys/fs/cgroup") {
			return m
		}
		if first == nil {
			first = m
		}
	}
	return first
}

func hasAll(have, want []string) bool {
	if len(want) == 0 {
		return false
	}
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
