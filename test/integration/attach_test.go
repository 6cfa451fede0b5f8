package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// attachContainer starts a busybox container for the attach tests.
func attachContainer(t *testing.T, name string, extra ...string) string {
	t.Helper()
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, name, extra...)
	startRunning(t, lp, name)
	t.Cleanup(func() { run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k") })
	return lp
}

func TestAttachCommands(t *testing.T) {
	const name = "gatt1"
	lp := attachContainer(t, name)
	att := func(args ...string) result {
		return run(t, nil, "lxc-attach", append([]string{"-P", lp, "-n", name}, args...)...)
	}
	t.Run("hostname", func(t *testing.T) { expect(t, att("--", "hostname"), 0, name+"\n", "") })
	for _, code := range []int{0, 1, 42} {
		t.Run(fmt.Sprintf("exit%d", code), func(t *testing.T) {
			expect(t, att("--", "sh", "-c", fmt.Sprintf("exit %d", code)), code, "", "")
		})
	}
	t.Run("signal", func(t *testing.T) { expect(t, att("--", "sh", "-c", "kill -9 $$"), 128+9, "", "") })
	t.Run("execfail", func(t *testing.T) {
		expect(t, att("--", "nosuch"), 127, "", "lxc-attach: "+name+": No such file or directory - Failed to exec \"nosuch\"\n")
	})
	t.Run("clearenv", func(t *testing.T) {
		expect(t, att("--clear-env", "-v", "DISPLAY=:0", "--", "env"), 0,
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\ncontainer=lxc\nDISPLAY=:0\n", "")
	})
	t.Run("keepvar", func(t *testing.T) {
		r := run(t, []string{"GOLXC_KEEP=yes", "GOLXC_DROP=no"}, "lxc-attach", "-P", lp, "-n", name, "--clear-env", "--keep-var", "GOLXC_KEEP", "--", "env")
		if r.code != 0 || !strings.Contains(r.stdout, "GOLXC_KEEP=yes\n") || strings.Contains(r.stdout, "GOLXC_DROP") {
			t.Fatalf("--keep-var: %s", r)
		}
	})
	t.Run("keepenv", func(t *testing.T) {
		r := run(t, []string{"GOLXC_KEEP=yes"}, "lxc-attach", "-P", lp, "-n", name, "--", "env")
		if r.code != 0 || !strings.Contains(r.stdout, "GOLXC_KEEP=yes\n") || !strings.Contains(r.stdout, "container=lxc\n") {
			t.Fatalf("default env: %s", r)
		}
	})
	t.Run("uidgid", func(t *testing.T) {
		expect(t, att("-u", "1000", "-g", "1000", "--", "id"), 0, "uid=1000 gid=1000\n", "")
	})
	t.Run("root", func(t *testing.T) { expect(t, att("--", "id"), 0, "uid=0(root) gid=0(root)\n", "") })
	t.Run("uts-only", func(t *testing.T) {
		expect(t, att("-s", "UTSNAME", "--", "hostname"), 0, name+"\n", "")
		// The mount namespace is still the host's: / lists the host's root.
		ents, err := os.ReadDir("/")
		if err != nil {
			t.Fatal(err)
		}
		var host []string
		for _, e := range ents {
			host = append(host, e.Name())
		}
		sort.Strings(host)
		r := att("-s", "UTSNAME", "--", "ls", "-1A", "/")
		got := strings.Fields(r.stdout)
		sort.Strings(got)
		if r.code != 0 || strings.Join(got, " ") != strings.Join(host, " ") {
			t.Fatalf("ls / with -s UTSNAME: %s\nhost has %v", r, host)
		}
		rootfs := att("--", "ls", "-1", "/")
		if rootfs.stdout == r.stdout {
			t.Fatalf("the container's / looks like the host's: %q", rootfs.stdout)
		}
	})
	t.Run("cgroup", func(t *testing.T) {
		// Inside the container's cgroup namespace and cgroups: "/".
		r := att("--", "cat", "/proc/self/cgroup")
		for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if !strings.HasSuffix(l, ":/") {
				t.Fatalf("attached process outside the container cgroup: %s", r)
			}
		}
		r = att("-e", "--", "cat", "/proc/self/cgroup")
		if r.code != 0 || !strings.Contains(r.stdout, "/..") && !strings.Contains(r.stdout, ":/\n") {
			t.Logf("-e cgroups: %s", r.stdout)
		}
	})
	t.Run("not-running", func(t *testing.T) {
		expect(t, run(t, nil, "lxc-attach", "-P", lp, "-n", "nosuch", "--", "true"), 1, "",
			"lxc-attach: nosuch: Connection refused - Failed to get init pid\nlxc-attach: nosuch: Connection refused - Failed to get attach context\n")
	})
	t.Run("bad-options", func(t *testing.T) {
		for _, args := range [][]string{{"-eFOO"}, {"-a", "foo"}, {"-s", "FOO"}, {"-u", "abc"}} {
			r := att(append(args, "--", "true")...)
			if r.code != 1 || r.stderr != "lxc-attach: could not parse command line\n" {
				t.Errorf("%v: %s", args, r)
			}
		}
	})
}

// TestAttachStdio covers the std stream combinations of LXC's
// lxc-test-lxc-attach, without a terminal.
func TestAttachStdio(t *testing.T) {
	const name = "gatt2"
	lp := attachContainer(t, name)
	bin := filepath.Join(binDir, "lxc-attach")
	dir := t.TempDir()
	sh := func(script string) result {
		script = strings.ReplaceAll(script, "ATT", bin+" -P "+lp+" -n "+name)
		return runPath(t, nil, "/bin/sh", "-c", script)
	}
	t.Run("stdin-shell", func(t *testing.T) { expect(t, sh("echo 'echo hi; hostname' | ATT"), 0, "hi\n"+name+"\n", "") })
	t.Run("stdin-devnull", func(t *testing.T) { expect(t, sh("ATT -- hostname </dev/null"), 0, name+"\n", "") })
	t.Run("stdout-devnull", func(t *testing.T) { expect(t, sh("ATT -- hostname >/dev/null"), 0, "", "") })
	t.Run("stderr-devnull", func(t *testing.T) { expect(t, sh("ATT -- sh -c 'hostname >&2' 2>/dev/null"), 0, "", "") })
	t.Run("stderr-to-stdout", func(t *testing.T) { expect(t, sh("ATT -- sh -c 'hostname >&2' 2>&1"), 0, name+"\n", "") })
	t.Run("files", func(t *testing.T) {
		out, errf := filepath.Join(dir, "out"), filepath.Join(dir, "err")
		expect(t, sh("echo in | ATT -- sh -c 'cat; echo e >&2' >"+out+" 2>"+errf), 0, "", "")
		o, _ := os.ReadFile(out)
		e, _ := os.ReadFile(errf)
		if string(o) != "in\n" || string(e) != "e\n" {
			t.Fatalf("stdout file %q, stderr file %q", o, e)
		}
	})
	t.Run("all-devnull", func(t *testing.T) { expect(t, sh("ATT -- true </dev/null >/dev/null 2>&1; echo $?"), 0, "0\n", "") })
}

// TestAttachProcess inspects a live attached process from the host.
func TestAttachProcess(t *testing.T) {
	const name = "gatt3"
	lp := attachContainer(t, name)
	cmd := exec.Command(filepath.Join(binDir, "lxc-attach"), "-P", lp, "-n", name, "--", "sleep", "1000")
	devnull, _ := os.Open(os.DevNull)
	defer devnull.Close()
	// An extra inherited fd that must not reach the container.
	cmd.ExtraFiles = []*os.File{devnull}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	eventually(t, "the attached sleep", func() bool { pid = childNamed(cmd.Process.Pid, "sleep"); return pid > 0 })
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range fds {
		names = append(names, f.Name())
	}
	if strings.Join(names, ",") != "0,1,2" {
		t.Errorf("attached process has fds %v, want only 0,1,2", names)
	}
	bnd, err := strconv.ParseUint(procStatus(t, pid, "CapBnd"), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	// The busybox template drops sys_module mac_admin mac_override sys_time.
	for _, c := range []int{16, 33, 32, 25} {
		if bnd&(1<<c) != 0 {
			t.Errorf("CapBnd %x still has capability %d the container dropped", bnd, c)
		}
	}
	if bnd&(1<<21) == 0 {
		t.Errorf("CapBnd %x lost sys_admin, which the container keeps", bnd)
	}
	if nsOf(t, pid, "uts") != nsOf(t, initPid(t, lp, name), "uts") || nsOf(t, pid, "mnt") != nsOf(t, initPid(t, lp, name), "mnt") {
		t.Error("attached process is not in the container's namespaces")
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil { // forwarded to sleep
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 128+2 {
		t.Fatalf("lxc-attach after SIGINT: %v, want exit 130", err)
	}
}

// TestAttachLeaks attaches 100 times and checks nothing accumulates.
func TestAttachLeaks(t *testing.T) {
	const name = "gatt4"
	lp := attachContainer(t, name)
	mons := monitors(lp, name)
	if len(mons) != 1 {
		t.Fatalf("monitors: %v", mons)
	}
	// The busybox container is still booting (rcS, syslogd, gettys) right
	// after RUNNING: wait until its process set is steady before counting.
	before := snapshot(t, mons[0], name)
	for i, same := 0, 0; i < 50 && same < 3; i++ {
		time.Sleep(200 * time.Millisecond)
		now := snapshot(t, mons[0], name)
		if now == before {
			same++
		} else {
			before, same = now, 0
		}
	}
	for i := 0; i < 100; i++ {
		if r := run(t, nil, "lxc-attach", "-P", lp, "-n", name, "--", "true"); r.code != 0 {
			t.Fatalf("attach %d: %s", i, r)
		}
	}
	// The last attach's exiting processes may take a moment to leave the
	// cgroup; anything still there after that is a leak.
	after := snapshot(t, mons[0], name)
	for i := 0; i < 30 && after != before; i++ {
		time.Sleep(100 * time.Millisecond)
		after = snapshot(t, mons[0], name)
	}
	if before != after {
		t.Fatalf("100 attaches changed the host:\nbefore %s\nafter  %s", before, after)
	}
}

// TestAttachTerminal runs lxc-attach on a real pty.
func TestAttachTerminal(t *testing.T) {
	const name = "gatt5"
	lp := attachContainer(t, name)
	t.Run("tty", func(t *testing.T) {
		p := startPTY(t, "lxc-attach", "-P", lp, "-n", name, "--", "sh", "-c", "tty; ls -1 /dev/pts")
		if code := p.wait(); code != 0 {
			t.Fatalf("exit %d: %q", code, p.output())
		}
		<-p.done
		out := strings.ReplaceAll(p.output(), "\r", "")
		m := regexp.MustCompile(`(?m)^/dev/pts/(\d+)\n`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("tty did not print a pty: %q", out)
		}
		// The pty is one of the container's own devpts entries.
		if !regexp.MustCompile(`(?m)^` + m[1] + `$`).MatchString(strings.SplitN(out, "\n", 2)[1]) {
			t.Fatalf("/dev/pts/%s is not in the container's /dev/pts: %q", m[1], out)
		}
	})
	t.Run("no-stray-bytes", func(t *testing.T) {
		// An end-of-file typed before lxc-attach switched the terminal
		// to raw mode (script(1) sends one when its stdin ends) sits in
		// the line buffer as a NUL; LXC's raw switch flushes it, so the
		// output is the command's alone: no "^@" echoed by the
		// container's pty.
		p := startPTYTyped(t, "\x04", "lxc-attach", "-P", lp, "-n", name, "--", "tty")
		if code := p.wait(); code != 0 {
			t.Fatalf("exit %d: %q", code, p.output())
		}
		<-p.done
		out := p.output()
		if !regexp.MustCompile(`^/dev/pts/\d+\r\n$`).MatchString(out) {
			t.Fatalf("output %q, want exactly \"/dev/pts/N\\r\\n\"", out)
		}
	})
	t.Run("typing", func(t *testing.T) {
		p := startPTY(t, "lxc-attach", "-P", lp, "-n", name)
		// Typing ahead of the raw switch is discarded (TCSAFLUSH, as
		// LXC): type at the prompt, as a user would.
		p.waitRaw()
		p.waitFor(" # ")
		p.write("echo typed$((40+2))\r")
		p.waitFor("typed42")
		p.write("exit 7\r")
		if code := p.wait(); code != 7 {
			t.Fatalf("exit %d, want 7: %q", code, p.output())
		}
	})
	t.Run("pty-log", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "pty.log")
		p := startPTY(t, "lxc-attach", "-P", lp, "-n", name, "-L", log, "--", "echo", "logged")
		if code := p.wait(); code != 0 {
			t.Fatalf("exit %d", code)
		}
		b, err := os.ReadFile(log)
		if err != nil || !strings.Contains(string(b), "logged") {
			t.Fatalf("pty log %q: %v", b, err)
		}
	})
}

// childNamed finds a child of ppid whose comm is name.
func childNamed(ppid int, name string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		comm := s[strings.IndexByte(s, '(')+1 : i]
		f := strings.Fields(s[i+2:])
		if comm == name && len(f) > 1 && f[1] == strconv.Itoa(ppid) {
			return pid
		}
	}
	return 0
}

func nsOf(t *testing.T, pid int, ns string) string {
	t.Helper()
	l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// snapshot summarises what attaches could leak: the monitor's fds, the
// container's processes, host processes and cgroups named after it.
func snapshot(t *testing.T, monitor int, name string) string {
	t.Helper()
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", monitor))
	var procs int
	for _, dir := range cgroupDirs(name) {
		if strings.Contains(dir, "/memory/") {
			b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
			procs += len(strings.Fields(string(b)))
		}
	}
	ents, _ := os.ReadDir("/proc")
	var stages int
	for _, e := range ents {
		if b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && strings.HasPrefix(string(b), "[golxc attach]") {
			stages++
		}
	}
	return fmt.Sprintf("monitor fds %d, container procs %d, attach stages %d, cgroups %v", len(fds), procs, stages, cgroupDirs(name))
}
