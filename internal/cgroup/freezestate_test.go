package cgroup

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFreezeStateDecisions(t *testing.T) {
	for _, c := range []struct {
		in   string
		want FreezeState
		bad  bool
	}{{"THAWED\n", Thawed, false}, {"FREEZING\n", Freezing, false}, {"FROZEN\n", Frozen, false}, {"melted\n", Thawed, true}} {
		got, err := v1FreezeState(c.in)
		if got != c.want || (err != nil) != c.bad {
			t.Errorf("v1FreezeState(%q) = %v, %v", c.in, got, err)
		}
	}
	for _, c := range []struct {
		freeze string
		frozen bool
		want   FreezeState
	}{
		{"0\n", false, Thawed},
		{"1\n", false, Freezing}, // asked, not every task stopped yet
		{"1\n", true, Frozen},
		{"0\n", true, Frozen}, // an ancestor froze it
	} {
		if got := v2FreezeState(c.freeze, c.frozen); got != c.want {
			t.Errorf("v2FreezeState(%q, %v) = %v, want %v", c.freeze, c.frozen, got, c.want)
		}
	}
	if worst(Thawed, Frozen) != Frozen || worst(Freezing, Thawed) != Freezing || worst(Frozen, Freezing) != Frozen {
		t.Error("worst must pick the most frozen state")
	}
}

// fakeV2Payload makes a payload with a sub-cgroup in a fake cgroup2 tree,
// with the freezer files a kernel would show.
func fakeV2Payload(t *testing.T, freeze, events, subFreeze string) (*Container, string) {
	l, root := fakeUnified(t)
	c := New(l, Options{Name: "fz"})
	pay := filepath.Join(root, "lxc.payload.fz")
	sub := filepath.Join(pay, "inner")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for f, v := range map[string]string{
		filepath.Join(pay, "cgroup.freeze"): freeze, filepath.Join(pay, "cgroup.events"): events,
		filepath.Join(sub, "cgroup.freeze"): subFreeze, filepath.Join(sub, "cgroup.events"): events,
	} {
		if err := os.WriteFile(f, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c.lim[l.Hierarchies[0]] = pay
	return c, pay
}

func TestFakeV2FreezeStateAndThawAll(t *testing.T) {
	c, pay := fakeV2Payload(t, "1\n", "populated 1\nfrozen 1\n", "1\n")
	if st, err := c.FreezeState(); err != nil || st != Frozen {
		t.Fatalf("FreezeState = %v, %v; want FROZEN", st, err)
	}
	if err := c.ThawAll(); err != nil {
		t.Fatal(err)
	}
	// The payload and the sub-cgroup the container froze are both thawed.
	for _, d := range []string{pay, filepath.Join(pay, "inner")} {
		b, _ := os.ReadFile(filepath.Join(d, "cgroup.freeze"))
		if string(b) != "0\n" {
			t.Errorf("%s/cgroup.freeze = %q after ThawAll, want 0", d, b)
		}
	}
	c, _ = fakeV2Payload(t, "0\n", "populated 1\nfrozen 0\n", "0\n")
	if st, err := c.FreezeState(); err != nil || st != Thawed {
		t.Fatalf("FreezeState = %v, %v; want THAWED", st, err)
	}
	c, _ = fakeV2Payload(t, "1\n", "populated 1\nfrozen 0\n", "0\n")
	if st, err := c.FreezeState(); err != nil || st != Freezing {
		t.Fatalf("FreezeState = %v, %v; want FREEZING", st, err)
	}
}
