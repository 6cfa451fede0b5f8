package integration

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/testuser"
)

// Unprivileged containers of a plain user (seeds 001 and 003): root's
// one-time setup (subordinate ids, an /etc/lxc/lxc-usernet line, a
// delegated cgroup as LXC's lxc-test-unpriv makes one on a host without
// systemd), then everything else as the user.

const usernetFile = "/etc/lxc/lxc-usernet"

// needUnpriv skips unless the machine can run a user's container.
func needUnpriv(t *testing.T) {
	t.Helper()
	needRoot(t)
	for _, tool := range []string{"newuidmap", "newgidmap"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s missing (Debian's uidmap package)", tool)
		}
	}
}

// addUsernet appends line to /etc/lxc/lxc-usernet; the file is put back
// as it was (or removed) at cleanup.
func addUsernet(t *testing.T, line string) {
	t.Helper()
	old, err := os.ReadFile(usernetFile)
	existed := err == nil
	t.Cleanup(func() {
		if existed {
			os.WriteFile(usernetFile, old, 0o644)
		} else {
			os.Remove(usernetFile)
		}
	})
	os.MkdirAll(filepath.Dir(usernetFile), 0o755)
	data := string(old)
	if data != "" && !strings.HasSuffix(data, "\n") {
		data += "\n"
	}
	if err := os.WriteFile(usernetFile, []byte(data+line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// delegateCgroups does what lxc-test-unpriv does on a cgroup v1 host
// without systemd: a cgroup per v1 hierarchy, owned by the user. The
// directories (and whatever golxc left in them) go at cleanup.
func delegateCgroups(t *testing.T, u testuser.User) []string {
	t.Helper()
	mounts, _ := filepath.Glob("/sys/fs/cgroup/*")
	var dirs []string
	for _, m := range mounts {
		if filepath.Base(m) == "unified" {
			continue
		}
		if st, err := os.Lstat(m); err != nil || !st.IsDir() {
			continue // cpu -> cpu,cpuacct links
		}
		if _, err := os.Stat(filepath.Join(m, "tasks")); err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(m, "cpuset.cpus")); err == nil {
			os.WriteFile(filepath.Join(m, "cgroup.clone_children"), []byte("1"), 0)
		}
		d := filepath.Join(m, "golxc-"+u.Name)
		if err := os.Mkdir(d, 0o755); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
		t.Cleanup(func() { rmCgroupTree(d) })
		if out, err := exec.Command("chown", "-R", u.Name+":", d).CombinedOutput(); err != nil {
			t.Fatalf("chown %s: %v %s", d, err, out)
		}
		dirs = append(dirs, d)
	}
	if len(dirs) == 0 {
		t.Skip("no cgroup v1 hierarchy to delegate")
	}
	return dirs
}

// rmCgroupTree removes a cgroup and its children, deepest first.
func rmCgroupTree(d string) {
	ents, _ := os.ReadDir(d)
	for _, e := range ents {
		if e.IsDir() {
			rmCgroupTree(filepath.Join(d, e.Name()))
		}
	}
	syscall.Rmdir(d)
}

// userTool runs one of our tools as u from u's home, after moving itself
// into the delegated cgroups (a user may move its own processes into
// cgroups it owns), with the environment of a login shell.
func userTool(t *testing.T, u testuser.User, cgroups []string, tool string, args ...string) result {
	t.Helper()
	script := `for d in $GOLXC_TEST_CGROUPS; do echo $$ > "$d/tasks" || exit 97; done; exec "$@"`
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, "sh", filepath.Join(binDir, tool)}, args...)...)
	cmd.Dir = u.Home
	cmd.Env = []string{"HOME=" + u.Home, "USER=" + u.Name, "LOGNAME=" + u.Name,
		"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "GOLXC_TEST_CGROUPS=" + strings.Join(cgroups, " "),
		// Monitors that may hibernate do so between two commands.
		"GOLXC_HIBERNATE_IDLE=300ms"}
	cmd.SysProcAttr = u.Cred()
	return runCmd(t, cmd)
}

