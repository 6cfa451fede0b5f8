package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lxc-destroy run by a user who may remove the config but not the rootfs
// (root's files in a directory the user owns) removes nothing and says why
// in one line: it used to delete the config first and leave an orphaned
// rootfs that no tool lists any more.
func TestDestroyWithoutPermissionRemovesNothing(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	home := t.TempDir()
	for _, d := range []string{lp, home} {
		os.Chmod(d, 0o755)
		os.Chown(d, 65534, 65534)
	}
	os.Chmod(filepath.Dir(home), 0o755)
	busybox(t, lp, "misc-noperm")
	dir := filepath.Join(lp, "misc-noperm")
	os.Chown(dir, 65534, 65534)
	os.Chown(filepath.Join(dir, "config"), 65534, 65534)

	r := runAs(t, home, "lxc-destroy", "-P", lp, "-n", "misc-noperm")
	if r.code != 1 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 ||
		!strings.Contains(r.stderr, "permission denied") || !strings.Contains(r.stderr, "nothing was removed") {
		t.Errorf("want one error line saying permission denied and nothing was removed: %s", r)
	}
	for _, f := range []string{"config", "rootfs/bin/busybox", "rootfs/etc/inittab"} {
		if _, err := os.Lstat(filepath.Join(dir, f)); err != nil {
			t.Errorf("lxc-destroy without permission removed %s: %v", f, err)
		}
	}
	// Root still destroys it completely.
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "misc-noperm"), 0, "", "")
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("root's destroy left %s", dir)
	}
}

// lxc-destroy removes the container's lock file and the lock directories
// it leaves empty (LXC 5.0.2 leaves both, and they pile up under
// /run/lxc/lock); another container's lock file stays.
func TestDestroyRemovesItsLockFile(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	mustRun(t, "lxc-create", "-P", lp, "-n", "misc-lock1", "-t", "none")
	mustRun(t, "lxc-create", "-P", lp, "-n", "misc-lock2", "-t", "none")
	lockDir := filepath.Join("/run/lxc/lock", lp)
	for _, n := range []string{"misc-lock1", "misc-lock2"} {
		if _, err := os.Stat(filepath.Join(lockDir, "."+n)); err != nil {
			t.Fatalf("no lock file for %s after create: %v", n, err)
		}
	}
	mustRun(t, "lxc-destroy", "-P", lp, "-n", "misc-lock1")
	if _, err := os.Stat(filepath.Join(lockDir, ".misc-lock1")); !os.IsNotExist(err) {
		t.Errorf("lock file of the destroyed container left: %v", err)
	}
	if _, err := os.Stat(filepath.Join(lockDir, ".misc-lock2")); err != nil {
		t.Errorf("another container's lock file removed: %v", err)
	}
	mustRun(t, "lxc-destroy", "-P", lp, "-n", "misc-lock2")
	if _, err := os.Stat(lockDir); !os.IsNotExist(err) {
		t.Errorf("empty lock directory %s left: %v", lockDir, err)
	}
	// A failed destroy keeps the lock file (the container is still there):
	// a running container is not destroyed without -f.
	busybox(t, lp, "misc-lock3")
	startRunning(t, lp, "misc-lock3")
	refused := run(t, nil, "lxc-destroy", "-P", lp, "-n", "misc-lock3")
	if refused.code == 0 {
		t.Fatalf("destroy of a running container without -f succeeded: %s", refused)
	}
	if _, err := os.Stat(filepath.Join(lockDir, ".misc-lock3")); err != nil {
		t.Errorf("lock file of a living container removed: %v", err)
	}
	killStop(t, lp, "misc-lock3")
	mustRun(t, "lxc-destroy", "-P", lp, "-n", "misc-lock3")
}
