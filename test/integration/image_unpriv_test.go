package integration

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestImageDownloadAsUser: a plain user's idmapped container from the
// download template: the helper runs as the container's root (through
// lxc-usernsexec), uses the user's cache (~/.cache/lxc, left owned by
// the user) and the image's user files; the container starts.
func TestImageDownloadAsUser(t *testing.T) {
	needUnpriv(t)
	s := newImageServer(t)
	u := newUnprivUser(t, "img-t1", "3100000",
		"lxc.net.0.type = empty\nlxc.idmap = u 0 3100000 65536\nlxc.idmap = g 0 3100000 65536\n")
	cg := delegateCgroups(t, u)
	pub := filepath.Join(u.Home, "pub.asc")
	data, _ := os.ReadFile(s.pub)
	if err := os.WriteFile(pub, data, 0o644); err != nil {
		t.Fatal(err)
	}
	name := "img-ud"
	t.Cleanup(func() {
		userTool(t, u, cg, "lxc-stop", "-n", name, "-k")
		userTool(t, u, cg, "lxc-destroy", "-n", name)
	})
	expectOK(t, "lxc-create -t download", userTool(t, u, cg, "lxc-create", "-t", "download", "-n", name, "--",
		"-d", "busybox", "-r", "img", "-a", "amd64", "--server", "http://"+s.httpAddr, "--keyring", pub))
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(u.Home, ".local/share/lxc", name, "rootfs/bin/busybox"), &st); err != nil || st.Uid != 3100000 {
		t.Errorf("rootfs/bin/busybox owner %d (%v), want the container's root 3100000", st.Uid, err)
	}
	entry := filepath.Join(u.Home, ".cache/lxc/download/busybox/img/amd64/default")
	if err := syscall.Stat(filepath.Join(entry, "build_id"), &st); err != nil || st.Uid != u.UID {
		t.Errorf("the user's cache entry is owned by %d (%v), want the user %d", st.Uid, err, u.UID)
	}
	expectOK(t, "lxc-start", userTool(t, u, cg, "lxc-start", "-n", name, "-d"))
	expectOK(t, "lxc-wait", userTool(t, u, cg, "lxc-wait", "-n", name, "-s", "RUNNING", "-t", "10"))
	expectOK(t, "lxc-attach", userTool(t, u, cg, "lxc-attach", "-n", name, "--", "true"))
	expectOK(t, "lxc-stop", userTool(t, u, cg, "lxc-stop", "-n", name, "-k"))
}
