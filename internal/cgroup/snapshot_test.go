package cgroup

import (
	"strings"
	"testing"
)

// A user's container made in the delegated hierarchies only is restored in
// those only, though the layout detected again lists them all; a recorded
// hierarchy that is no longer mounted is an error.
func TestRestoreKeepsRecordedHierarchies(t *testing.T) {
	mem := &Hierarchy{ID: 4, Controllers: []string{"memory"}, Mount: "/x/memory", SelfPath: "/"}
	uni := &Hierarchy{Unified: true, Mount: "/x/unified", SelfPath: "/user.slice/user@1001.service"}
	l := &Layout{Mode: Hybrid, Euid: 1001, Hierarchies: []*Hierarchy{mem, uni}}
	s := Snapshot{Options: Options{Name: "c1"}, Base: map[string]string{"/x/unified": "/user.slice/user@1001.service"},
		Monitor: "lxc.monitor.c1", Limit: "lxc.payload.c1", Payload: "lxc.payload.c1"}
	c, err := Restore(l, s)
	if err != nil {
		t.Fatal(err)
	}
	if hs := c.Layout().Hierarchies; len(hs) != 1 || hs[0] != uni {
		t.Fatalf("restored hierarchies %v, want the unified one only", hs)
	}
	if got := c.LimitPaths(); len(got) != 1 || got["unified"] != "/x/unified/user.slice/user@1001.service/lxc.payload.c1" {
		t.Errorf("limit paths %v", got)
	}
	if len(l.Hierarchies) != 2 {
		t.Errorf("Restore changed the layout it was given")
	}
	s.Base["/x/cpu"] = "/"
	if _, err := Restore(l, s); err == nil || !strings.Contains(err.Error(), "/x/cpu") {
		t.Errorf("a recorded hierarchy that is gone: %v", err)
	}
}
