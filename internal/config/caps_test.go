package config

import (
	"slices"
	"strings"
	"testing"
)

func TestCapabilityByName(t *testing.T) {
	for name, want := range map[string]int{"chown": 0, "sys_admin": 21, "21": 21, "mac_admin": 33, "sys_time": 25} {
		if got, err := CapabilityByName(name); err != nil || got != want {
			t.Errorf("CapabilityByName(%q) = %d, %v; want %d", name, got, err, want)
		}
	}
	for _, bad := range []string{"SYS_ADMIN", "cap_sys_admin", "Sys_admin", "9999", "-1", ""} {
		if _, err := CapabilityByName(bad); err == nil {
			t.Errorf("CapabilityByName(%q) accepted", bad)
		}
	}
	if CapabilityName(21) != "sys_admin" || CapabilityName(63) != "63" {
		t.Errorf("CapabilityName: %q %q", CapabilityName(21), CapabilityName(63))
	}
}

// The Spec carries the capability numbers, resolved once from the names.
func TestSpecCaps(t *testing.T) {
	all := uint64(1)<<uint(LastCap()+1) - 1
	for _, c := range []struct {
		text       string
		want       Caps
		kept       uint64
		str        string
		keepsAdmin bool
	}{
		{"", Caps{}, all, "lxc.cap.drop =", true},
		{"lxc.cap.drop = sys_module 21\nlxc.cap.drop = kill\n", Caps{Set: 1<<16 | 1<<21 | 1<<5},
			all &^ (1<<16 | 1<<21 | 1<<5), "lxc.cap.drop = kill sys_module sys_admin", false},
		{"lxc.cap.keep = none\n", Caps{Keep: true}, 0, "lxc.cap.keep = none", false},
		{"lxc.cap.keep = kill setuid\nlxc.cap.keep = sys_admin\n", Caps{Keep: true, Set: 1<<5 | 1<<7 | 1<<21},
			1<<5 | 1<<7 | 1<<21, "lxc.cap.keep = kill setuid sys_admin", true},
		{"lxc.cap.keep = kill\nlxc.cap.keep = none\n", Caps{Keep: true}, 0, "lxc.cap.keep = none", false},
		{"lxc.cap.drop = kill\nlxc.cap.drop =\n", Caps{}, all, "lxc.cap.drop =", true},
	} {
		s, err := mustLoad(t, c.text).Spec()
		if err != nil {
			t.Fatal(err)
		}
		if s.Caps != c.want || s.Caps.Kept(all) != c.kept || s.Caps.String() != c.str || s.Caps.Keeps(21) != c.keepsAdmin {
			t.Errorf("%q: caps %+v kept %#x %q keeps(sys_admin)=%v; want %+v %#x %q %v", c.text, s.Caps,
				s.Caps.Kept(all), s.Caps, s.Caps.Keeps(21), c.want, c.kept, c.str, c.keepsAdmin)
		}
	}
}

// A bad name fails the load, on its line, as in LXC 5.
func TestCapErrors(t *testing.T) {
	for text, want := range map[string]string{
		"lxc.cap.drop = SYS_ADMIN":              `t.conf:1: lxc.cap.drop: invalid value "SYS_ADMIN"; expected lowercase capability names`,
		"\nlxc.cap.keep = kill cap_chown":       `t.conf:2: lxc.cap.keep: invalid value "cap_chown"; expected lowercase`,
		"lxc.cap.drop = none":                   `t.conf:1: lxc.cap.drop: invalid value "none"; "none" is only valid in lxc.cap.keep`,
		"lxc.cap.drop = kill\nlxc.cap.keep = 1": `t.conf:2: lxc.cap.keep: keeping and dropping capabilities are mutually exclusive`,
	} {
		err := New().LoadBytes("t.conf", []byte(text))
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v\nwant %s...", text, err, want)
		}
	}
}

// Drops: what a kernel with all leaves out of the setting, CAP_SETPCAP last.
func TestCapsDrops(t *testing.T) {
	all := uint64(1)<<41 - 1
	if got := (Caps{Set: 1<<8 | 1<<21 | 1<<50}).Drops(all); !slices.Equal(got, []int{21, 8}) {
		t.Errorf("drop: %v", got)
	}
	got := (Caps{Keep: true, Set: 1 << 5}).Drops(all)
	if len(got) != 40 || slices.Contains(got, 5) || got[39] != 8 {
		t.Errorf("keep kill: %v", got)
	}
	if got := (Caps{Keep: true}).Drops(0b111); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("keep none: %v", got)
	}
	if KernelCaps() != uint64(1)<<uint(LastCap()+1)-1 {
		t.Errorf("KernelCaps %#x", KernelCaps())
	}
}
