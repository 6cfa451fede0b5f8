package config

import "testing"

// mountAutoGroup replaced a map built at init: the same tokens, no more.
func TestMountAutoGroup(t *testing.T) {
	want := map[string]string{
		"proc": "proc", "proc:mixed": "proc", "proc:rw": "proc",
		"sys": "sys", "sys:ro": "sys", "sys:mixed": "sys", "sys:rw": "sys",
		"cgroup2": "cgroup", "cgroup2:ro": "cgroup", "cgroup2:force": "cgroup", "cgroup2:ro:force": "cgroup",
	}
	for _, base := range []string{"cgroup", "cgroup-full"} {
		for _, mode := range []string{"", ":mixed", ":ro", ":rw"} {
			want[base+mode] = "cgroup"
			want[base+mode+":force"] = "cgroup"
		}
	}
	for tok, g := range want {
		if got := mountAutoGroup(tok); got != g {
			t.Errorf("%q: %q, want %q", tok, got, g)
		}
	}
	for _, tok := range []string{"", "proc:ro", "sys:force", "cgroup:force:force", "cgroup:foo", "cgroup-fullx",
		"cgroup2:rw", "cgroup2:mixed", "cgroup-full:", "cgroup:", "shmounts", "cgroup3"} {
		if got := mountAutoGroup(tok); got != "" {
			t.Errorf("%q: %q, want unknown", tok, got)
		}
	}
}
