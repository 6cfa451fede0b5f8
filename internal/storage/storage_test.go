package storage

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParse(t *testing.T) {
	file := filepath.Join(t.TempDir(), "img")
	os.WriteFile(file, nil, 0o600)
	for raw, want := range map[string]Rootfs{
		"dir:/var/lib/lxc/c/rootfs":  {"dir", "/var/lib/lxc/c/rootfs", "dir:/var/lib/lxc/c/rootfs"},
		"/var/lib/lxc/c/rootfs":      {"dir", "/var/lib/lxc/c/rootfs", "/var/lib/lxc/c/rootfs"},
		"overlay:/a/rootfs:/b/delta": {"overlay", "/a/rootfs:/b/delta", "overlay:/a/rootfs:/b/delta"},
		"overlayfs:/a:/b":            {"overlayfs", "/a:/b", "overlayfs:/a:/b"},
		"btrfs:/l/c/rootfs":          {"btrfs", "/l/c/rootfs", "btrfs:/l/c/rootfs"},
		"loop:/l/c/rootdev":          {"loop", "/l/c/rootdev", "loop:/l/c/rootdev"},
		"zfs:tank/lxc/c":             {"zfs", "tank/lxc/c", "zfs:tank/lxc/c"},
		"/srv/odd:name":              {"dir", "/srv/odd:name", "/srv/odd:name"},
		file:                         {"loop", file, file},
		"":                           {},
	} {
		if got := Parse(raw); got != want {
			t.Errorf("Parse(%q) = %+v, want %+v", raw, got, want)
		}
	}
}

func TestOverlaySplit(t *testing.T) {
	lower, upper, err := Parse("overlay:/l1:/l2:/c/overlay/delta").Overlay()
	if err != nil || lower != "/l1:/l2" || upper != "/c/overlay/delta" {
		t.Errorf("%q %q %v", lower, upper, err)
	}
	if _, _, err := Parse("overlay:/only").Overlay(); err == nil {
		t.Error("an overlay without upper directory was accepted")
	}
}

func TestRegistryNames(t *testing.T) {
	want := []string{"dir", "zfs", "lvm", "rbd", "btrfs", "overlay", "overlayfs", "loop", "nbd"}
	got := Names()
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
	for _, n := range []string{"dir", "overlay", "overlayfs", "btrfs", "loop"} {
		if !Supported(n) || Unavailable(n) != nil {
			t.Errorf("%s should be supported", n)
		}
	}
	for _, n := range []string{"lvm", "zfs", "rbd", "nbd"} {
		if Supported(n) || Unavailable(n) == nil {
			t.Errorf("%s should say what is missing", n)
		}
	}
	if _, err := Lookup("aufs"); err == nil {
		t.Error("aufs accepted")
	}
}

// LXC's storage_copy decisions.
func TestPlanClone(t *testing.T) {
	for _, c := range []struct {
		orig, want string
		snap       bool
		newPath    string
		typ        string
		rdep       bool
	}{
		{"dir", "", true, "/l", "overlay", true},
		{"dir", "", false, "/l", "dir", false},
		{"dir", "", false, "/other", "dir", false},
		{"overlay", "", true, "/l", "overlay", true},
		{"overlay", "", false, "/other", "dir", false},
		{"btrfs", "", true, "/l", "btrfs", false},
		{"btrfs", "", false, "/l", "btrfs", false},
		{"dir", "overlayfs", true, "/l", "overlayfs", true},
		{"dir", "loop", false, "/l", "loop", false},
	} {
		p, err := PlanClone(c.orig, c.want, c.snap, "/l", c.newPath)
		if err != nil || p.Type != c.typ || p.NeedRdep != c.rdep || p.Snapshot != c.snap {
			t.Errorf("%+v: %+v %v", c, p, err)
		}
	}
	if _, err := PlanClone("dir", "nosuch", false, "/l", "/l"); err == nil {
		t.Error("unknown backend accepted")
	}
}

func TestDeps(t *testing.T) {
	a, b := Dep{"/var/lib/lxc", "web"}, Dep{"/var/lib/lxc", "mysite"}
	data := AddDep(AddDep(nil, a), b)
	if string(data) != "/var/lib/lxc\nweb\n/var/lib/lxc\nmysite\n" {
		t.Fatalf("%q", data)
	}
	if deps, bad := ParseDeps(data); bad || len(deps) != 2 || deps[1] != b {
		t.Errorf("%v %v", deps, bad)
	}
	if !HasDependents(data) {
		t.Error("no dependents seen")
	}
	data = RemoveDep(data, a)
	if string(data) != "/var/lib/lxc\nmysite\n" {
		t.Errorf("%q", data)
	}
	if len(RemoveDep(data, b)) != 0 {
		t.Error("not empty after removing the last")
	}
	// LXC 1.x's count format.
	if got := string(AddDep([]byte("2\n"), a)); got != "3\n" {
		t.Errorf("legacy add: %q", got)
	}
	if RemoveDep([]byte("1\n"), a) != nil || HasDependents([]byte("0\n")) || HasDependents(nil) {
		t.Error("legacy count")
	}
	if _, bad := ParseDeps([]byte("/p\nn\n/odd\n")); !bad {
		t.Error("odd line count not reported")
	}
}

func TestParseSize(t *testing.T) {
	for s, want := range map[string]uint64{"1G": 1 << 30, "512": 512 << 20, "10k": 10 << 10, "3b": 3, "2T": 2 << 40, "64M": 64 << 20} {
		if got, err := ParseSize(s); err != nil || got != want {
			t.Errorf("%s: %d %v", s, got, err)
		}
	}
	for _, s := range []string{"", "G", "1Q", "0", "-1", "1GG"} {
		if _, err := ParseSize(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestClonePaths(t *testing.T) {
	if got := loopFile("/var/lib/lxc/c/rootfs"); got != "/var/lib/lxc/c/rootdev" {
		t.Error(got)
	}
	if !snapshotDirPair("/var/lib/lxc", "c", "/var/lib/lxc/c/snaps", "snap0") ||
		!snapshotDirPair("/var/lib/lxc/c/snaps", "snap0", "/var/lib/lxc", "c") ||
		snapshotDirPair("/var/lib/lxc", "c", "/var/lib/lxc", "d") {
		t.Error("snapshot directory detection")
	}
}
