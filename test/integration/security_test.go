package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/golxc/golxc/internal/seccomp"
)

// Regression tests for the attack classes of issue 6. Each one runs a
// control that shows the attack would succeed without the defence, or
// checks a fact that only holds with it.

var (
	secHelperOnce sync.Once
	secHelperPath string
	secHelperErr  error
)

// secHelper builds testdata/sechelper as a static binary (it runs in
// busybox rootfs without a libc) and returns its path.
func secHelper(t *testing.T) string {
	t.Helper()
	secHelperOnce.Do(func() {
		secHelperPath = filepath.Join(binDir, "sechelper")
		cmd := exec.Command("go", "build", "-o", secHelperPath, "./testdata/sechelper")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			secHelperErr = fmt.Errorf("building sechelper: %v\n%s", err, out)
		}
	})
	if secHelperErr != nil {
		t.Fatal(secHelperErr)
	}
	return secHelperPath
}

// secContainer creates a busybox container with the helper at /sechelper
// (mode, owner root) and returns the config path.
func secContainer(t *testing.T, lp, name string, mode os.FileMode, extra ...string) string {
	t.Helper()
	cfg := busybox(t, lp, name, extra...)
	b, err := os.ReadFile(secHelper(t))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(lp, name, "rootfs", "sechelper")
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dst, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dst, mode); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// execHelper runs /sechelper ARGS in the container with lxc-execute and
// extra -s settings; it fails the test unless the command exits 0.
func execHelper(t *testing.T, lp, name string, sets []string, args ...string) string {
	t.Helper()
	return execHelperEnv(t, nil, lp, name, sets, args...)
}

// execHelperEnv is execHelper with extra environment for lxc-execute.
func execHelperEnv(t *testing.T, env []string, lp, name string, sets []string, args ...string) string {
	t.Helper()
	a := []string{"-P", lp, "-n", name}
	for _, s := range sets {
		a = append(a, "-s", s)
	}
	a = append(append(a, "--", "/sechelper"), args...)
	r := run(t, env, "lxc-execute", a...)
	if r.code != 0 {
		t.Fatalf("lxc-execute %s: %s", strings.Join(a, " "), r)
	}
	return strings.TrimSpace(r.stdout)
}

func writeProfile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "profile.seccomp")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type sysCall struct {
	name string
	nr   string   // in the table the helper command uses
	args []string // chosen so that, unfiltered, the kernel does not answer EPERM
}

// The syscalls LXC's common.seccomp denies, with arguments that are
// harmless if the call went through (bad flags, bad fds, NULL buffers,
// a module that does not exist).
var deniedNative = []sysCall{
	{"kexec_load", "246", []string{"0", "0", "0", "0xffffffff"}},
	{"open_by_handle_at", "304", []string{"-1", "0", "0"}},
	{"init_module", "175", []string{"0", "0", "s:"}},
	{"finit_module", "313", []string{"-1", "s:", "0"}},
	{"delete_module", "176", []string{"s:golxc_no_such_module", "0"}},
}

var deniedI386 = []sysCall{
	{"kexec_load", "283", []string{"0", "0", "0", "0xffffffff"}},
	{"open_by_handle_at", "342", []string{"-1", "0", "0"}},
	{"init_module", "128", []string{"0", "0", "0"}},
	{"finit_module", "350", []string{"-1", "0", "0"}},
	{"delete_module", "129", []string{"0", "0"}},
}

var deniedX32 = []sysCall{
	{"kexec_load", "528", []string{"0", "0", "0", "0xffffffff"}},
	{"open_by_handle_at", "304", []string{"-1", "0", "0"}},
	{"init_module", "175", []string{"0", "0", "s:"}},
	{"finit_module", "313", []string{"-1", "s:", "0"}},
	{"delete_module", "176", []string{"s:golxc_no_such_module", "0"}},
}

// checkDenied runs each call without and with the profile: unfiltered the
// answer must not already be the profile's errno (else the test could not
// fail), filtered it must be.
func checkDenied(t *testing.T, lp, name, cmd, profile string, calls []sysCall, want int) {
	t.Helper()
	for _, c := range calls {
		args := append([]string{cmd, c.nr}, c.args...)
		control := execHelper(t, lp, name, nil, args...)
		if control == fmt.Sprintf("errno %d", want) {
			t.Errorf("%s %s unfiltered already gives %q: this host cannot tell the filter's answer apart", cmd, c.name, control)
		}
		got := execHelper(t, lp, name, []string{"lxc.seccomp.profile=" + profile}, args...)
		if got != fmt.Sprintf("errno %d", want) {
			t.Errorf("%s %s under the profile: %q, want errno %d (unfiltered: %q)", cmd, c.name, got, want, control)
		}
	}
}

