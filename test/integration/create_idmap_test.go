package integration

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// owners describes the ownership lxc-create leaves: the container
// directory, config and rootfs (uid:gid mode), then the distinct owners of
// everything in the rootfs.
func owners(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, f := range []string{".", "config", "rootfs"} {
		st, err := os.Lstat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		s := st.Sys().(*syscall.Stat_t)
		fmt.Fprintf(&b, "%s %d:%d %o\n", f, s.Uid, s.Gid, st.Mode().Perm())
	}
	seen := map[string]bool{}
	filepath.WalkDir(filepath.Join(dir, "rootfs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			if info, err := d.Info(); err == nil {
				s := info.Sys().(*syscall.Stat_t)
				seen[fmt.Sprintf("%d:%d", s.Uid, s.Gid)] = true
			}
		}
		return nil
	})
	var l []string
	for k := range seen {
		l = append(l, k)
	}
	sort.Strings(l)
	b.WriteString("rootfs files " + strings.Join(l, " ") + "\n")
	return b.String()
}

const idmapOwners = ". 100000:100000 770\nconfig 0:0 640\nrootfs 100000:100000 755\nrootfs files 100000:100000\n"

// A container with lxc.idmap created by root gets its directory and rootfs
// shifted to the mapped root (LXC 5.0.2 leaves exactly this: checked with
// /usr/bin/lxc-create -t busybox below), so that it starts, runs as the
// mapped ids, attaches, stops and is destroyed.
func TestCreateIdmappedAsRootStartsAsMappedIDs(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	os.Chmod(lp, 0o755) // the mapped root must reach its directory, as under /var/lib/lxc
	conf := filepath.Join(t.TempDir(), "idmap.conf")
	os.WriteFile(conf, []byte("lxc.net.0.type = empty\nlxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"), 0o644)
	t.Cleanup(func() { run(t, nil, "lxc-stop", "-P", lp, "-n", "misc-idm", "-k") })
	mustRun(t, "lxc-create", "-P", lp, "-n", "misc-idm", "-t", "busybox", "-f", conf)
	dir := filepath.Join(lp, "misc-idm")
	if got := owners(t, dir); got != idmapOwners {
		t.Errorf("ownership after create:\n%s\nwant\n%s", got, idmapOwners)
	}
	startRunning(t, lp, "misc-idm")
	pid := initPid(t, lp, "misc-idm")
	if uid := strings.Fields(procStatus(t, pid, "Uid")); uid[0] != "100000" {
		t.Errorf("init runs as host uid %s, want 100000", uid[0])
	}
	expect(t, run(t, nil, "lxc-attach", "-P", lp, "-n", "misc-idm", "--", "id", "-u"), 0, "0\n", "")
	mustRun(t, "lxc-attach", "-P", lp, "-n", "misc-idm", "--", "touch", "/root/made-inside")
	if st, err := os.Stat(filepath.Join(dir, "rootfs/root/made-inside")); err != nil || st.Sys().(*syscall.Stat_t).Uid != 100000 {
		t.Errorf("a file made inside is not host uid 100000: %v", err)
	}
	mustRun(t, "lxc-stop", "-P", lp, "-n", "misc-idm")
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "misc-idm"), 0, "", "")
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("destroy left %s", dir)
	}

	// An external template (LXC's own busybox script) runs in the
	// container's user namespace and ends the same way.
	script := "/usr/share/lxc/templates/lxc-busybox"
	if _, err := os.Stat(script); err == nil {
		mustRun(t, "lxc-create", "-P", lp, "-n", "misc-idx", "-t", script, "-f", conf)
		if got := owners(t, filepath.Join(lp, "misc-idx")); got != idmapOwners {
			t.Errorf("ownership after create with %s:\n%s\nwant\n%s", script, got, idmapOwners)
		}
		startRunning(t, lp, "misc-idx")
		if uid := strings.Fields(procStatus(t, initPid(t, lp, "misc-idx"), "Uid")); uid[0] != "100000" {
			t.Errorf("init of the script-made container runs as host uid %s, want 100000", uid[0])
		}
		mustRun(t, "lxc-stop", "-P", lp, "-n", "misc-idx", "-k")
		mustRun(t, "lxc-destroy", "-P", lp, "-n", "misc-idx")
	}

	// LXC 5.0.2 on the same config leaves the same ownership.
	lxcCreate := lxcTool(t, "lxc-create")
	lxcLP := lxcpath(t)
	os.Chmod(lxcLP, 0o755)
	r := runPath(t, nil, lxcCreate, "-P", lxcLP, "-n", "misc-lxcidm", "-t", "busybox", "-f", conf)
	if r.code != 0 {
		t.Fatalf("LXC's lxc-create: %s", r)
	}
	defer runPath(t, nil, "/usr/bin/lxc-destroy", "-P", lxcLP, "-n", "misc-lxcidm")
	if got := owners(t, filepath.Join(lxcLP, "misc-lxcidm")); got != idmapOwners {
		t.Errorf("LXC's ownership (the reference) changed:\n%s", got)
	}
}
