package cgroup

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultDeviceRules is LXC's default device allowlist, the
// lxc.cgroup.devices.* lines of /usr/share/lxc/config/common.conf (5.0.2):
// deny everything, allow mknod of any node, and rwm on the basic character
// devices. On v1 CreatePayload writes them (first line is the deny) unless
// the configuration brings its own devices.* values. On pure v2 they become
// an eBPF device program (devices_bpf.go).
func DefaultDeviceRules() []string {
	return []string{
		"a",            // deny all (written to devices.deny)
		"c *:* m",      // mknod of any char device
		"b *:* m",      // mknod of any block device
		"c 1:3 rwm",    // null
		"c 1:5 rwm",    // zero
		"c 1:7 rwm",    // full
		"c 5:0 rwm",    // tty
		"c 5:1 rwm",    // console
		"c 5:2 rwm",    // ptmx
		"c 1:8 rwm",    // random
		"c 1:9 rwm",    // urandom
		"c 136:* rwm",  // pts
		"c 10:229 rwm", // fuse
	}
}

// writeDeviceRules writes rules[0] to devices.deny and the rest to
// devices.allow in the v1 devices cgroup dir.
func writeDeviceRules(dir string, rules []string) error {
	var w keyWriter // the allow rules share one open
	defer w.close()
	for i, r := range rules {
		f := "devices.allow"
		if i == 0 {
			f = "devices.deny"
		}
		if err := w.write(dir, kv{key: f, value: r}); err != nil {
			return fmt.Errorf("default device rules in %s: %w", dir, err)
		}
	}
	return nil
}

// DeviceRule is one devices.allow/deny entry: "TYPE MAJOR:MINOR ACCESS" or
// "a" (all devices, all access).
type DeviceRule struct {
	Allow  bool
	Type   byte   // 'a', 'c' or 'b'
	Major  int64  // -1 = any
	Minor  int64  // -1 = any
	Access string // subset of "rwm"
}

// ParseDeviceRule parses the value of lxc.cgroup[2].devices.allow/deny.
func ParseDeviceRule(allow bool, v string) (DeviceRule, error) {
	r := DeviceRule{Allow: allow, Major: -1, Minor: -1, Access: "rwm"}
	f := strings.Fields(v)
	if len(f) == 1 && f[0] == "a" {
		r.Type = 'a'
		return r, nil
	}
	if len(f) < 2 || len(f) > 3 || len(f[0]) != 1 || !strings.Contains("abc", f[0]) {
		return r, fmt.Errorf("device rule %q: want \"a\" or \"TYPE MAJOR:MINOR [rwm]\"", v)
	}
	r.Type = f[0][0]
	maj, min, ok := strings.Cut(f[1], ":")
	if !ok {
		return r, fmt.Errorf("device rule %q: want MAJOR:MINOR", v)
	}
	var err error
	if r.Major, err = devNum(maj); err != nil {
		return r, fmt.Errorf("device rule %q: %w", v, err)
	}
	if r.Minor, err = devNum(min); err != nil {
		return r, fmt.Errorf("device rule %q: %w", v, err)
	}
	if len(f) == 3 {
		for _, ch := range f[2] {
			if !strings.ContainsRune("rwm", ch) {
				return r, fmt.Errorf("device rule %q: access %q: use letters of \"rwm\"", v, f[2])
			}
		}
		r.Access = f[2]
	}
	return r, nil
}

func devNum(s string) (int64, error) {
	if s == "*" {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("device number %q: want a number or *", s)
	}
	return n, nil
}

// String renders the rule in devices.list syntax.
func (r DeviceRule) String() string {
	if r.Type == 'a' {
		return "a"
	}
	num := func(n int64) string {
		if n < 0 {
			return "*"
		}
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprintf("%c %s:%s %s", r.Type, num(r.Major), num(r.Minor), r.Access)
}
