package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/testuser"
)

// asUser runs path with args as the test user u, from /, with a plain
// environment.
func asUser(t *testing.T, u testuser.User, path string, args ...string) result {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Dir = "/"
	cmd.Env = []string{"HOME=" + u.Home, "PATH=/usr/bin:/bin:/usr/sbin:/sbin", "USER=" + u.Name}
	cmd.SysProcAttr = u.Cred()
	return runCmd(t, cmd)
}

// lxc-usernsexec as a plain user: the same maps, ids, setgroups state,
// exit codes and stdout as LXC 5.0.2's for the calling conventions LXC
// itself uses (lxc-create runs templates through it) and the defaults.
func TestUsernsexecAsUser(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("newuidmap"); err != nil {
		t.Skip("newuidmap missing (Debian's uidmap package)")
	}
	// Two ranges: without -m only the first one is used, as LXC does.
	u := testuser.Create(t, "unstest2", "2400000-2465535", "2600000-2600999")
	bare := testuser.Create(t, "unstest3")
	show := "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u; id -g"
	uid, gid := u.UID, u.GID
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, c := range []struct {
		args   string
		code   int
		stdout string // normalised (fields joined by one space)
	}{
		{"", 0, "0 2400000 65536 0 2400000 65536 allow 0 0"},
		{"-s", 0, fmt.Sprintf("0 2400000 65536 65536 %d 1 0 2400000 65536 65536 %d 1 allow 0 0", uid, gid)},
		{"-m b:0:2600000:10 -s", 0, fmt.Sprintf("0 2600000 10 10 %d 1 0 2600000 10 10 %d 1 allow 0 0", uid, gid)},
		// lxc-create's template call: the maps plus the caller's own ids.
		{fmt.Sprintf("-m u:0:2400000:1000 -m g:0:2400000:1000 -m u:1000:%d:1 -m g:1000:%d:1", uid, gid), 0,
			fmt.Sprintf("0 2400000 1000 1000 %d 1 0 2400000 1000 1000 %d 1 allow 0 0", uid, gid)},
		// Only one's own ids: no delegation needed, setgroups denied.
		{fmt.Sprintf("-m u:0:%d:1 -m g:0:%d:1", uid, gid), 0, fmt.Sprintf("0 %d 1 0 %d 1 deny 0 0", uid, gid)},
		{"-m b:0:3000000:10", 1, ""},
		{"-m u:0:2400000:10", 1, ""}, // no gid map: cannot become root
	} {
		args := append(strings.Fields(c.args), "--", "sh", "-c", show)
		got := asUser(t, u, filepath.Join(binDir, "lxc-usernsexec"), args...)
		if got.code != c.code || norm(got.stdout) != c.stdout {
			t.Errorf("golxc lxc-usernsexec %s:\n%v\nwant exit %d, stdout %q", c.args, got, c.code, c.stdout)
		}
		if lxc := "/usr/bin/lxc-usernsexec"; fileExists(lxc) {
			ref := asUser(t, u, lxc, args...)
			if ref.code != c.code || norm(ref.stdout) != c.stdout {
				t.Errorf("LXC lxc-usernsexec %s (the oracle disagrees with the test):\n%v", c.args, ref)
			}
		}
	}
	// A missing range: one line with the usermod that grants it.
	got := asUser(t, u, filepath.Join(binDir, "lxc-usernsexec"), "-m", "b:0:3000000:10", "--", "true")
	if !strings.Contains(got.stderr, "usermod --add-subuids 3000000-3000009 --add-subgids 3000000-3000009 unstest2\n") {
		t.Errorf("missing range: stderr does not say how to grant it:\n%v", got)
	}

	for _, c := range []struct {
		user   testuser.User
		args   []string
		code   int
		stderr string
	}{
		{u, []string{"--", "sh", "-c", "exit 7"}, 7, ""},
		{u, []string{"--", "sh", "-c", "kill -9 $$"}, 0, ""}, // LXC passes WEXITSTATUS only
		{u, []string{"-m", "x:0:1:1", "--", "true"}, 1, ""},
		{u, []string{"-u"}, 1, "invalid option -- 'u'"},
		{u, []string{"--", "/nonexistent"}, 1, "Failed to execute \"/nonexistent\""},
		{bare, []string{"--", "true"}, 1, "Failed to find subuid or subgid allocation\n"},
	} {
		tools := []string{filepath.Join(binDir, "lxc-usernsexec")}
		if fileExists("/usr/bin/lxc-usernsexec") {
			tools = append(tools, "/usr/bin/lxc-usernsexec")
		}
		for _, tool := range tools {
			got := asUser(t, c.user, tool, c.args...)
			if got.code != c.code || !strings.Contains(got.stderr, c.stderr) {
				t.Errorf("%s %q as %s:\n%v\nwant exit %d, stderr with %q", tool, c.args, c.user.Name, got, c.code, c.stderr)
			}
		}
	}
}

// What the command mounts stays in its own mount namespace.
func TestUsernsexecMountStaysInside(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("newuidmap"); err != nil {
		t.Skip("newuidmap missing (Debian's uidmap package)")
	}
	u := testuser.Create(t, "unstest2", "2400000-2465535")
	dir := filepath.Join(u.Home, "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chown(dir, int(u.UID), int(u.GID))
	got := asUser(t, u, filepath.Join(binDir, "lxc-usernsexec"), "-s", "--", "sh", "-c",
		"mount -t tmpfs uns-tmpfs "+dir+" && grep -c uns-tmpfs /proc/self/mountinfo")
	if got.code != 0 || strings.TrimSpace(got.stdout) != "1" {
		t.Fatalf("mount inside: %v", got)
	}
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mi), "uns-tmpfs") {
		t.Errorf("the tmpfs mounted inside is visible on the host")
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
