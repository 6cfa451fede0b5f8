package cgroup

import "testing"

func TestUnifiedView(t *testing.T) {
	u := &Hierarchy{Unified: true, Mount: "/sys/fs/cgroup/unified", SelfPath: "/"}
	mem := &Hierarchy{ID: 4, Controllers: []string{"memory"}, Mount: "/sys/fs/cgroup/memory", SelfPath: "/"}
	dev := &Hierarchy{ID: 5, Controllers: []string{"devices"}, Mount: "/sys/fs/cgroup/devices", SelfPath: "/"}

	hybrid := &Layout{Mode: Hybrid, Hierarchies: []*Hierarchy{dev, mem, u}}
	v, ok := hybrid.UnifiedView()
	if !ok || v.Mode != Unified || len(v.Hierarchies) != 1 || v.Hierarchies[0] != u {
		t.Fatalf("hybrid view = %+v, %v; want the cgroup2 hierarchy alone, mode unified", v, ok)
	}
	if hybrid.Mode != Hybrid || len(hybrid.Hierarchies) != 3 {
		t.Fatalf("UnifiedView changed its receiver: %+v", hybrid)
	}
	if got := v.ForController("devices"); got != u {
		t.Errorf("devices in the view = %+v, want the cgroup2 hierarchy (eBPF device program)", got)
	}
	if d := newDriver(v); d != (v2Driver{}) {
		t.Errorf("driver of the view = %T, want v2Driver", d)
	}

	legacy := &Layout{Mode: Legacy, Hierarchies: []*Hierarchy{dev, mem}}
	if v, ok := legacy.UnifiedView(); ok || v != legacy {
		t.Errorf("legacy view = %+v, %v; want the layout itself and false (no cgroup2 hierarchy)", v, ok)
	}
	pure := &Layout{Mode: Unified, Hierarchies: []*Hierarchy{u}}
	if v, ok := pure.UnifiedView(); !ok || v != pure {
		t.Errorf("pure cgroup2 view = %+v, %v; want the layout itself and true", v, ok)
	}
}
