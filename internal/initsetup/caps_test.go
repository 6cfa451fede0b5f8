package initsetup

import (
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
}

func TestKeptCaps(t *testing.T) {
	all := capSet(1<<uint(lastCap()+1) - 1)
	got, err := keptCaps([]string{"sys_module", "21"}, nil)
	if err != nil || got != all&^(1<<16|1<<21) {
		t.Errorf("drop: %x %v", got, err)
	}
	got, err = keptCaps(nil, []string{"none"})
	if err != nil || got != 0 {
		t.Errorf("keep none: %x %v", got, err)
	}
	got, err = keptCaps(nil, []string{"kill", "setuid"})
	if err != nil || got != 1<<5|1<<7 {
		t.Errorf("keep: %x %v", got, err)
	}
	if _, err := keptCaps([]string{"kill"}, []string{"kill"}); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("drop+keep: %v", err)
	}
	if _, err := keptCaps([]string{"KILL"}, nil); err == nil || !strings.Contains(err.Error(), "lxc.cap.drop") {
		t.Errorf("bad name: %v", err)
	}
}