// TestSeccompDefaultProfile: every syscall of LXC's common.seccomp fails
// with EPERM, natively and through the x32 table. Container root keeps
// every capability so the unfiltered calls get past their cap checks.
func TestSeccompDefaultProfile(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "secdef1"
	secContainer(t, lp, name, 0o755, "lxc.cap.drop =")
	profile := writeProfile(t, seccomp.DefaultProfile)
	checkDenied(t, lp, name, "sys", profile, deniedNative, 1)
	checkDenied(t, lp, name, "sysx32", profile, deniedX32, 1)
	// reject_force_umount: umount2("/", MNT_FORCE) is EACCES.
	got := execHelper(t, lp, name, []string{"lxc.seccomp.profile=" + profile}, "sys", "166", "s:/nonexistent", "1")
	if got != "errno 13" {
		t.Errorf("umount2(MNT_FORCE) under the profile: %q, want errno 13", got)
	}
	assertClean(t, lp, name)
}

// TestSeccompCompatTable: int 0x80 reaches the i386 table, which the
// filter covers too. Needs a kernel with IA32 emulation.
func TestSeccompCompatTable(t *testing.T) {
	needRoot(t)
	helper := secHelper(t)
	if out, err := exec.Command(helper, "sys32", "20").Output(); err != nil || strings.TrimSpace(string(out)) != "errno 0" {
		t.Skipf("int 0x80 does not work on this kernel (no IA32 emulation: %v %q); the i386 table cannot be reached, so it cannot be tested", err, out)
	}
	lp := lxcpath(t)
	name := "seccompat1"
	secContainer(t, lp, name, 0o755, "lxc.cap.drop =")
	checkDenied(t, lp, name, "sys32", writeProfile(t, seccomp.DefaultProfile), deniedI386, 1)
	assertClean(t, lp, name)
}

// TestSeccompCustomErrnoAndArgs: errno N and argument filters of a
// custom profile; an allowlist default applies to unlisted calls.
func TestSeccompCustomErrnoAndArgs(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "secerr1"
	secContainer(t, lp, name, 0o755)
	profile := writeProfile(t, "2\ndenylist\n[all]\ngetppid errno 77\npersonality errno 5 [0,0x1234,SCMP_CMP_EQ]\n")
	set := []string{"lxc.seccomp.profile=" + profile}
	for _, c := range []struct {
		args           []string
		control, under string
	}{
		{[]string{"sys", "110"}, "errno 0", "errno 77"},               // getppid
		{[]string{"sys", "135", "0x1234"}, "errno 0", "errno 5"},      // personality(0x1234)
		{[]string{"sys", "135", "0xffffffff"}, "errno 0", "errno 0"},  // personality query: no match
		{[]string{"sysx32", "110"}, "errno 38", "errno 77"},           // x32 getppid (x32 may be off: ENOSYS)
		{[]string{"sys", "135", "0x100001234"}, "errno 0", "errno 0"}, // 64-bit value differs in the high word
	} {
		if got := execHelper(t, lp, name, nil, c.args...); got != c.control && !(c.args[0] == "sysx32" && got == "errno 0") {
			t.Errorf("%v unfiltered: %q, want %q", c.args, got, c.control)
		}
		if got := execHelper(t, lp, name, set, c.args...); got != c.under {
			t.Errorf("%v under the profile: %q, want %q", c.args, got, c.under)
		}
	}
	assertClean(t, lp, name)
}

// TestSeccompKill: the kill action kills the caller with SIGSYS.
func TestSeccompKill(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "seckill1"
	busybox(t, lp, name)
	profile := writeProfile(t, "2\ndenylist\nsethostname kill\n")
	sh := func(sets string) string {
		return "'" + filepath.Join(binDir, "lxc-execute") + "' -P " + lp + " -n " + name + sets +
			` -- /bin/hostname other >/dev/null 2>&1; echo "status $?"`
	}
	expect(t, runPath(t, nil, "/bin/sh", "-c", sh("")), 0, "status 0\n", "")
	expect(t, runPath(t, nil, "/bin/sh", "-c", sh(" -s lxc.seccomp.profile="+profile)), 0,
		fmt.Sprintf("status %d\n", 128+int(syscall.SIGSYS)), "")
	assertClean(t, lp, name)
}

