package cgroup

import (
	"fmt"
	"strconv"
	"strings"
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
	var out []mount
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Fields(line)
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if sep < 6 || len(fields) < sep+4 {
			return nil, fmt.Errorf("/proc/self/mountinfo:%d: malformed line %q", n+1, line)
		}
		fstype := fields[sep+1]
		if fstype != "cgroup" && fstype != "cgroup2" {
			continue
		}
		out = append(out, mount{
			Root:   unescapeMount(fields[3]),
			Point:  unescapeMount(fields[4]),
			FSType: fstype,
			Super:  strings.Split(fields[sep+3], ","),
		})
	}
	return out, nil
}

// unescapeMount undoes the kernel's octal escapes (\040 for space etc.).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
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