// newUnprivUser makes a test user with one subordinate range starting at
// base (65536 ids) and a default.conf; its home is traversable (the
// seeds' chmod +x), as the mapped root must reach its container.
func newUnprivUser(t *testing.T, name, base, defaultConf string, extraRanges ...string) testuser.User {
	t.Helper()
	var ranges []string
	if base != "" {
		var b int
		fmt.Sscan(base, &b)
		ranges = append(ranges, fmt.Sprintf("%d-%d", b, b+65535))
	}
	u := testuser.Create(t, name, append(ranges, extraRanges...)...)
	os.Chmod(u.Home, 0o711)
	cfg := filepath.Join(u.Home, ".config", "lxc")
	os.MkdirAll(cfg, 0o755)
	if err := os.WriteFile(filepath.Join(cfg, "default.conf"), []byte(defaultConf), 0o644); err != nil {
		t.Fatal(err)
	}
	exec.Command("chown", "-R", u.Name+":", filepath.Join(u.Home, ".config")).Run()
	// Whatever a failed run left running goes before the user does
	// (testuser removes the user at cleanup, registered earlier).
	t.Cleanup(func() { exec.Command("pkill", "-KILL", "-u", u.Name).Run() })
	return u
}

func expectOK(t *testing.T, what string, r result) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s:\n%v", what, r)
	}
	return r
}

// hostNicsOf lists what the user still holds on the host: its lines in
// LXC's nics database and host veths named after its uid.
func hostNicsOf(u testuser.User) []string {
	var out []string
	if data, err := os.ReadFile("/run/lxc/nics"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, u.Name+" ") {
				out = append(out, "nics: "+l)
			}
		}
	}
	links, _ := exec.Command("ip", "-o", "link").Output()
	prefix := fmt.Sprintf("veth%d_", u.UID)
	for _, l := range strings.Split(string(links), "\n") {
		if strings.Contains(l, prefix) {
			out = append(out, "link: "+l)
		}
	}
	return out
}

