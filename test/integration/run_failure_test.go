package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failedStart starts NAME expecting a failure: exit 1 and exactly one
// stderr line containing every want; afterwards nothing may be left.
func failedStart(t *testing.T, lp, name string, want ...string) string {
	t.Helper()
	r := run(t, nil, "lxc-start", "-P", lp, "-n", name)
	if r.code != 1 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "lxc-start: "+name+": ") {
		t.Fatalf("want one error line: %s", r)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("error %q lacks %q", r.stderr, w)
		}
	}
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "STOPPED\n", "")
	assertClean(t, lp, name)
	return r.stderr
}

// TestMountTargetSymlinkEscape: a mount target that is a symlink leading
// out of the rootfs makes the start fail, naming the entry, and the host
// path it pointed to is untouched.
func TestMountTargetSymlinkEscape(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "escape1"
	victim := t.TempDir()
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "evil"), []byte("x"), 0o644)
	busybox(t, lp, name, "lxc.mount.entry = "+src+" mnt/link none bind,create=dir 0 0")
	// An absolute symlink inside the rootfs pointing at a host directory.
	if err := os.Symlink(victim, filepath.Join(lp, name, "rootfs", "mnt", "link")); err != nil {
		t.Fatal(err)
	}
	msg := failedStart(t, lp, name, "lxc.mount.entry", "mnt/link")
	t.Log(msg)
	if _, err := os.Stat(filepath.Join(victim, "evil")); err == nil {
		t.Fatalf("the bind mount escaped the rootfs onto %s (%s)", victim, msg)
	}
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mi), victim) {
		t.Fatalf("host mount on %s", victim)
	}

	// A relative symlink climbing out with "..".
	os.Remove(filepath.Join(lp, name, "rootfs", "mnt", "link"))
	os.Symlink("../../../../../../../../.."+victim, filepath.Join(lp, name, "rootfs", "mnt", "link"))
	failedStart(t, lp, name, "mnt/link")
	if _, err := os.Stat(filepath.Join(victim, "evil")); err == nil {
		t.Fatal("the bind mount escaped the rootfs through ..")
	}
}

// TestMissingMountSource: the error names the entry and suggests
// 'optional'.
func TestMissingMountSource(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "missing1"
	busybox(t, lp, name, "lxc.mount.entry = /tmp/.golxc-no-such-X11-unix tmp/.X11-unix none bind,create=dir 0 0")
	failedStart(t, lp, name, "lxc.mount.entry 8 ", "/tmp/.golxc-no-such-X11-unix", "tmp/.X11-unix", "does not exist", "add 'optional'")
}

// TestStartFailureLeavesNothing: failures at different steps (a bad
// cgroup key, a missing init, an unknown capability) all clean up.
func TestStartFailureLeavesNothing(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "fail1"
	cfg := busybox(t, lp, name)
	orig, _ := os.ReadFile(cfg)
	for _, c := range []struct {
		line string
		want []string
	}{
		{"lxc.cgroup.memory.no_such_file = 1", []string{"memory.no_such_file"}},
		{"lxc.init.cmd = /sbin/no-such-init", []string{"/sbin/no-such-init"}},
		{"lxc.rootfs.path = dir:/no/such/rootfs", []string{"/no/such/rootfs"}},
		{"lxc.prlimit.nofile = 99999999", []string{"lxc.prlimit.nofile"}},
	} {
		os.WriteFile(cfg, append(append([]byte{}, orig...), []byte(c.line+"\n")...), 0o640)
		failedStart(t, lp, name, c.want...)
	}
}
