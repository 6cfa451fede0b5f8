package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A user's process that an earlier start moved into the leaf init of its
// delegated cgroup puts its containers next to the first ones, in the
// delegated cgroup; root, a hybrid layout and any other leaf keep their
// own cgroup as the base.
func TestEvacuatedBase(t *testing.T) {
	mnt := t.TempDir()
	os.MkdirAll(filepath.Join(mnt, "user@1000.service", "init"), 0o755)
	os.MkdirAll(filepath.Join(mnt, "user@1000.service", "app"), 0o755)
	for _, c := range []struct {
		self string
		mode Mode
		euid int
		want string
	}{
		{"/user@1000.service/init", Unified, 1000, "/user@1000.service"},
		{"/user@1000.service/app", Unified, 1000, "/user@1000.service/app"},
		{"/init", Unified, 1000, "/init"},
		{"/user@1000.service/init", Unified, 0, "/user@1000.service/init"},
		{"/user@1000.service/init", Hybrid, 1000, "/user@1000.service/init"},
	} {
		h := &Hierarchy{Unified: true, Mount: mnt, MountRoot: "/", SelfPath: c.self}
		l := &Layout{Mode: c.mode, Euid: c.euid, Hierarchies: []*Hierarchy{h}}
		if got := New(l, Options{Name: "c1", Relative: true}).base[h]; got != c.want {
			t.Errorf("%s (%v, euid %d): base %s, want %s", c.self, c.mode, c.euid, got, c.want)
		}
	}
}

// TestMayEvacuate: the processes of a cgroup move into its leaf init only
// in a user's own delegated base cgroup; never in root's, another user's
// (even a writable one), nor in a cgroup between the base and the leaf,
// nor for root.
func TestMayEvacuate(t *testing.T) {
	const base = "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service"
	for _, c := range []struct {
		what        string
		euid, owner int
		dir         string
		want        bool
	}{
		{"the user's own delegated base", 1000, 1000, base, true},
		{"root's cgroup as the user's base", 1000, 0, base, false},
		{"another user's cgroup as the base", 1000, 1001, base, false},
		{"an owner that cannot be read", 1000, -1, base, false},
		{"a cgroup below the base", 1000, 1000, base + "/lxc.payload.c1", false},
		{"root", 0, 0, base, false},
	} {
		if got := mayEvacuate(c.euid, c.owner, c.dir, base); got != c.want {
			t.Errorf("%s (euid %d, owner %d): %t, want %t", c.what, c.euid, c.owner, got, c.want)
		}
	}
}

// TestEnableError: "not delegated to you" only where delegate did not try
// to move the processes out; after a move that did not empty the cgroup,
// the error says so and what to do.
func TestEnableError(t *testing.T) {
	const dir = "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service"
	busy := fmt.Errorf("write %s/cgroup.subtree_control: %w", dir, syscall.EBUSY)
	for _, c := range []struct {
		what             string
		err              error
		euid             int
		isBase, evacuate bool
		want, wantNot    string
	}{
		{"busy after the move", busy, 1000, true, true, "did not empty it (processes kept arriving there", "not its owner"},
		{"busy, not the user's own base", busy, 1000, true, false, "is not delegated to uid 1000 (not its owner)", "did not empty"},
		{"busy below the base", busy, 1000, false, false, "set lxc.cgroup.dir", "not its owner"},
		{"busy as root", busy, 0, true, false, "set lxc.cgroup.dir", "not its owner"},
		{"the move failed otherwise", errors.New("move the processes: they keep coming"), 1000, true, true, "they keep coming", "not its owner"},
	} {
		got := enableError("+cpu +memory", dir, c.err, c.euid, c.isBase, c.evacuate)
		if !errors.Is(got, c.err) || !strings.Contains(got.Error(), c.want) || strings.Contains(got.Error(), c.wantNot) {
			t.Errorf("%s: got %q, want it to wrap %v, say %q and not %q", c.what, got, c.err, c.want, c.wantNot)
		}
		if !strings.HasPrefix(got.Error(), "enable controllers (+cpu +memory) in "+dir+": ") {
			t.Errorf("%s: %q does not name the controllers and the cgroup first", c.what, got)
		}
	}
}