// The seeds' flow as a plain user, with default.conf in LXC 5's spelling
// and in LXC 1.x's (lxc.network.*, lxc.id_map, an xx hwaddr): create
// busybox (rootfs owned by the mapped root), start, lxc-ls --fancy with an
// IPv4 on lxcbr0, info, attach, console, freeze/unfreeze, cgroup, stop (the veth and
// its nics record are gone), destroy; and the user cannot touch another
// user's container.
func TestUnprivUserFlow(t *testing.T) {
	needUnpriv(t)
	if _, err := os.Stat("/sys/class/net/lxcbr0"); err != nil {
		t.Skip("lxcbr0 is down (golxc net start brings it up)")
	}
	for _, c := range []struct{ name, conf string }{
		{"lxc5", "lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\nlxc.net.0.flags = up\nlxc.idmap = u 0 2500000 65536\nlxc.idmap = g 0 2500000 65536\n"},
		{"lxc1", "lxc.network.type = veth\nlxc.network.link = lxcbr0\nlxc.network.flags = up\nlxc.network.hwaddr = 00:16:3e:xx:xx:xx\nlxc.id_map = u 0 2500000 65536\nlxc.id_map = g 0 2500000 65536\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := newUnprivUser(t, "unpriv-t1", "2500000", c.conf)
			addUsernet(t, u.Name+" veth lxcbr0 10")
			cg := delegateCgroups(t, u)
			name := "unpriv-" + c.name
			lp := filepath.Join(u.Home, ".local/share/lxc")
			t.Cleanup(func() { userTool(t, u, cg, "lxc-stop", "-n", name, "-k") })

			expectOK(t, "lxc-create", userTool(t, u, cg, "lxc-create", "-t", "busybox", "-n", name))
			dir := filepath.Join(lp, name)
			// Without XDG_RUNTIME_DIR, LXC's runtime directory for a user
			// is ~/.cache/lxc/run: the container's lock is there.
			if _, err := os.Stat(filepath.Join(u.Home, ".cache/lxc/run/lxc/lock", lp, "."+name)); err != nil {
				t.Errorf("lock file not under ~/.cache/lxc/run: %v", err)
			}
			for f, want := range map[string]uint32{".": 2500000, "config": u.UID, "rootfs": 2500000, "rootfs/bin": 2500000} {
				st, err := os.Lstat(filepath.Join(dir, f))
				if err != nil || st.Sys().(*syscall.Stat_t).Uid != want {
					t.Errorf("%s/%s: want owner %d (%v)", dir, f, want, err)
				}
			}
			if c.name == "lxc1" {
				conf, _ := os.ReadFile(filepath.Join(dir, "config"))
				if !regexp.MustCompile(`(?m)^lxc\.net\.0\.hwaddr = 00:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$`).Match(conf) ||
					!strings.Contains(string(conf), "lxc.idmap = u 0 2500000 65536") {
					t.Errorf("config is not in LXC 5's spelling:\n%s", conf)
				}
			}
			expectOK(t, "lxc-start", userTool(t, u, cg, "lxc-start", "-n", name, "-d"))
			var ls string
			ok := false
			for i := 0; i < 600 && !ok; i++ { // DHCP: up to a minute on a loaded machine
				ls = expectOK(t, "lxc-ls --fancy", userTool(t, u, cg, "lxc-ls", "--fancy")).stdout
				ok = regexp.MustCompile(`(?m)^` + name + ` +RUNNING +0 +- +10\.0\.3\.\d+ +- +true`).MatchString(ls)
				if !ok {
					time.Sleep(100 * time.Millisecond)
				}
			}
			if !ok {
				t.Fatalf("lxc-ls --fancy shows no IPv4 on lxcbr0:\n%s", ls)
			}
			info := expectOK(t, "lxc-info", userTool(t, u, cg, "lxc-info", "-n", name)).stdout
			for _, re := range []string{`(?m)^State: +RUNNING$`, `(?m)^IP: +10\.0\.3\.\d+$`, `(?m)^CPU use: +\d+\.\d+ seconds$`, `(?m)^Link: +veth\d+_\w{4}$`,
				`(?m)^Memory use: +\d`, `(?m)^ TX bytes: +\d`, `(?m)^ RX bytes: +\d`, `(?m)^ Total bytes: +\d`} {
				if !regexp.MustCompile(re).MatchString(info) {
					t.Errorf("lxc-info lacks %s:\n%s", re, info)
				}
			}
			if len(hostNicsOf(u)) != 2 {
				t.Errorf("want the veth and its nics record while running, got %q", hostNicsOf(u))
			}
			expect(t, userTool(t, u, cg, "lxc-attach", "-n", name, "--", "id", "-u"), 0, "0\n", "")
			con := startPTYPath(t, "", "/usr/bin/setpriv", "--reuid", fmt.Sprint(u.UID), "--regid", fmt.Sprint(u.GID), "--clear-groups",
				"env", "-i", "HOME="+u.Home, "PATH=/usr/bin:/bin", filepath.Join(binDir, "lxc-console"), "-n", name, "-t", "1")
			con.waitFor("Connected to tty 1")
			con.waitForPoking(name+" login:", "\r")
			con.write("\x01q")
			if code := con.wait(); code != 0 {
				t.Errorf("lxc-console: exit %d: %q", code, con.output())
			}
			expectOK(t, "lxc-freeze", userTool(t, u, cg, "lxc-freeze", "-n", name))
			expect(t, userTool(t, u, cg, "lxc-info", "-n", name, "-s"), 0, "State:          FROZEN\n", "")
			expectOK(t, "lxc-unfreeze", userTool(t, u, cg, "lxc-unfreeze", "-n", name))
			expect(t, userTool(t, u, cg, "lxc-info", "-n", name, "-s"), 0, "State:          RUNNING\n", "")
			if r := userTool(t, u, cg, "lxc-cgroup", "-n", name, "pids.current"); r.code != 0 || !regexp.MustCompile(`^\d+\n+$`).MatchString(r.stdout) {
				t.Errorf("lxc-cgroup pids.current:\n%v", r)
			}
			// As LXC's chown_cgroup: the container's root manages its own
			// cgroup subtree (a sub-cgroup it leaves goes with the container).
			// It keeps CAP_SYS_ADMIN in its cgroup namespace, so, as with
			// LXC, lxc.mount.auto's cgroup:mixed leaves the mounting to it,
			// as systemd does.
			expectOK(t, "mount its cgroup and make a sub-cgroup inside", userTool(t, u, cg, "lxc-attach", "-n", name, "--", "sh", "-c",
				"mount -t tmpfs cgroup /sys/fs/cgroup && mkdir /sys/fs/cgroup/pids && mount -t cgroup -o pids cgroup /sys/fs/cgroup/pids && mkdir /sys/fs/cgroup/pids/inner"))

			// Another user can neither stop nor attach to it.
			other := testuser.Create(t, "unpriv-t2")
			os.Chmod(u.Home, 0o755) // it may read the config: still not its container
			for _, args := range [][]string{{"lxc-stop", "-P", lp, "-n", name, "-k"}, {"lxc-attach", "-P", lp, "-n", name, "--", "true"}, {"lxc-freeze", "-P", lp, "-n", name},
				{"lxc-cgroup", "-P", lp, "-n", name, "pids.max", "1"}} {
				if r := userTool(t, other, nil, args[0], args[1:]...); r.code == 0 {
					t.Errorf("another user ran %v on the container:\n%v", args, r)
				}
			}
			os.Chmod(u.Home, 0o711)
			expect(t, userTool(t, u, cg, "lxc-info", "-n", name, "-s"), 0, "State:          RUNNING\n", "")
			if r := userTool(t, u, cg, "lxc-cgroup", "-n", name, "pids.max"); r.stdout == "1\n\n" {
				t.Errorf("another user set the container's pids.max to 1")
			}

			expectOK(t, "lxc-stop", userTool(t, u, cg, "lxc-stop", "-n", name))
			if left := hostNicsOf(u); len(left) > 0 {
				t.Errorf("lxc-stop left %q", left)
			}
			expectOK(t, "lxc-destroy", userTool(t, u, cg, "lxc-destroy", "-n", name))
			if _, err := os.Lstat(dir); !os.IsNotExist(err) {
				t.Errorf("lxc-destroy left %s (%v)", dir, err)
			}
			for _, d := range cg {
				if ents, _ := filepath.Glob(filepath.Join(d, "lxc.payload.*")); len(ents) > 0 {
					t.Errorf("cgroups left: %v", ents)
				}
			}
		})
	}
}

