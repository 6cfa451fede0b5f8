package integration

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/testuser"
)

// Where systemd is PID 1 a user's cgroup is delegated on the cgroup2
// hierarchy only: user@UID.service with Delegate=yes, the directory and
// its cgroup.procs, cgroup.subtree_control and cgroup.threads chowned to
// the user, the user's processes moved in by systemd, the delegated
// controllers enabled in the ancestors. This VM has no systemd, so root
// does the same by hand, on the host's layout as it is (hybrid here: the
// v1 hierarchies stay root's) and in a mount namespace where only cgroup2
// is mounted on /sys/fs/cgroup (a pure cgroup2 host, as golxc sees it).

// cgroup2Mount is the host's cgroup2 mount point ("" when none).
func cgroup2Mount() string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if ok && strings.HasPrefix(post, "cgroup2 ") {
			if fs := strings.Fields(pre); len(fs) > 4 {
				return fs[4]
			}
		}
	}
	return ""
}

// pureCgroup2NS makes a mount namespace, kept by a bind mount on a file,
// in which /sys/fs/cgroup holds the cgroup2 hierarchy alone.
func pureCgroup2NS(t *testing.T) string {
	t.Helper()
	ns := filepath.Join(t.TempDir(), "mntns")
	if err := os.WriteFile(ns, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `for m in /sys/fs/cgroup/*; do mountpoint -q "$m" && umount "$m"; done
mountpoint -q /sys/fs/cgroup && umount /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup`
	out, err := exec.Command("unshare", "--mount="+ns, "--propagation", "private", "sh", "-ec", script).CombinedOutput()
	t.Cleanup(func() { syscall.Unmount(ns, syscall.MNT_DETACH) })
	if err != nil {
		t.Fatalf("make a pure cgroup2 mount namespace: %v: %s", err, out)
	}
	return ns
}

// systemdDelegation is what systemd does for user@UID.service on the
// cgroup2 hierarchy mounted at mnt: the cgroup, owned by the user, with
// ctrls enabled down to it. It returns the cgroup's path in the
// hierarchy; at cleanup whatever runs in it is killed and it goes.
func systemdDelegation(t *testing.T, mnt string, u testuser.User, ctrls []string) string {
	t.Helper()
	rel := fmt.Sprintf("/golxc-unpriv.slice/user-%d.slice/user@%d.service", u.UID, u.UID)
	dir := filepath.Join(mnt, rel)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	top := filepath.Join(mnt, "golxc-unpriv.slice")
	var enabledAtRoot []string
	t.Cleanup(func() {
		os.WriteFile(filepath.Join(dir, "cgroup.kill"), []byte("1"), 0)
		for i := 0; i < 50; i++ {
			if b, _ := os.ReadFile(filepath.Join(dir, "cgroup.events")); strings.Contains(string(b), "populated 0") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		// A killed process leaves its cgroup a moment after
		// "populated 0": retry until the slice is gone, then take back
		// what was enabled at the root.
		for i := 0; i < 50; i++ {
			if rmCgroupTree(top); !isDir(top) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		for _, c := range enabledAtRoot {
			if err := os.WriteFile(filepath.Join(mnt, "cgroup.subtree_control"), []byte("-"+c), 0); err != nil {
				t.Errorf("disable %s at the cgroup2 root again: %v", c, err)
			}
		}
	})
	for _, c := range ctrls {
		root, _ := os.ReadFile(filepath.Join(mnt, "cgroup.subtree_control"))
		if !strings.Contains(" "+strings.TrimSpace(string(root))+" ", " "+c+" ") {
			enabledAtRoot = append(enabledAtRoot, c)
		}
		for d := mnt; d != dir; {
			if err := os.WriteFile(filepath.Join(d, "cgroup.subtree_control"), []byte("+"+c), 0); err != nil {
				t.Fatalf("enable %s in %s: %v", c, d, err)
			}
			next, _ := filepath.Rel(d, dir)
			d = filepath.Join(d, strings.Split(next, "/")[0])
		}
	}
	for _, p := range []string{dir, dir + "/cgroup.procs", dir + "/cgroup.subtree_control", dir + "/cgroup.threads"} {
		if err := os.Chown(p, int(u.UID), int(u.GID)); err != nil {
			t.Fatal(err)
		}
	}
	return rel
}

// sdTool runs one of our tools as u from the delegated cgroup rel of the
// cgroup2 hierarchy mounted at mnt in mount namespace ns ("" is the
// host's), or from its leaf init once golxc moved the user's processes
// there: root moves the shell in, as systemd does, then drops to the
// user. Monitors hibernate after 300ms idle.
func sdTool(t *testing.T, u testuser.User, ns, mnt, rel, tool string, args ...string) result {
	t.Helper()
	script := fmt.Sprintf(`d=%s%s
[ -d "$d/init" ] && d=$d/init
echo $$ > "$d/cgroup.procs" || exit 97
exec setpriv --reuid=%d --regid=%d --clear-groups env -i HOME=%s USER=%s PATH=/usr/bin:/bin GOLXC_HIBERNATE_IDLE=300ms "$@"`,
		mnt, rel, u.UID, u.GID, u.Home, u.Name)
	argv := append([]string{"sh", "-c", script, "sh", filepath.Join(binDir, tool)}, args...)
	if ns != "" {
		argv = append([]string{"nsenter", "--mount=" + ns}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = u.Home
	return runCmd(t, cmd)
}

// A user whose only delegated cgroup is systemd's on cgroup2 creates,
// starts (the container is placed under the delegated cgroup with its
// limits: cgroup.max.descendants everywhere, hugetlb where the
// delegation enables it), keeps it running across monitor hibernation,
// freezes (cgroup2's freezer), attaches, stops and destroys it. On pure
// cgroup2 the user's processes leave the delegated cgroup for its leaf
// init, so that it can hand controllers down.
func TestUnprivSystemdDelegation(t *testing.T) {
	needUnpriv(t)
	hostMnt := cgroup2Mount()
	if hostMnt == "" {
		t.Skip("no cgroup2 hierarchy mounted")
	}
	for _, tool := range []string{"nsenter", "unshare", "setpriv", "mountpoint"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s missing", tool)
		}
	}
	rootCtrls, _ := os.ReadFile(filepath.Join(hostMnt, "cgroup.controllers"))
	_, hugeErr := os.Stat("/sys/kernel/mm/hugepages/hugepages-2048kB")
	hugetlb := strings.Contains(" "+strings.TrimSpace(string(rootCtrls))+" ", " hugetlb ") && hugeErr == nil
	for _, c := range []struct {
		name string
		pure bool
	}{{"host-layout", false}, {"pure-cgroup2", true}} {
		t.Run(c.name, func(t *testing.T) {
			u := newUnprivUser(t, "unpriv-t6", "3400000", "lxc.net.0.type = empty\nlxc.idmap = u 0 3400000 65536\nlxc.idmap = g 0 3400000 65536\n")
			ns, mnt := "", hostMnt
			var ctrls []string
			if c.pure {
				ns, mnt = pureCgroup2NS(t), "/sys/fs/cgroup"
				if hugetlb {
					ctrls = []string{"hugetlb"}
				}
			}
			rel := systemdDelegation(t, hostMnt, u, ctrls)
			deleg := filepath.Join(hostMnt, rel)
			name := "unpriv-sd"
			tool := func(tl string, args ...string) result { return sdTool(t, u, ns, mnt, rel, tl, args...) }
			t.Cleanup(func() { tool("lxc-stop", "-n", name, "-k") })

			expectOK(t, "lxc-create", tool("lxc-create", "-t", "busybox", "-n", name))
			conf := filepath.Join(u.Home, ".local/share/lxc", name, "config")
			limits := "lxc.cgroup2.cgroup.max.descendants = 3\n"
			if len(ctrls) > 0 {
				limits += "lxc.cgroup2.hugetlb.2MB.max = 4194304\n"
			}
			f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(limits)
			f.Close()
			logf := filepath.Join(u.Home, name+".log")
			expectOK(t, "lxc-start", tool("lxc-start", "-n", name, "-d", "-l", "DEBUG", "-o", logf))

			payload := filepath.Join(deleg, "lxc.payload."+name)
			pid := strings.TrimSpace(expectOK(t, "lxc-info -p", tool("lxc-info", "-n", name, "-p", "-H")).stdout)
			cg, _ := os.ReadFile("/proc/" + pid + "/cgroup")
			if !regexp.MustCompile(`(?m)^0::` + regexp.QuoteMeta(rel+"/lxc.payload."+name) + `$`).Match(cg) {
				t.Errorf("init %s is not in %s:\n%s", pid, payload, cg)
			}
			if b, err := os.ReadFile(filepath.Join(payload, "cgroup.max.descendants")); err != nil || strings.TrimSpace(string(b)) != "3" {
				t.Errorf("cgroup.max.descendants = %q (%v), want 3", b, err)
			}
			var made []string
			for i := 1; i <= 4; i++ {
				d := filepath.Join(payload, fmt.Sprintf("hunp-d%d", i))
				if err := os.Mkdir(d, 0o755); err != nil {
					if i != 4 || !strings.Contains(err.Error(), "resource temporarily unavailable") {
						t.Errorf("mkdir %s: %v", d, err)
					}
					continue
				}
				made = append(made, d)
			}
			if len(made) != 3 {
				t.Errorf("made %d sub-cgroups under lxc.cgroup2.cgroup.max.descendants = 3", len(made))
			}
			for _, d := range made {
				syscall.Rmdir(d)
			}
			if len(ctrls) > 0 {
				expect(t, tool("lxc-cgroup", "-n", name, "hugetlb.2MB.max"), 0, "4194304\n\n", "")
				if b, _ := os.ReadFile(filepath.Join(deleg, "cgroup.procs")); strings.TrimSpace(string(b)) != "" {
					t.Errorf("the delegated cgroup still holds processes %q", b)
				}
				if _, err := os.Stat(filepath.Join(deleg, "init")); err != nil {
					t.Errorf("the user's processes did not go into the leaf init: %v", err)
				}
			}
			// The monitor hibernates when idle and must come back with
			// the container's cgroups (only the delegated ones).
			hibernated := false
			for i := 0; i < 100 && !hibernated; i++ {
				b, _ := os.ReadFile(logf)
				hibernated = strings.Contains(string(b), "Hibernating the monitor")
				time.Sleep(100 * time.Millisecond)
			}
			if !hibernated {
				t.Errorf("the monitor did not hibernate within 10s (GOLXC_HIBERNATE_IDLE=300ms)")
			}
			expectOK(t, "lxc-freeze", tool("lxc-freeze", "-n", name))
			expect(t, tool("lxc-info", "-n", name, "-s"), 0, "State:          FROZEN\n", "")
			if b, _ := os.ReadFile(filepath.Join(payload, "cgroup.freeze")); strings.TrimSpace(string(b)) != "1" {
				t.Errorf("cgroup.freeze = %q while frozen", b)
			}
			expectOK(t, "lxc-unfreeze", tool("lxc-unfreeze", "-n", name))
			expect(t, tool("lxc-info", "-n", name, "-s"), 0, "State:          RUNNING\n", "")
			expect(t, tool("lxc-attach", "-n", name, "--", "id", "-u"), 0, "0\n", "")
			if b, _ := os.ReadFile(logf); strings.Contains(string(b), "Cannot resume") {
				t.Errorf("the monitor failed to resume:\n%s", grepLines(string(b), "ERROR"))
			}

			expectOK(t, "lxc-stop", tool("lxc-stop", "-n", name))
			if _, err := os.Stat(payload); !os.IsNotExist(err) {
				t.Errorf("lxc-stop left %s (%v)", payload, err)
			}
			expectOK(t, "lxc-destroy", tool("lxc-destroy", "-n", name))
			// A second start runs from the leaf init: the container still
			// goes next to the first, under the delegated cgroup.
			if len(ctrls) > 0 {
				expectOK(t, "lxc-create again", tool("lxc-create", "-t", "busybox", "-n", name))
				expectOK(t, "lxc-start again", tool("lxc-start", "-n", name, "-d"))
				if _, err := os.Stat(payload); err != nil {
					t.Errorf("the second start is not under the delegated cgroup: %v", err)
				}
				expectOK(t, "lxc-stop", tool("lxc-stop", "-n", name, "-k"))
				expectOK(t, "lxc-destroy", tool("lxc-destroy", "-n", name))
			}
		})
	}
}

// grepLines keeps the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