// TestSeccompBadProfiles: errors name the file and line and nothing runs.
func TestSeccompBadProfiles(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "secbad1"
	busybox(t, lp, name)
	for text, want := range map[string]string{
		"2\ndenylist\nsethostname frob\n":   ":3: sethostname: unrecognized action",
		"2\ndenylist\nsethostname notify\n": "notify action needs a seccomp notify proxy",
		"7\n":                               ":1: invalid version",
	} {
		p := writeProfile(t, text)
		r := run(t, nil, "lxc-execute", "-P", lp, "-n", name, "-s", "lxc.seccomp.profile="+p, "--", "/bin/true")
		if r.code == 0 || !strings.Contains(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("profile %q: %s\nwant one error line containing %q", text, r, want)
		}
	}
	assertClean(t, lp, name)
}

// TestNoNewPrivsBlocksSetuid: a setuid-root helper run as uid 1000 gets
// euid 0, unless lxc.no_new_privs = 1.
func TestNoNewPrivsBlocksSetuid(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "secnnp1"
	secContainer(t, lp, name, 0o4755|os.ModeSetuid, "lxc.init.uid = 1000", "lxc.init.gid = 1000")
	if got := execHelper(t, lp, name, nil, "euid"); got != "euid 0" {
		t.Fatalf("setuid helper without no_new_privs: %q, want euid 0 (else this test cannot fail)", got)
	}
	if got := execHelper(t, lp, name, []string{"lxc.no_new_privs=1"}, "euid"); got != "euid 1000" {
		t.Errorf("setuid helper with no_new_privs: %q, want euid 1000", got)
	}
	assertClean(t, lp, name)
}

// TestExecuteBoundingSet: the lxc-execute payload and every thread of its
// init have the configured bounding set (init is golxc itself there).
func TestExecuteBoundingSet(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "secbnd1"
	secContainer(t, lp, name, 0o755, "lxc.cap.drop = sys_module mac_admin mac_override sys_time sys_rawio net_raw")
	// What the host (this test) may pass on, minus the drops.
	want := capBits(t, procStatus(t, os.Getpid(), "CapBnd"))
	for _, c := range []uint{16, 33, 32, 25, 17, 13} {
		want &^= 1 << c
	}
	for _, pid := range []string{"self", "1"} {
		for tid, got := range taskCaps(t, lp, name, "CapBnd", pid) {
			if got != want {
				t.Errorf("%s task %s: CapBnd %x, want %x", pid, tid, got, want)
			}
		}
	}
	// init stays in golxc's setup process: none of its threads may hold
	// more than the container's capabilities in any set.
	for _, field := range []string{"CapPrm", "CapEff", "CapInh"} {
		for tid, got := range taskCaps(t, lp, name, field, "1") {
			if got&^want != 0 {
				t.Errorf("init task %s: %s %x holds more than %x", tid, field, got, want)
			}
		}
	}
	assertClean(t, lp, name)
}

// taskCaps runs lxc-execute with the helper printing capability set field
// of every task of pid ("self" or "1") inside; it returns tid -> mask.
func taskCaps(t *testing.T, lp, name, field, pid string) map[string]uint64 {
	t.Helper()
	caps := map[string]uint64{}
	for _, l := range strings.Split(execHelper(t, lp, name, nil, "status", field, pid), "\n") {
		tid, mask, _ := strings.Cut(l, " ")
		caps[tid] = capBits(t, mask)
	}
	return caps
}

// TestExecuteInitNoNewPrivs: with lxc.no_new_privs and no seccomp policy
// (nothing to copy the flag by TSYNC), every thread of lxc-execute's init
// has no_new_privs: the C init of the exec plan (one thread) and, on the
// Go stage's path, an init that stays in golxc's setup process (several).
func TestExecuteInitNoNewPrivs(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "secnnp2"
	secContainer(t, lp, name, 0o755, "lxc.no_new_privs = 1", "lxc.seccomp.profile =")
	for _, c := range []struct {
		env        []string
		minThreads int
	}{{nil, 1}, {[]string{"GOLXC_NO_INIT_PLAN=1"}, 2}} {
		out := execHelperEnv(t, c.env, lp, name, nil, "status", "NoNewPrivs", "1")
		lines := strings.Split(out, "\n")
		if len(lines) < c.minThreads {
			t.Fatalf("%v: expected at least %d thread(s) in init, got %q", c.env, c.minThreads, out)
		}
		for _, l := range lines {
			if tid, v, _ := strings.Cut(l, " "); v != "1" {
				t.Errorf("%v: init task %s: NoNewPrivs %q", c.env, tid, v)
			}
		}
	}
	assertClean(t, lp, name)
}