// Seed 003's GUI container map: container uid/gid 1000 is host 1000
// (passed through), the rest is shifted. A file made inside as uid 1000
// belongs to host uid 1000, one made by root inside to the range's base.
// The seed's optional bind mounts are in the config (absent devices are
// skipped). The container's root stays unprivileged on the host: it
// cannot write a bind-mounted host directory owned by host root, mknod a
// block device or load a module; and the user cannot stop or attach to
// root's container.
func TestUnprivGUIIdmap(t *testing.T) {
	needUnpriv(t)
	conf := "lxc.net.0.type = empty\n" +
		"lxc.idmap = u 0 2700000 1000\nlxc.idmap = g 0 2700000 1000\n" +
		"lxc.idmap = u 1000 1000 1\nlxc.idmap = g 1000 1000 1\n" +
		"lxc.idmap = u 1001 2701001 64535\nlxc.idmap = g 1001 2701001 64535\n"
	// Host id 1000 is delegated to the test user, as it is its own in the seed.
	u := newUnprivUser(t, "unpriv-t3", "2700000", conf, "1000-1000")
	cg := delegateCgroups(t, u)
	name := "unpriv-gui"
	t.Cleanup(func() { userTool(t, u, cg, "lxc-stop", "-n", name, "-k") })
	expectOK(t, "lxc-create", userTool(t, u, cg, "lxc-create", "-t", "busybox", "-n", name))
	dir := filepath.Join(u.Home, ".local/share/lxc", name)
	f, err := os.OpenFile(filepath.Join(dir, "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The seed's pre-start hook runs on the host as the user; a limit
	// applies in the delegated cgroup.
	hook := filepath.Join(dir, "setup-pulse.sh")
	os.WriteFile(hook, []byte("#!/bin/sh\nid -u > \"$HOME/pre-start-ran\"\n"), 0o755)
	os.Chown(hook, int(u.UID), int(u.GID))
	fmt.Fprintf(f, "lxc.hook.pre-start = %s\nlxc.cgroup.pids.max = 77\n", hook)
	hostDir, err := os.MkdirTemp("", "unpriv-host-") // root's, 0755: reachable, not writable by others
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(hostDir) })
	os.Chmod(hostDir, 0o755)
	fmt.Fprintf(f, "lxc.mount.entry = %s mnt none bind,create=dir 0 0\n", hostDir)
	fmt.Fprint(f, "lxc.mount.entry = /dev/dri dev/dri none bind,optional,create=dir\n"+
		"lxc.mount.entry = /dev/snd dev/snd none bind,optional,create=dir\n"+
		"lxc.mount.entry = /tmp/.X11-unix tmp/.X11-unix none bind,optional,create=dir\n"+
		"lxc.mount.entry = /dev/video0 dev/video0 none bind,optional,create=file\n"+
		// A device that is there, as the seed's /dev/video0 on a desktop.
		"lxc.mount.entry = /dev/zero dev/video-test none bind,optional,create=file\n")
	f.Close()
	expectOK(t, "lxc-start", userTool(t, u, cg, "lxc-start", "-n", name, "-d"))
	if b, err := os.ReadFile(filepath.Join(u.Home, "pre-start-ran")); err != nil || strings.TrimSpace(string(b)) != fmt.Sprint(u.UID) {
		t.Errorf("pre-start hook: %q %v, want it run as uid %d", b, err, u.UID)
	}
	expect(t, userTool(t, u, cg, "lxc-cgroup", "-n", name, "pids.max"), 0, "77\n\n", "")
	expectOK(t, "the present optional device is bound", userTool(t, u, cg, "lxc-attach", "-n", name, "--", "sh", "-c", "test -c /dev/video-test && head -c 4 /dev/video-test | od -An -tx1"))
	expectOK(t, "touch as root", userTool(t, u, cg, "lxc-attach", "-n", name, "--", "touch", "/tmp/by-root"))
	expectOK(t, "touch as 1000", userTool(t, u, cg, "lxc-attach", "-n", name, "-u", "1000", "-g", "1000", "--", "touch", "/tmp/by-1000"))
	for f, want := range map[string]uint32{"by-root": 2700000, "by-1000": 1000} {
		st, err := os.Lstat(filepath.Join(dir, "rootfs/tmp", f))
		if err != nil {
			t.Fatal(err)
		}
		if s := st.Sys().(*syscall.Stat_t); s.Uid != want || s.Gid != want {
			t.Errorf("%s is %d:%d on the host, want %d:%d", f, s.Uid, s.Gid, want, want)
		}
	}
	// Root on the host gets ENOEXEC for a file that is no module, the
	// container's root EPERM; a kernel without module support answers
	// ENOSYS to both, leaving nothing to refuse.
	modules := true
	if bb, err := os.Open("/bin/busybox"); err == nil {
		if err := unix.FinitModule(int(bb.Fd()), "", 0); errors.Is(err, unix.ENOSYS) {
			modules = false
			t.Logf("insmod check skipped: the kernel has no module support (finit_module: %v)", err)
		}
		bb.Close()
	}
	for _, c := range []struct{ cmd, want string }{
		{"touch /mnt/by-container-root", "Permission denied"},
		{"mknod /tmp/sda b 8 0", "Operation not permitted"},
		{"insmod /bin/busybox", "not permitted"}, // root would get "invalid module format"
	} {
		if !modules && strings.HasPrefix(c.cmd, "insmod") {
			continue
		}
		r := userTool(t, u, cg, "lxc-attach", "-n", name, "--", "sh", "-c", c.cmd)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("the container's root ran %q:\n%v", c.cmd, r)
		}
	}
	if ents, _ := os.ReadDir(hostDir); len(ents) > 0 {
		t.Errorf("the container's root wrote into a host root directory: %v", ents)
	}

	lp := lxcpath(t)
	os.Chmod(lp, 0o755)
	busybox(t, lp, "unpriv-rootc")
	startRunning(t, lp, "unpriv-rootc")
	defer killStop(t, lp, "unpriv-rootc")
	for _, args := range [][]string{{"lxc-stop", "-P", lp, "-n", "unpriv-rootc", "-k"}, {"lxc-attach", "-P", lp, "-n", "unpriv-rootc", "--", "true"}, {"lxc-freeze", "-P", lp, "-n", "unpriv-rootc"}} {
		if r := userTool(t, u, cg, args[0], args[1:]...); r.code == 0 {
			t.Errorf("the user ran %v on root's container:\n%v", args, r)
		}
	}
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "unpriv-rootc", "-s"), 0, "State:          RUNNING\n", "")

	// Beyond its user namespace, the container's root has no
	// CAP_SYS_MODULE (16) even there: dropped by lxc.cap.drop.
	st := expectOK(t, "CapBnd", userTool(t, u, cg, "lxc-attach", "-n", name, "--", "grep", "CapBnd", "/proc/self/status")).stdout
	var bnd uint64
	if _, err := fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(st, "CapBnd:")), "%x", &bnd); err != nil || bnd&(1<<16) != 0 {
		t.Errorf("the container's root keeps CAP_SYS_MODULE in its bounding set: %q (%v)", st, err)
	}

	expectOK(t, "lxc-stop", userTool(t, u, cg, "lxc-stop", "-n", name))
	// A network type only root may give: one line naming the key and
	// what to do, and nothing left behind.
	cfgText, _ := os.ReadFile(filepath.Join(dir, "config"))
	os.WriteFile(filepath.Join(dir, "config"), []byte(strings.Replace(string(cfgText), "lxc.net.0.type = empty\n", "lxc.net.0.type = macvlan\nlxc.net.0.link = lo\n", 1)), 0o644)
	r := userTool(t, u, cg, "lxc-start", "-n", name, "-d")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "lxc.net.0.type = macvlan: not for a user's container") || !strings.Contains(r.stderr, "/etc/lxc/lxc-usernet") {
		t.Errorf("a user's macvlan:\n%v", r)
	}
	expect(t, userTool(t, u, cg, "lxc-info", "-n", name, "-s"), 0, "State:          STOPPED\n", "")
	for _, d := range cg {
		if ents, _ := filepath.Glob(filepath.Join(d, "lxc.payload.*")); len(ents) > 0 {
			t.Errorf("the refused start left cgroups %v", ents)
		}
	}
	expectOK(t, "lxc-destroy", userTool(t, u, cg, "lxc-destroy", "-n", name))
}

