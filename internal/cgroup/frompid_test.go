package cgroup

import "testing"

func TestIsPayloadDir(t *testing.T) {
	for dir, want := range map[string]bool{
		"lxc.payload.c1": true, "lxc.payload.c1-2": true, "lxc.payload.c1-10": true,
		"lxc.payload.c1-": false, "lxc.payload.c1-x": false, "lxc.payload.c10": false,
		"lxc.payload.c": false, "lxc.monitor.c1": false, "": false, "lxc.payload.c1-2-3": false,
	} {
		if got := isPayloadDir(dir, "c1"); got != want {
			t.Errorf("isPayloadDir(%q, c1) = %v, want %v", dir, got, want)
		}
	}
}
