package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/golxc/golxc/internal/testuser"
)

// A plain user's lxc-sandbox: a user namespace whose root is the user
// and ids 1-65535 its subordinate range, the root built inside the
// container's mount namespace. Test users are made and removed here.

// userSandboxCmd is lxc-sandbox ARGS as u, from u's home, in the
// delegated cgroups (none: the user's shell is where the test runs).
func userSandboxCmd(u testuser.User, cgroups []string, args ...string) *exec.Cmd {
	script := `for d in $GOLXC_TEST_CGROUPS; do echo $$ > "$d/tasks" || exit 97; done; exec "$@"`
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, "sh", filepath.Join(binDir, "lxc-sandbox")}, args...)...)
	cmd.Dir = u.Home
	cmd.Env = []string{"HOME=" + u.Home, "USER=" + u.Name, "LOGNAME=" + u.Name,
		"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "GOLXC_TEST_CGROUPS=" + strings.Join(cgroups, " ")}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: u.UID, Gid: u.GID, Groups: []uint32{}}}
	return cmd
}

// userSandboxLeftovers lists what a user's sandbox must not leave: its
// runtime directories, lock files, cgroups, processes of the user.
func userSandboxLeftovers(u testuser.User) []string {
	var out []string
	top := filepath.Join(u.Home, ".cache/lxc/run/golxc-sandbox")
	ents, _ := os.ReadDir(top)
	for _, e := range ents {
		out = append(out, "runtime dir: "+filepath.Join(top, e.Name()))
	}
	locks, _ := os.ReadDir(filepath.Join(u.Home, ".cache/lxc/run/lxc/lock", top))
	for _, e := range locks {
		out = append(out, "lock: "+e.Name())
	}
	for _, d := range cgroupDirs("sandbox") {
		out = append(out, "cgroup: "+d)
	}
	if b, err := exec.Command("pgrep", "-u", strconv.Itoa(int(u.UID)), "-a").Output(); err == nil && len(b) > 0 {
		out = append(out, "processes: "+string(b))
	}
	return out
}

func assertUserSandboxClean(t *testing.T, u testuser.User) {
	t.Helper()
	var left []string
	for i := 0; i < 200; i++ {
		if left = userSandboxLeftovers(u); len(left) == 0 {
			return
		}
		syscall.Nanosleep(&syscall.Timespec{Nsec: 50e6}, nil)
	}
	t.Fatalf("the user's sandbox left behind:\n%s", strings.Join(left, "\n"))
}