// A user without subordinate ids gets one line naming the range and the
// usermod that grants it, and lxc-create leaves nothing; a user with ids
// but no delegated cgroup gets one line naming the cgroup to delegate and
// how, and lxc-start leaves nothing (no cgroup, veth, nics record).
func TestUnprivUserMissingSetup(t *testing.T) {
	needUnpriv(t)
	conf := "lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\nlxc.net.0.flags = up\nlxc.idmap = u 0 2800000 65536\nlxc.idmap = g 0 2800000 65536\n"
	bare := newUnprivUser(t, "unpriv-t4", "", conf)
	r := userTool(t, bare, nil, "lxc-create", "-t", "busybox", "-n", "unpriv-x")
	want := "lxc-create: unpriv-x: lxc.idmap = u 0 2800000 65536: host uids 2800000-2865535 are not delegated to unpriv-t4 in /etc/subuid: as root run: usermod --add-subuids 2800000-2865535 --add-subgids 2800000-2865535 unpriv-t4\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("create without subordinate ids:\n%v\nwant stderr %q", r, want)
	}
	if _, err := os.Lstat(filepath.Join(bare.Home, ".local/share/lxc/unpriv-x")); !os.IsNotExist(err) {
		t.Errorf("the failed create left its directory (%v)", err)
	}

	u := newUnprivUser(t, "unpriv-t5", "2800000", conf)
	addUsernet(t, u.Name+" veth lxcbr0 10")
	// A template that fails in the user namespace: its error, one line,
	// and the half-made container (owned by the mapped root) is gone.
	r = userTool(t, u, nil, "lxc-create", "-t", "busybox", "-n", "unpriv-z", "--", "--busybox-path", "/nonexistent/busybox")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "/nonexistent/busybox") {
		t.Errorf("failing template as a user:\n%v", r)
	}
	if _, err := os.Lstat(filepath.Join(u.Home, ".local/share/lxc/unpriv-z")); !os.IsNotExist(err) {
		t.Errorf("the failed create left its directory (%v)", err)
	}
	expectOK(t, "lxc-create", userTool(t, u, nil, "lxc-create", "-t", "busybox", "-n", "unpriv-y"))
	r = userTool(t, u, nil, "lxc-start", "-n", "unpriv-y", "-d")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 ||
		!strings.Contains(r.stderr, "cgroups: no cgroup is delegated to unpriv-t5") || !strings.Contains(r.stderr, "chown -R unpriv-t5:") {
		t.Errorf("start without a delegated cgroup:\n%v", r)
	}
	if left := hostNicsOf(u); len(left) > 0 {
		t.Errorf("the failed start left %q", left)
	}
	expect(t, userTool(t, u, nil, "lxc-info", "-n", "unpriv-y", "-s"), 0, "State:          STOPPED\n", "")
	expectOK(t, "lxc-destroy", userTool(t, u, nil, "lxc-destroy", "-n", "unpriv-y"))
}
