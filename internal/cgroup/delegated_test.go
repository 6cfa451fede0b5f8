package cgroup

import (
	"strings"
	"testing"
)

// Root keeps every hierarchy; a user with nothing writable gets one line
// that names the current cgroup, each v1 hierarchy and how to delegate.
func TestDelegatedRootKeepsAll(t *testing.T) {
	l := &Layout{Mode: Hybrid, Euid: 0, Hierarchies: []*Hierarchy{{ID: 3, Controllers: []string{"memory"}, Mount: "/x/memory", SelfPath: "/"}}}
	got, err := l.Delegated()
	if err != nil || got != l {
		t.Fatalf("root: %v %v", got, err)
	}
}

func TestNoDelegationMessage(t *testing.T) {
	l := &Layout{Mode: Hybrid, Euid: 4242}
	v1 := []*Hierarchy{
		{ID: 3, Controllers: []string{"memory"}, Mount: "/sys/fs/cgroup/memory", SelfPath: "/user.slice"},
		{ID: 4, Controllers: []string{"freezer"}, Mount: "/sys/fs/cgroup/freezer", SelfPath: "/user.slice"},
		{Unified: true, Mount: "/sys/fs/cgroup/unified", SelfPath: "/"},
	}
	l.Hierarchies = v1
	msg := errNoDelegation(l, v1, false).Error()
	for _, want := range []string{"no cgroup is delegated to 4242 (uid 4242)", "current cgroup /user.slice",
		"/sys/fs/cgroup/{memory,freezer}", "mkdir -p $d/4242; chown -R 4242: $d/4242", "tasks"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("not one line: %q", msg)
	}
	if strings.Contains(msg, "systemd-run") {
		t.Errorf("systemd hint without systemd: %s", msg)
	}
	if sd := errNoDelegation(l, v1, true).Error(); !strings.Contains(sd, "systemd-run --user --scope -p Delegate=yes") || strings.Contains(sd, "\n") {
		t.Errorf("systemd host message lacks the delegated scope hint or is not one line:\n%s", sd)
	}
	u := &Layout{Mode: Unified, Euid: 4242, Hierarchies: []*Hierarchy{{Unified: true, Mount: "/sys/fs/cgroup", SelfPath: "/user.slice"}}}
	msg = errNoDelegation(u, u.Hierarchies, false).Error()
	if !strings.Contains(msg, "/sys/fs/cgroup/user.slice is not writable") || !strings.Contains(msg, "cgroup.subtree_control") {
		t.Errorf("cgroup2 message:\n%s", msg)
	}
}
