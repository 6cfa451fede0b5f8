package templates

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

func TestUserNSFor(t *testing.T) {
	maps := []config.IDMap{{Type: 'u', NSID: 0, HostID: 100000, Range: 65536}, {Type: 'g', NSID: 0, HostID: 100000, Range: 65536}}
	// Root creating: host 0 is not in the maps, so it gets the first free
	// container id (65536), as LXC's find_unmapped_nsid.
	ns, ok := UserNSFor(maps, 0, 0)
	want := UserNS{
		UIDMaps:   []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}, {ContainerID: 65536, HostID: 0, Size: 1}},
		GIDMaps:   []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}, {ContainerID: 65536, HostID: 0, Size: 1}},
		MappedUID: 65536, MappedGID: 65536, RootUID: 100000, RootGID: 100000,
	}
	if !ok || !reflect.DeepEqual(ns, want) {
		t.Fatalf("UserNSFor = %+v %v\nwant %+v", ns, ok, want)
	}
	// A caller inside the map keeps its container id and adds no entry.
	ns, _ = UserNSFor(maps, 100005, 100007)
	if ns.MappedUID != 5 || ns.MappedGID != 7 || len(ns.UIDMaps) != 1 {
		t.Fatalf("caller inside the map: %+v", ns)
	}
	// The free id skips every covering map.
	maps2 := append(maps, config.IDMap{Type: 'u', NSID: 65536, HostID: 300000, Range: 10})
	if ns, _ = UserNSFor(maps2, 0, 0); ns.MappedUID != 65546 || ns.MappedGID != 65536 {
		t.Fatalf("free id: %+v", ns)
	}
	// No root group: not usable.
	if _, ok := UserNSFor(maps[:1], 0, 0); ok {
		t.Fatal("a map without a root group was accepted")
	}
	if h, ok := HostID(maps, 'g', 5); !ok || h != 100005 {
		t.Fatalf("HostID = %d %v", h, ok)
	}
	if _, ok := HostID(maps, 'u', 65536); ok {
		t.Fatal("HostID outside the map")
	}
}

func TestShiftOwnership(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "home/user"), 0o755))
	must(os.WriteFile(filepath.Join(root, "suid"), nil, 0o755))
	must(os.Chmod(filepath.Join(root, "suid"), 0o755|os.ModeSetuid))
	must(os.Link(filepath.Join(root, "suid"), filepath.Join(root, "hardlink")))
	must(os.Symlink("suid", filepath.Join(root, "link")))
	must(os.Chown(filepath.Join(root, "home/user"), 1000, 1000))
	must(os.WriteFile(filepath.Join(root, "outside"), nil, 0o644))
	must(os.Chown(filepath.Join(root, "outside"), 70000, 70000)) // no map covers it
	maps := []config.IDMap{{Type: 'u', NSID: 0, HostID: 1000, Range: 65536}, {Type: 'g', NSID: 0, HostID: 1000, Range: 65536}}
	must(ShiftOwnership(root, maps))
	for p, want := range map[string]string{".": "1000:1000", "suid": "1000:1000", "link": "1000:1000",
		"home/user": "2000:2000", "outside": "70000:70000"} {
		var st unix.Stat_t
		must(unix.Lstat(filepath.Join(root, p), &st))
		if got := fmt.Sprintf("%d:%d", st.Uid, st.Gid); got != want {
			t.Errorf("%s owned by %s, want %s (hard links shifted once)", p, got, want)
		}
	}
	if st, _ := os.Stat(filepath.Join(root, "suid")); st.Mode()&os.ModeSetuid == 0 {
		t.Errorf("setuid bit lost: %v", st.Mode())
	}
}

// A user's template runs under lxc-usernsexec with the container's maps
// plus the caller's own ids, in LXC's -m u:NS:HOST:RANGE form.
func TestUsernsexecArgs(t *testing.T) {
	maps := []config.IDMap{{Type: 'u', NSID: 0, HostID: 100000, Range: 65536}, {Type: 'g', NSID: 0, HostID: 100000, Range: 65536}}
	ns, ok := UserNSFor(maps, 1000, 1001)
	if !ok {
		t.Fatal("no root map")
	}
	got := strings.Join(UsernsexecArgs(&ns), " ")
	want := "lxc-usernsexec -m u:0:100000:65536 -m u:65536:1000:1 -m g:0:100000:65536 -m g:65536:1001:1 --"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