// TestExecuteInitReexec: when the container loses a capability golxc's
// setup uses (here sys_admin and mknod), init cannot stay in the setup
// process; golxc re-executes itself as init and every thread of it still
// has only the container's capabilities.
func TestExecuteInitReexec(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "secbnd2"
	secContainer(t, lp, name, 0o755, "lxc.cap.drop = sys_admin mknod")
	lost := uint64(1)<<21 | 1<<27
	for _, field := range []string{"CapBnd", "CapPrm", "CapEff"} {
		for tid, got := range taskCaps(t, lp, name, field, "1") {
			if got&lost != 0 {
				t.Errorf("init task %s: %s %x still has sys_admin or mknod", tid, field, got)
			}
		}
	}
	out := execHelper(t, lp, name, nil, "exe", "1")
	if exe, errno, _ := strings.Cut(out, "\n"); strings.Contains(exe, binDir) || errno == "open errno 0" {
		t.Errorf("/proc/1/exe of the re-executed init: %q, want a protected copy nobody can open for writing", out)
	}
	assertClean(t, lp, name)
}

// TestProcMixedWrites: with proc:mixed, container root cannot write
// /proc/sysrq-trigger or /proc/sys/kernel/core_pattern. The values
// written are harmless should the write go through (sysrq help, the
// host's own core_pattern).
func TestProcMixedWrites(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "secproc1"
	secContainer(t, lp, name, 0o755, "lxc.cap.drop =")
	core, err := os.ReadFile("/proc/sys/kernel/core_pattern")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range [][]string{{"/proc/sysrq-trigger", "h"}, {"/proc/sys/kernel/core_pattern", strings.TrimSpace(string(core))}} {
		if got := execHelper(t, lp, name, nil, append([]string{"write"}, w...)...); got == "errno 0" {
			t.Errorf("container root wrote %s under proc:mixed", w[0])
		}
		// Control: proc:rw lets the same write through, so the test can fail.
		if w[0] == "/proc/sysrq-trigger" {
			if got := execHelper(t, lp, name, []string{"lxc.mount.auto=proc:rw"}, append([]string{"write"}, w...)...); got != "errno 0" {
				t.Logf("control: writing %s under proc:rw: %q", w[0], got)
			}
		}
	}
	if after, _ := os.ReadFile("/proc/sys/kernel/core_pattern"); string(after) != string(core) {
		t.Errorf("host core_pattern changed: %q -> %q", core, after)
	}
	assertClean(t, lp, name)
}

// TestBlockDeviceDenied: with LXC's usual device rules mknod of a block
// device succeeds but opening it fails; without rules it opens (control).
func TestBlockDeviceDenied(t *testing.T) {
	needRoot(t)
	// loop0 (7:0): opening an unattached loop device read-only is harmless.
	maj, min := "7", "0"
	hostNode := filepath.Join(t.TempDir(), "blk")
	if out, _ := exec.Command(secHelper(t), "mknodopen", hostNode, maj, min).Output(); string(out) != "mknod errno 0\nopen errno 0\n" {
		t.Skipf("the host itself cannot open block device %s:%s (%q)", maj, min, out)
	}
	lp := lxcpath(t)
	name := "secdev1"
	cfg := secContainer(t, lp, name, 0o755, "lxc.cap.drop =")
	// Control: a configuration that allows every device lets it open.
	control := execHelper(t, lp, name, []string{"lxc.cgroup.devices.allow=a"}, "mknodopen", "/dev/golxc-blk", maj, min)
	if control != "mknod errno 0\nopen errno 0" {
		t.Fatalf("control with devices.allow = a: %q (the test needs mknod+open to work unrestricted)", control)
	}
	// golxc's default rules (LXC's common.conf ones on cgroup v1).
	if got := execHelper(t, lp, name, nil, "mknodopen", "/dev/golxc-blk", maj, min); got != "mknod errno 0\nopen errno 1" {
		t.Errorf("with the default device rules: %q, want mknod allowed and open EPERM", got)
	}
	appendConfig(t, cfg,
		"lxc.cgroup.devices.deny = a",
		"lxc.cgroup.devices.allow = c *:* m",
		"lxc.cgroup.devices.allow = b *:* m",
		"lxc.cgroup.devices.allow = c 1:3 rwm",
		"lxc.cgroup.devices.allow = c 1:5 rwm",
		"lxc.cgroup.devices.allow = c 1:7 rwm",
		"lxc.cgroup.devices.allow = c 1:8 rwm",
		"lxc.cgroup.devices.allow = c 1:9 rwm",
		"lxc.cgroup.devices.allow = c 5:0 rwm",
		"lxc.cgroup.devices.allow = c 5:1 rwm",
		"lxc.cgroup.devices.allow = c 5:2 rwm",
		"lxc.cgroup.devices.allow = c 136:* rwm")
	got := execHelper(t, lp, name, nil, "mknodopen", "/dev/golxc-blk", maj, min)
	if got != "mknod errno 0\nopen errno 1" {
		t.Errorf("with LXC's device rules: %q, want mknod allowed and open EPERM", got)
	}
	assertClean(t, lp, name)
}

