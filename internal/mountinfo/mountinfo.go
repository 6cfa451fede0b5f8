// Package mountinfo is golxc's one reader of /proc/PID/mountinfo (see
// proc(5)): every package that needs the mount table (cgroup layout
// detection, destroy's mount check, the cgroup and propagation questions
// of lxc-usernsexec and lxc-net, the init's cgroup mounts) parses it here,
// with one unescaping of the kernel's octal escapes.
package mountinfo

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Mount is one line of mountinfo.
type Mount struct {
	ID, Parent int
	Root       string   // field 4: root of the mount within its filesystem
	Point      string   // field 5: mount point
	Options    string   // field 6: per-mount options (rw,nosuid,...)
	Optional   []string // optional fields: shared:N, master:N, propagate_from:N, unbindable
	FSType     string
	Source     string
	Super      string // super options (rw,memory for a cgroup v1 mount)
}

// Shared reports whether the mount propagates to a peer group.
func (m *Mount) Shared() bool {
	for _, o := range m.Optional {
		if strings.HasPrefix(o, "shared:") {
			return true
		}
	}
	return false
}

// Parse parses mountinfo text; a malformed line is an error naming it.
func Parse(text string) ([]Mount, error) {
	out := make([]Mount, 0, strings.Count(text, "\n"))
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || len(f) < sep+3 {
			return nil, fmt.Errorf("mountinfo:%d: malformed line %q", n+1, line)
		}
		id, err1 := strconv.Atoi(f[0])
		parent, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("mountinfo:%d: malformed line %q", n+1, line)
		}
		m := Mount{ID: id, Parent: parent, Root: Unescape(f[3]), Point: Unescape(f[4]), Options: f[5],
			Optional: f[6:sep], FSType: f[sep+1], Source: Unescape(f[sep+2])}
		if len(f) > sep+3 {
			m.Super = f[sep+3]
		}
		out = append(out, m)
	}
	return out, nil
}

// Read parses /proc/self/mountinfo.
func Read() ([]Mount, error) { return ReadFile("/proc/self/mountinfo") }

// ReadFile parses a mountinfo file (/proc/PID/mountinfo).
func ReadFile(path string) ([]Mount, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ms, err := Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ms, nil
}

// Unescape undoes the octal escapes the kernel (and fstab) use for
// space, tab, newline and backslash in paths ("\040" for a space).
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && isOctal(s[i+1:i+4]) {
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

func isOctal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return true
}
