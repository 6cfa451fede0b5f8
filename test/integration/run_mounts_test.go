package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// inside runs a shell script in the container with lxc-execute and
// returns its stdout; the script must succeed.
func inside(t *testing.T, lp, name, script string) string {
	t.Helper()
	r := run(t, nil, "lxc-execute", "-P", lp, "-n", name, "--", "/bin/sh", "-c", script)
	if r.code != 0 {
		t.Fatalf("lxc-execute %s: %s", script, r)
	}
	return r.stdout
}

// TestMountEntries: bind, ro bind, tmpfs, optional missing sources,
// create=dir/file, seed 003's GUI entries, lxc.mount.fstab.
func TestMountEntries(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "mnt1"
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "hello"), []byte("hi\n"), 0o644)
	x11 := filepath.Join(src, "x11")
	os.Mkdir(x11, 0o755)
	os.WriteFile(filepath.Join(x11, "X0"), nil, 0o644)
	fstab := filepath.Join(src, "fstab")
	os.WriteFile(fstab, []byte("# comment\n"+src+" mnt/fstab none bind,create=dir 0 0\n"), 0o644)
	busybox(t, lp, name,
		"lxc.mount.entry = "+src+" mnt/rw none bind,create=dir 0 0",
		"lxc.mount.entry = "+src+" mnt/ro none ro,bind,create=dir 0 0",
		"lxc.mount.entry = tmpfs mnt/tmp tmpfs size=1m,mode=0700,create=dir 0 0",
		"lxc.mount.entry = /no/such/source mnt/missing none bind,optional,create=dir 0 0",
		"lxc.mount.entry = "+filepath.Join(src, "hello")+" mnt/file.txt none bind,create=file 0 0",
		// seed 003, verbatim (sources that do not exist here are not
		// mounted, but their create=dir/file targets are made, as LXC does) ...
		"lxc.mount.entry = /dev/dri dev/dri none bind,optional,create=dir",
		"lxc.mount.entry = /dev/snd dev/snd none bind,optional,create=dir",
		"lxc.mount.entry = /tmp/.X11-unix tmp/.X11-unix none bind,optional,create=dir",
		"lxc.mount.entry = /dev/video0 dev/video0 none bind,optional,create=file",
		// ... and the same forms with sources that exist.
		"lxc.mount.entry = "+x11+" tmp/x11 none bind,optional,create=dir",
		"lxc.mount.entry = /dev/null dev/video9 none bind,optional,create=file",
		"lxc.mount.fstab = "+fstab,
	)
	out := inside(t, lp, name, `
cat /mnt/rw/hello
echo new > /mnt/rw/written && echo rw-ok
touch /mnt/ro/x 2>/dev/null || echo ro-refused
cat /mnt/ro/hello
grep ' /mnt/tmp ' /proc/mounts | cut -d' ' -f3
stat -c %a /mnt/tmp
test -d /mnt/missing && echo missing-dir-made
cat /mnt/file.txt
test -d /dev/snd && echo snd-dir-made
test -f /dev/video0 && echo video0-file-made
ls /tmp/x11
test -c /dev/video9 && echo video9-char
cat /mnt/fstab/hello`)
	want := "hi\nrw-ok\nro-refused\nhi\ntmpfs\n700\n"
	if !strings.HasPrefix(out, want) {
		t.Fatalf("inside:\n%s\nwant prefix:\n%s", out, want)
	}
	// LXC 5.0.2 creates the create=dir/file target of an optional entry
	// before it finds the source missing (checked with /usr/bin/lxc-start).
	if rest := strings.TrimPrefix(out, want); rest != "missing-dir-made\nhi\nsnd-dir-made\nvideo0-file-made\nX0\nvideo9-char\nhi\n" {
		t.Errorf("inside:\n%s", out)
	}
	if b, _ := os.ReadFile(filepath.Join(src, "written")); string(b) != "new\n" {
		t.Errorf("write through the rw bind did not reach the host: %q", b)
	}
	assertClean(t, lp, name)
}

// TestMountAuto: the busybox template's proc:mixed sys:ro cgroup:mixed.
func TestMountAuto(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "auto1"
	busybox(t, lp, name)
	out := inside(t, lp, name, `
echo x > /proc/sys/kernel/hostname 2>/dev/null || echo proc-sys-ro
test -r /proc/1/status && echo proc-ok
touch /sys/kernel/x 2>/dev/null || echo sys-ro
grep ' /sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1`)
	// The container keeps CAP_SYS_ADMIN and has a cgroup namespace: its
	// init mounts its cgroups itself, so lxc.mount.auto's cgroup:mixed
	// mounts nothing (LXC 5.0.2 does the same).
	expectLines(t, out, "proc-sys-ro", "proc-ok", "sys-ro", "ro")
	assertClean(t, lp, name)
}

