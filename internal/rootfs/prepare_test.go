package rootfs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/config"
)

func TestPrepareBasicContainer(t *testing.T) {
	dir := buildRootfs(t)
	spec := baseSpec(dir)
	spec.UTSName = "ctest"
	hookLog := filepath.Join(t.TempDir(), "hooks")
	out := mustRun(t, scenario{
		Spec: spec, SetHostname: true, HookLog: hookLog,
		Cmd: sh(`cat /MARKER; echo ===; cat /proc/self/mountinfo; echo ===; ls -l /dev; echo ===;
			env; echo ===; hostname; mkdir /newdir && echo MKDIR-OK; readlink /proc/1/exe; echo $$`),
	})
	parts := strings.Split(out, "===\n")
	if len(parts) != 5 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	marker, mounts, dev, env, rest := parts[0], parts[1], parts[2], parts[3], parts[4]
	if marker != "inside-rootfs\n" {
		t.Errorf("/ is not the rootfs: /MARKER = %q", marker)
	}
	// The host's root must be gone: no mount outside what we set up.
	for _, mp := range []string{"/sys/fs/cgroup/memory", "/mnt/sandboxing/model_tools_env/v1/python"} {
		if l := mountLine(mounts, mp); l != "" {
			t.Errorf("host mount %s leaked into the container: %s", mp, l)
		}
	}
	if l := mountLine(mounts, "/dev"); !strings.Contains(l, " - tmpfs ") || !strings.Contains(l, "size=492k") {
		t.Errorf("/dev is not the autodev tmpfs (500000 bytes): %q", l)
	}
	for _, node := range []string{" null\n", " zero\n", " full\n", " random\n", " urandom\n", " tty\n", " pts\n"} {
		if !strings.Contains(dev, node) {
			t.Errorf("/dev lacks%q:\n%s", strings.TrimSpace(node), dev)
		}
	}
	for _, l := range []string{"fd -> /proc/self/fd", "stdin -> /proc/self/fd/0", "stdout -> /proc/self/fd/1", "stderr -> /proc/self/fd/2"} {
		if !strings.Contains(dev, l) {
			t.Errorf("/dev lacks symlink %q:\n%s", l, dev)
		}
	}
	if !strings.Contains(dev, "crw-rw-rw-") {
		t.Errorf("device nodes are not 0666:\n%s", dev)
	}
	pts := mountLine(mounts, "/dev/pts")
	if !strings.Contains(pts, " - devpts ") || !strings.Contains(pts, "ptmxmode=666") ||
		!strings.Contains(pts, "max=16") || !strings.Contains(pts, "gid=5") || !strings.Contains(pts, "mode=620") {
		t.Errorf("/dev/pts is not a new devpts instance with LXC's options: %q", pts)
	}
	hostPts := mountLine(hostMounts(t), "/dev/pts")
	if dev := strings.Fields(pts); len(dev) > 2 && strings.Contains(hostPts, " "+dev[2]+" ") {
		t.Errorf("/dev/pts is the host's instance (device %s): host %q", dev[2], hostPts)
	}
	if l := mountLine(mounts, "/dev/ptmx"); !strings.Contains(l, " - devpts ") {
		t.Errorf("/dev/ptmx is not bound from the new devpts: %q", l)
	}
	for _, e := range []string{"FOO=bar", "container=lxc", "PATH=/bin"} {
		if !strings.Contains(env, e+"\n") {
			t.Errorf("environment lacks %s:\n%s", e, env)
		}
	}
	lines := strings.Split(strings.TrimSpace(rest), "\n")
	if len(lines) < 4 || lines[0] != "ctest" || lines[1] != "MKDIR-OK" || lines[3] != "1" {
		t.Errorf("want hostname ctest, mkdir ok, pid 1; got:\n%s", rest)
	}
	hooks, err := os.ReadFile(hookLog)
	if err != nil || string(hooks) != "pre-mount\nmount\nautodev\n" {
		t.Errorf("hooks ran as %q (%v), want pre-mount, mount, autodev", hooks, err)
	}
}

