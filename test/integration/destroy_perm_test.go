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