// TestFakeProcRefused: a rootfs whose /proc is a symlink, or a /proc that
// is not procfs when golxc must write to it, is refused.
func TestFakeProcRefused(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "secfproc1"
	secContainer(t, lp, name, 0o755)
	// Control: the sysctl goes through with the real procfs.
	sysctl := "lxc.sysctl.net.ipv4.ip_forward=1"
	execHelper(t, lp, name, []string{sysctl}, "euid")
	// A tmpfs over /proc: golxc would write the sysctl into it.
	r := run(t, nil, "lxc-execute", "-P", lp, "-n", name, "-s", sysctl,
		"-s", "lxc.mount.entry=tmpfs proc tmpfs defaults 0 0", "--", "/sechelper", "euid")
	if r.code == 0 || !strings.Contains(r.stderr, "not procfs") {
		t.Errorf("tmpfs on /proc: %s\nwant a refusal naming procfs", r)
	}
	// /proc as a symlink to a host directory: mounting procfs must not
	// follow it out of the rootfs.
	host := t.TempDir()
	proc := filepath.Join(lp, name, "rootfs", "proc")
	if err := os.RemoveAll(proc); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(host, proc); err != nil {
		t.Fatal(err)
	}
	r = run(t, nil, "lxc-execute", "-P", lp, "-n", name, "--", "/sechelper", "euid")
	if r.code == 0 {
		t.Errorf("rootfs with /proc -> %s started: %s", host, r)
	}
	if mi, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(mi), " "+host+" ") {
		syscall.Unmount(host, syscall.MNT_DETACH)
		t.Errorf("procfs was mounted on the host directory %s", host)
	}
	assertClean(t, lp, name)
}

// TestNoFdLeaks: init of a started container and an lxc-execute payload
// hold only fds 0, 1 and 2.
func TestNoFdLeaks(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "secfd1"
	secContainer(t, lp, name, 0o755)
	// The payload is busybox sh (a Go payload would show its runtime's
	// own cgroup fds); "; true" keeps sh from exec'ing ls.
	r := run(t, nil, "lxc-execute", "-P", lp, "-n", name, "--", "/bin/sh", "-c", "ls /proc/$$/fd; true")
	if got := strings.Join(strings.Fields(r.stdout), " "); r.code != 0 || got != "0 1 2" {
		t.Errorf("lxc-execute payload fds: %q, want \"0 1 2\" (%s)", got, r)
	}
	// lxc-execute's init is golxc: besides 0-2 it may only hold what the
	// Go runtime itself opens (epoll and its wakeup fd, anon inodes).
	out := execHelper(t, lp, name, nil, "fdlinks", "1")
	for _, l := range strings.Split(out, "\n") {
		fd, target, _ := strings.Cut(l, " ")
		if n, _ := strconv.Atoi(fd); n > 2 && !strings.HasPrefix(target, "anon_inode:") {
			t.Errorf("lxc-execute's init holds fd %s -> %s", fd, target)
		}
	}
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if n, _ := strconv.Atoi(e.Name()); n > 2 {
			target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
			t.Errorf("container init holds fd %s -> %s", e.Name(), target)
		}
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)
}

// TestExecuteInitExeProtected: lxc-execute's init is golxc itself; its
// /proc/1/exe must not be the host binary but a protected view of it (a
// read-only overlay, or a sealed memfd copy), and container root cannot
// open it for writing (CVE-2019-5736).
func TestExecuteInitExeProtected(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "secexe1"
	secContainer(t, lp, name, 0o755)
	out := execHelper(t, lp, name, nil, "exe", "1")
	exe, errno, _ := strings.Cut(out, "\n")
	if strings.Contains(exe, binDir) || !(exe == "exe /golxc" || strings.HasPrefix(exe, "exe /memfd:")) {
		t.Errorf("/proc/1/exe of lxc-execute's init: %q, want the read-only overlay view or a memfd", exe)
	}
	if errno == "open errno 0" {
		t.Errorf("container root opened /proc/1/exe for writing")
	}
	assertClean(t, lp, name)
}
