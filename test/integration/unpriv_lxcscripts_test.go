package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sudoShim is sudo (not installed here) as LXC's test scripts call it,
// keeping PATH (a real sudo -i resets it, and LXC's tools would answer
// instead of golxc's): "sudo -i -u USER CMD..." runs CMD in a login-like
// environment in USER's home (lxc-test-unpriv, lxc-test-usernic), "sudo
// -Hu USER [VAR=VAL...] CMD..." with USER's HOME in the caller's
// environment (lxc-test-usernsexec).
const sudoShim = `#!/bin/sh
case "$1" in
-i) [ "$2" = "-u" ] || exec "$@"; u=$3; shift 3; login=1 ;;
-Hu) u=$2; shift 2; login= ;;
*) exec "$@" ;;
esac
home=$(getent passwd "$u" | cut -d: -f6)
if [ -n "$login" ]; then
	cd "$home" || exit 1
	exec setpriv --reuid="$u" --regid="$u" --init-groups env -i HOME="$home" USER="$u" LOGNAME="$u" PATH="$PATH" SHELL=/bin/sh sh -c "$*"
fi
exec setpriv --reuid="$u" --regid="$u" --init-groups env HOME="$home" USER="$u" LOGNAME="$u" PATH="$PATH" "$@"
`

// shimDir makes a directory for the front of a script's PATH with
// sudoShim as sudo and links to golxc named tools. It lives under
// binDir (0755): the test user must reach the shim and the links in it
// (t.TempDir's parent is 0700, and the user's commands would silently
// run the golxc installed in /usr/local/bin instead).
func shimDir(t *testing.T, tools ...string) string {
	t.Helper()
	shim, err := os.MkdirTemp(binDir, "shim-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(shim) })
	os.Chmod(shim, 0o755)
	if err := os.WriteFile(filepath.Join(shim, "sudo"), []byte(sudoShim), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools {
		if err := os.Symlink(filepath.Join(binDir, "golxc"), filepath.Join(shim, tool)); err != nil {
			t.Fatal(err)
		}
	}
	return shim
}

// Differential: LXC's own unprivileged-container scripts pass with
// golxc's tools first on PATH (lxc-test-unpriv: a user creates, starts
// twice, inspects, attaches to and stops a busybox container, then a
// snapshot clone made by LXC's lxc-copy; lxc-test-usernic: LXC's
// lxc-user-nic quotas against a user's golxc container, and refusal for a
// root-owned one). They make and remove their own users (lxcunpriv,
// usernic-user) and bridges; the cgroups lxc-test-unpriv leaves
// (/sys/fs/cgroup/*/lxctest) and /etc/lxc/lxc-usernet are put back here.
func TestUnprivLXCScripts(t *testing.T) {
	needUnpriv(t)
	for _, tool := range []string{"setpriv", "deluser", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s missing", tool)
		}
	}
	if _, err := os.Stat("/sys/class/net/lxcbr0"); err != nil {
		t.Skip("lxcbr0 is down (golxc net start brings it up)")
	}
	// As make install does: links only for the tools golxc implements,
	// so the others (lxc-copy) stay LXC's.
	shim := shimDir(t, strings.Fields(mustRun(t, "golxc", "--list-implemented").stdout)...)
	for _, script := range []string{"lxc-test-unpriv", "lxc-test-usernic"} {
		t.Run(script, func(t *testing.T) {
			path := "/usr/bin/" + script
			if _, err := os.Stat(path); err != nil {
				t.Skipf("%s missing (Debian's lxc-tests package)", path)
			}
			if m, _ := filepath.Glob("/sys/fs/cgroup/*/lxctest"); len(m) > 0 {
				t.Skipf("%v exist already: another run of LXC's scripts owns them", m)
			}
			if script == "lxc-test-usernic" {
				if _, err := exec.LookPath("brctl"); err != nil {
					t.Skip("brctl missing (bridge-utils)")
				}
			}
			old, err := os.ReadFile(usernetFile)
			existed := err == nil
			t.Cleanup(func() {
				if existed {
					os.WriteFile(usernetFile, old, 0o644)
				} else {
					os.Remove(usernetFile)
				}
				m, _ := filepath.Glob("/sys/fs/cgroup/*/lxctest")
				for _, d := range m {
					rmCgroupTree(d)
				}
			})
			cmd := exec.Command("bash", path)
			cmd.Dir = "/"
			cmd.Env = append(os.Environ(), "PATH="+shim+":"+os.Getenv("PATH"))
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "PASS") {
				var errs []string // the failing steps, then the end of the trace
				for _, l := range strings.Split(string(out), "\n") {
					if strings.Contains(l, " ERROR ") || strings.HasPrefix(l, "lxc-") && !strings.Contains(l, " TRACE ") && !strings.Contains(l, " DEBUG ") && !strings.Contains(l, " INFO ") {
						errs = append(errs, l)
					}
				}
				if len(out) > 4000 {
					out = out[len(out)-4000:]
				}
				t.Errorf("%s with golxc first on PATH: %v\n%s\n...%s", script, err, strings.Join(errs, "\n"), out)
			}
		})
	}
}

// Differential: LXC's lxc-test-usernsexec (maps, owners of files made
// inside, mismatched maps refused) passes with golxc's lxc-usernsexec.
// The script makes its user test-userns and leaves it: removed here.
func TestUsernsexecLXCScript(t *testing.T) {
	needUnpriv(t)
	const script = "/usr/bin/lxc-test-usernsexec"
	if _, err := os.Stat(script); err != nil {
		t.Skipf("%s missing (Debian's lxc-tests package)", script)
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv missing")
	}
	if exec.Command("id", "test-userns").Run() == nil {
		t.Skip("user test-userns exists already: another run of the script owns it")
	}
	t.Cleanup(func() {
		exec.Command("userdel", "-r", "test-userns").Run()
		for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
			exec.Command("sed", "-i", "/^test-userns:/d", f).Run()
		}
	})
	shim := shimDir(t, "lxc-usernsexec")
	cmd := exec.Command("bash", script)
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "PATH="+shim+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "mismatch: PASS") || strings.Contains(string(out), "FAIL") {
		t.Fatalf("%s with golxc's lxc-usernsexec: %v\n%s", script, err, out)
	}
}