func TestReadOnlyRootfs(t *testing.T) {
	dir := buildRootfs(t)
	spec := baseSpec(dir)
	spec.Rootfs = specFrom(t, "lxc.rootfs.path = "+dir+"\nlxc.rootfs.options = ro").Rootfs
	out := mustRun(t, scenario{Spec: spec, Cmd: sh(`mkdir /x 2>/dev/null && echo MKDIR-OK || echo MKDIR-FAILED; touch /tmp/y 2>/dev/null || echo TOUCH-FAILED`)})
	if out != "MKDIR-FAILED\nTOUCH-FAILED\n" {
		t.Errorf("ro rootfs still writable: %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("mkdir reached the rootfs directory")
	}
}

func TestProcMixedAndSysMixed(t *testing.T) {
	dir := buildRootfs(t)
	out := mustRun(t, scenario{Spec: baseSpec(dir), Cmd: sh(`
		echo h > /proc/sys/kernel/hostname 2>/dev/null && echo KERNEL-RW || echo KERNEL-RO
		echo 1 > /proc/sys/net/ipv4/ip_forward && echo NET-RW || echo NET-RO
		touch /sys/x 2>/dev/null && echo SYS-RW || echo SYS-RO
		echo ===; cat /proc/self/mountinfo`)})
	verdicts, mounts, _ := strings.Cut(out, "===\n")
	if verdicts != "KERNEL-RO\nNET-RW\nSYS-RO\n" {
		t.Errorf("proc:mixed/sys:mixed: got %q, want /proc/sys read-only but net writable, /sys read-only", verdicts)
	}
	_, err := os.Stat("/proc/sysrq-trigger") // absent on kernels without MAGIC_SYSRQ
	if l := mountLine(mounts, "/proc/sysrq-trigger"); err == nil && !strings.Contains(l, " ro,") {
		t.Errorf("/proc/sysrq-trigger not bound read-only: %q", l)
	}
	if l := mountLine(mounts, "/sys/devices/virtual/net"); !strings.Contains(l, " rw,") || !strings.Contains(l, " - sysfs ") {
		t.Errorf("/sys/devices/virtual/net not writable sysfs: %q", l)
	}
	if l := mountLine(mounts, "/proc/sys"); !strings.Contains(l, " ro,") {
		t.Errorf("/proc/sys not read-only: %q", l)
	}
}

func TestProcRWSysRO(t *testing.T) {
	dir := buildRootfs(t)
	spec := baseSpec(dir)
	spec.MountAuto = configMountAuto("rw", "ro")
	out := mustRun(t, scenario{Spec: spec, Cmd: sh(`
		echo changed > /proc/sys/kernel/hostname && hostname
		touch /sys/x 2>/dev/null && echo SYS-RW || echo SYS-RO
		grep -c ' /sys ' /proc/self/mountinfo`)})
	if out != "changed\nSYS-RO\n1\n" {
		t.Errorf("proc:rw sys:ro: got %q", out)
	}
}

func TestCgroupAutomount(t *testing.T) {
	dir := buildRootfs(t)
	spec := baseSpec(dir)
	spec.MountAuto.Cgroup = config.CgroupMount{Mode: "mixed"}
	out := mustRun(t, scenario{Spec: spec, Cmd: sh(`ls /sys/fs/cgroup; mkdir /sys/fs/cgroup/x 2>/dev/null || echo TMPFS-RO`)})
	if !strings.Contains(out, "memory\n") || !strings.Contains(out, "TMPFS-RO\n") {
		t.Errorf("cgroup:mixed: want hierarchies on a read-only tmpfs, got:\n%s", out)
	}
}

func TestConsoleAndTTYs(t *testing.T) {
	dir := buildRootfs(t)
	spec := baseSpec(dir)
	spec.TTYMax = 2
	console := openPty(t)
	// The console is the host's pty; the ttys come from the container's
	// own devpts, as LXC's: tty1 is pts/0 there, tty2 pts/1.
	out := mustRun(t, scenario{Spec: spec, ConsolePath: console,
		Cmd: sh(`stat -c '%n %t' /dev/console /dev/tty1 /dev/tty2; cat /proc/self/mountinfo`)})
	stats, mounts, _ := strings.Cut(out, "/dev/tty2 88\n")
	if stats != "/dev/console 88\n/dev/tty1 88\n" { // 0x88 = 136, the pts major
		t.Fatalf("console/ttys are not ptys: %q", out)
	}
	// mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT ...
	field := func(mp string, i int) string {
		if f := strings.Fields(mountLine(mounts, mp)); len(f) > i {
			return f[i]
		}
		return ""
	}
	pts := field("/dev/pts", 2)
	if pts == "" || field("/dev/console", 2) == pts {
		t.Errorf("the console should be the host's pty, not one of the container's devpts: %q", mounts)
	}
	if field("/dev/tty1", 2) != pts || !strings.HasPrefix(field("/dev/tty1", 3), "/0") ||
		field("/dev/tty2", 2) != pts || !strings.HasPrefix(field("/dev/tty2", 3), "/1") {
		t.Errorf("ttys not allocated on the container's devpts (tty1 = pts/0, tty2 = pts/1): %q", mounts)
	}

	spec.TTYDir = "lxc"
	spec.TTYMax = 1
	out = mustRun(t, scenario{Spec: spec, ConsolePath: console,
		Cmd: sh(`stat -c '%n %t' /dev/console /dev/lxc/console /dev/lxc/tty1; readlink /dev/tty1`)})
	if out != "/dev/console 88\n/dev/lxc/console 88\n/dev/lxc/tty1 88\nlxc/tty1\n" {
		t.Errorf("lxc.tty.dir layout wrong: %q", out)
	}
}

func TestHostRootAsRootfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	spec := baseSpec("/")
	spec.Autodev = false
	spec.PTYMax = 0
	out := mustRun(t, scenario{Spec: spec, Cmd: []string{"/usr/bin/busybox", "sh", "-c", "test -x /usr/bin/busybox && echo HOST-ROOT"}})
	if out != "HOST-ROOT\n" {
		t.Errorf("lxc.rootfs.path = / did not show the host root: %q", out)
	}
}