// TestSandboxUser: the stories as a plain user. Inside, root is
// the user (uid_map), the seed's defaults hold (hostname, caps, lo only,
// no block device), writes vanish, the status passes through; a file
// root makes in a --rw DIR belongs to the user on the host and is found
// again; a --layer directory shows; kill -9 leaves nothing.
func TestSandboxUser(t *testing.T) {
	needUnpriv(t)
	u := newUnprivUser(t, "hsbx-sbu1", "3500000", "")
	cg := delegateCgroups(t, u)

	script := `id -u; tr -s ' ' < /proc/self/uid_map
echo changed > /etc/golxc-sandbox-user && cat /etc/golxc-sandbox-user
hostname
grep CapBnd /proc/self/status
tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '
mknod /dev/sandblk b 7 0 2>/dev/null && echo blk-made || echo blk-refused
pwd
exit 7`
	r := runCmd(t, userSandboxCmd(u, cg, "--", "/bin/sh", "-c", script))
	want := fmt.Sprintf("0\n 0 %d 1\n 1 3500000 65535\nchanged\nsandbox\n", u.UID)
	if r.code != 7 || !strings.HasPrefix(r.stdout, want) {
		t.Fatalf("want status 7 and output starting %q: %s", want, r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	capBnd, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(lines[5], "CapBnd:")), 16, 64)
	if err != nil {
		t.Fatalf("CapBnd line %q", lines[5])
	}
	for _, bit := range []uint{16, 25, 34} { // sys_module, sys_time, syslog
		if capBnd&(1<<bit) != 0 {
			t.Errorf("CapBnd %x keeps capability %d", capBnd, bit)
		}
	}
	if got := strings.Join(lines[6:], ","); got != "lo,blk-refused,"+u.Home {
		t.Errorf("interfaces / block device / cwd: %q", got)
	}
	if _, err := os.Stat("/etc/golxc-sandbox-user"); err == nil {
		os.Remove("/etc/golxc-sandbox-user")
		t.Error("the write reached the host")
	}
	assertUserSandboxClean(t, u)

	// A top-level directory with a mount below it is empty inside (the
	// user namespace cannot overlay it): from there the command starts
	// in / rather than failing on a missing directory.
	varDir := sandboxTemp(t)
	os.Chmod(varDir, 0o755)
	os.Mkdir(filepath.Join(varDir, "m"), 0o755)
	if err := syscall.Mount("tmpfs", filepath.Join(varDir, "m"), "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Unmount(filepath.Join(varDir, "m"), syscall.MNT_DETACH) })
	cmd := userSandboxCmd(u, cg, "--", "pwd")
	cmd.Dir = varDir
	expect(t, runCmd(t, cmd), 0, "/\n", "")
	syscall.Unmount(filepath.Join(varDir, "m"), syscall.MNT_DETACH)

	// --rw: root's file inside is the user's on the host, and kept.
	rw := filepath.Join(u.Home, "rw")
	layer := filepath.Join(u.Home, "layer")
	os.MkdirAll(filepath.Join(layer, "etc"), 0o755)
	os.WriteFile(filepath.Join(layer, "etc", "golxc-layer"), []byte("from the layer\n"), 0o644)
	exec.Command("chown", "-R", u.Name+":", layer).Run()
	r = runCmd(t, userSandboxCmd(u, cg, "--rw", rw, "--layer", layer, "--", "/bin/sh", "-c",
		"cat /etc/golxc-layer; echo kept > /etc/golxc-kept"))
	expect(t, r, 0, "from the layer\n", "")
	st, err := os.Stat(filepath.Join(rw, "upper", "etc", "golxc-kept"))
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Sys().(*syscall.Stat_t); s.Uid != u.UID || s.Gid != u.GID {
		t.Errorf("--rw file owned by %d:%d, want the user's %d:%d", s.Uid, s.Gid, u.UID, u.GID)
	}
	expect(t, runCmd(t, userSandboxCmd(u, cg, "--rw", rw, "--", "cat", "/etc/golxc-kept")), 0, "kept\n", "")
	assertUserSandboxClean(t, u)

	// A named sandbox left running, in the user's lxcpath (made on
	// demand), entered with lxc-attach and gone after lxc-stop.
	expect(t, runCmd(t, userSandboxCmd(u, cg, "-n", "hsbx-keep", "--keep")), 0, "", "")
	expect(t, userTool(t, u, cg, "lxc-attach", "-n", "hsbx-keep", "--", "hostname"), 0, "hsbx-keep\n", "")
	expect(t, userTool(t, u, cg, "lxc-stop", "-n", "hsbx-keep", "-k"), 0, "", "")
	assertUserSandboxClean(t, u)
	eventually(t, "the named sandbox's directory to go", func() bool {
		_, err := os.Stat(filepath.Join(u.Home, ".local/share/lxc/hsbx-keep"))
		return os.IsNotExist(err)
	})

	// kill -9 of lxc-sandbox: the mounts were in the container's mount
	// namespace; the guard removes cgroups and directories.
	cmd = userSandboxCmd(u, cg, "--", "/bin/sh", "-c", "while :; do sleep 1; done")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the sandbox to run", func() bool { return len(cgroupDirs("sandbox")) > 0 })
	eventually(t, "its payload", func() bool {
		b, _ := exec.Command("pgrep", "-u", strconv.Itoa(int(u.UID)), "-x", "sleep").Output()
		return len(b) > 0
	})
	if len(userSandboxLeftovers(u)) == 0 {
		t.Fatal("a running sandbox shows nothing to leave behind: the check cannot fail")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	assertUserSandboxClean(t, u)
}

// TestSandboxUserRefusals: what a user lacks or cannot have is one line
// naming what to do, and nothing is made.
func TestSandboxUserRefusals(t *testing.T) {
	needUnpriv(t)
	bare := newUnprivUser(t, "hsbx-sbu2", "", "")
	r := runCmd(t, userSandboxCmd(bare, nil, "--", "true"))
	if r.code != 1 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "usermod --add-subuids") {
		t.Errorf("without subordinate ids: %s", r)
	}
	u := newUnprivUser(t, "hsbx-sbu3", "3600000", "")
	r = runCmd(t, userSandboxCmd(u, nil, "--", "true"))
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "no cgroup is delegated") {
		t.Errorf("without a delegated cgroup: %s", r)
	}
	r = runCmd(t, userSandboxCmd(u, nil, "--idmap", "--", "true"))
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "drop --idmap") {
		t.Errorf("--idmap: %s", r)
	}
	assertUserSandboxClean(t, bare)
	assertUserSandboxClean(t, u)
}