// TestMountAutoCgroup: lxc.mount.auto's cgroup mounts as LXC 5.0.2 makes
// them: none for a container that keeps CAP_SYS_ADMIN in a cgroup
// namespace unless :force, the cgroup filesystems otherwise, showing the
// container's own cgroup as their root; through lxc-execute's Go stage
// and lxc-start's exec plan alike.
func TestMountAutoCgroup(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	script := `test -d /sys/fs/cgroup/memory && echo memory-mounted
test -f /sys/fs/cgroup/memory/memory.limit_in_bytes && echo own-root
if grep -q ' /sys/fs/cgroup tmpfs ' /proc/mounts; then touch /sys/fs/cgroup/x 2>/dev/null || echo tmpfs-ro; fi
true`
	for _, c := range []struct {
		name  string
		extra []string
		want  []string
	}{
		{"cgkeep", nil, nil},
		{"cgforce", []string{"lxc.mount.auto = cgroup:mixed:force"}, []string{"memory-mounted", "own-root", "tmpfs-ro"}},
		{"cgdrop", []string{"lxc.cap.drop = sys_admin"}, []string{"memory-mounted", "own-root", "tmpfs-ro"}},
	} {
		busybox(t, lp, c.name, c.extra...)
		if _, err := os.Stat("/sys/fs/cgroup/memory"); err != nil {
			c.want = nil // no v1 memory hierarchy on this host
		}
		got := inside(t, lp, c.name, script)
		if want := strings.Join(c.want, "\n"); strings.TrimSpace(got) != want {
			t.Errorf("%s: got %q, want %q", c.name, got, want)
		}
		// lxc-start: the container's init runs the exec plan.
		appendConfig(t, filepath.Join(lp, c.name, "config"), "lxc.init.cmd = /bin/sleep 1000")
	}
	for _, name := range []string{"cgkeep", "cgdrop"} {
		startRunning(t, lp, name)
		pid := initPid(t, lp, name)
		_, err := os.Stat(fmt.Sprintf("/proc/%d/root/sys/fs/cgroup/memory", pid))
		if mounted := err == nil; mounted != (name == "cgdrop") {
			t.Errorf("%s started: /sys/fs/cgroup/memory present %v", name, mounted)
		}
		killStop(t, lp, name)
		assertClean(t, lp, name)
	}
}

// TestAutodevAndTerminals: lxc.autodev's nodes, lxc.tty.max ttys, a new
// devpts instance sized by lxc.pty.max + lxc.tty.max, /dev/console.
func TestAutodevAndTerminals(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "dev1"
	busybox(t, lp, name) // tty.max = 5, pty.max = 1, autodev = 1
	out := inside(t, lp, name, `
for n in null zero full random urandom tty; do test -c /dev/$n && echo $n; done
grep ' /dev ' /proc/mounts | cut -d' ' -f3
for n in 1 2 3 4 5 6; do test -c /dev/tty$n && echo tty$n; done
grep ' /dev/pts ' /proc/mounts | grep -o 'max=[0-9]*'
test -e /dev/ptmx && echo ptmx
test -L /dev/fd && echo fd-link
echo ttys=$container_ttys`)
	expectLines(t, out, "null", "zero", "full", "random", "urandom", "tty", "tmpfs",
		"tty1", "tty2", "tty3", "tty4", "tty5", "max=6", "ptmx", "fd-link", "ttys=tty1 tty2 tty3 tty4 tty5")
	assertClean(t, lp, name)
}

// TestRootfsOptionsReadOnly: lxc.rootfs.options = ro.
func TestRootfsOptionsReadOnly(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "rofs1"
	busybox(t, lp, name, "lxc.rootfs.options = ro")
	out := inside(t, lp, name, `touch /etc/x 2>/dev/null || echo rootfs-ro; grep ' / ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1`)
	expectLines(t, out, "rootfs-ro", "ro")
	if _, err := os.Stat(filepath.Join(lp, name, "rootfs", "etc", "x")); err == nil {
		t.Error("wrote into a read-only rootfs")
	}
	assertClean(t, lp, name)
}

func expectLines(t *testing.T, got string, want ...string) {
	t.Helper()
	if w := strings.Join(want, "\n") + "\n"; got != w {
		t.Fatalf("got:\n%s\nwant:\n%s", got, w)
	}
}