func TestAutodevInUserNamespace(t *testing.T) {
	dir := buildRootfs(t)
	out := mustRun(t, scenario{Spec: baseSpec(dir), UserNS: true, Cmd: sh(`
		echo x > /dev/null && cat /dev/null && echo NULL-OK
		stat -c '%n %t,%T' /dev/null /dev/zero /dev/tty
		echo ===; cat /proc/self/mountinfo`)})
	verdicts, mounts, _ := strings.Cut(out, "===\n")
	if verdicts != "NULL-OK\n/dev/null 1,3\n/dev/zero 1,5\n/dev/tty 5,0\n" {
		t.Errorf("device nodes in a user namespace: %q", verdicts)
	}
	if l := mountLine(mounts, "/dev/null"); l == "" {
		t.Error("/dev/null is not a bind mount of the host node although mknod is not permitted")
	}
}

// An lxc.rootfs.options value LXC takes when loading but golxc cannot
// apply fails the start when the rootfs is mounted, in the config style.
func TestRootfsOptionsError(t *testing.T) {
	dir := buildRootfs(t)
	spec := baseSpec(dir)
	spec.Rootfs = specFrom(t, "lxc.rootfs.path = "+dir+"\nlxc.rootfs.options = ro,idmap=container").Rootfs
	r := run(t, scenario{Spec: spec, Cmd: sh("echo SHOULD-NOT-RUN")})
	want := `PREPARE: lxc.rootfs.options: invalid value "ro,idmap=container": option "idmap=container": ` +
		"idmapped mounts are not supported; remove the idmap= option (golxc cannot idmap a mount yet)\n"
	if r.code != 3 || r.stderr != want {
		t.Errorf("exit %d, stderr %q\nwant exit 3 and %q", r.code, r.stderr, want)
	}
}
