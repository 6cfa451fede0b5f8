package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startModes are the two ways a daemonizing lxc-start gets its monitor:
// as root it is forked before the Go runtime and becomes the monitor
// itself (internal/nsexec/prefork.c); GOLXC_NO_PREFORK=1 (and any caller
// but golxc's lxc-start as root) exec's golxc again as the monitor.
var startModes = []struct {
	name    string
	env     []string
	prefork bool
}{
	{"prefork", nil, true},
	{"exec", []string{"GOLXC_NO_PREFORK=1"}, false},
}

// TestStartPreforkBecomesTheMonitor: the process lxc-start's Go code ran
// in is the monitor (no exec: its comm is still lxc-start), titled
// "[lxc monitor] LXCPATH NAME" exactly as the exec'd one, with /dev/null
// stdio, cwd /, its own session, the caller's leaked fds closed, and the
// -p pidfile naming it; GOLXC_NO_PREFORK=1 gives the exec'd monitor.
func TestStartPreforkBecomesTheMonitor(t *testing.T) {
	needRoot(t)
	for _, mode := range startModes {
		t.Run(mode.name, func(t *testing.T) {
			lp := lxcpath(t)
			name := "pf-mon-" + mode.name
			busybox(t, lp, name)
			dir := t.TempDir()
			logf, pidf := filepath.Join(dir, "start.log"), filepath.Join(dir, "pid")

			// A pipe leaked to lxc-start as fd 3: once lxc-start has
			// exited and we close our write end, nothing may hold it.
			rd, wr, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			cmd := exec.Command(filepath.Join(binDir, "lxc-start"), "-P", lp, "-n", name,
				"-o", logf, "-l", "TRACE", "-p", pidf)
			cmd.Env = append(os.Environ(), mode.env...)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			cmd.ExtraFiles = []*os.File{wr}
			if err := cmd.Run(); err != nil || out.Len()+errb.Len() > 0 {
				t.Fatalf("lxc-start: %v\nstdout: %s\nstderr: %s", err, out.String(), errb.String())
			}
			wr.Close()
			rd.SetReadDeadline(time.Now().Add(30 * time.Second))
			if n, err := rd.Read(make([]byte, 1)); n != 0 || err == nil || os.IsTimeout(err) {
				t.Errorf("the fd leaked to lxc-start is still held after it exited: %v", err)
			}
			mustRun(t, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "30")

			b, err := os.ReadFile(pidf)
			if err != nil {
				t.Fatal(err)
			}
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			if m := monitors(lp, name); len(m) != 1 || m[0] != pid {
				t.Fatalf("monitors %v, pidfile %d", m, pid)
			}
			proc := func(f string) string {
				b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, f))
				return string(b)
			}
			if got, want := proc("cmdline"), "[lxc monitor] "+lp+" "+name+"\x00"; got != want {
				t.Errorf("cmdline %q, want %q", got, want)
			}
			comm := strings.TrimSpace(proc("comm"))
			if want := map[bool]string{true: "lxc-start", false: "golxc"}[mode.prefork]; comm != want {
				t.Errorf("monitor comm %q, want %q (the %s path)", comm, want, mode.name)
			}
			for fd := 0; fd < 3; fd++ {
				if l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, fd)); l != "/dev/null" {
					t.Errorf("monitor fd %d is %q, want /dev/null", fd, l)
				}
			}
			if cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); cwd != "/" {
				t.Errorf("monitor cwd %q", cwd)
			}
			if st := strings.Fields(proc("stat")); len(st) < 6 || st[5] != strconv.Itoa(pid) {
				t.Errorf("monitor is not a session leader: stat %v", st[:6])
			}

			log, _ := os.ReadFile(logf)
			inProcess := fmt.Sprintf("Running the monitor in this process %d ", pid)
			execd := fmt.Sprintf("Started the monitor process %d\n", pid)
			if mode.prefork && (!strings.Contains(string(log), inProcess) || strings.Contains(string(log), "Started the monitor process")) {
				t.Errorf("lxc-start did not run the monitor itself; log:\n%s", log)
			}
			if !mode.prefork && (!strings.Contains(string(log), execd) || strings.Contains(string(log), "Running the monitor in this process")) {
				t.Errorf("lxc-start did not exec the monitor; log:\n%s", log)
			}
			// The monitor's own lines follow, in the same file.
			if !strings.Contains(string(log), "lxc-start "+name+" ") || !strings.Contains(string(log), `Set container state to "RUNNING"`) {
				t.Errorf("monitor lines missing from the log:\n%s", log)
			}

			expect(t, run(t, mode.env, "lxc-start", "-P", lp, "-n", name), 0, "", "lxc-start: "+name+": Container is already running\n")
			killStop(t, lp, name)
			assertClean(t, lp, name)
			if _, err := os.Stat(pidf); !os.IsNotExist(err) {
				t.Errorf("pidfile left: %v", err)
			}
		})
	}
}

// TestStartPreforkSameVerdicts: what a failing start prints and its exit
// code are the same on both paths: a config error found by lxc-start, a
// setup error found by the monitor, -q, and a monitor that dies before
// its verdict (killed by its pre-start hook), where the preforked
// lxc-start's C parent prints the line the Go lxc-start prints.
func TestStartPreforkSameVerdicts(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "pf-verdict"
	flag := filepath.Join(t.TempDir(), "kill")
	busybox(t, lp, name, `lxc.hook.pre-start = /bin/sh -c "[ -e `+flag+` ] && kill -9 $PPID; true"`)
	logf := filepath.Join(t.TempDir(), "start.log")
	for _, c := range []struct {
		what   string
		args   []string
		code   int
		stderr string
	}{
		{"undefined container", []string{"-n", "pf-nosuch"}, 1, "lxc-start: No container config specified\n"},
		{"bad define", []string{"-n", name, "-s", "lxc.foo=bar"}, 1,
			"lxc-start: " + name + `: lxc.foo = bar: lxc.foo: unsupported config key; did you mean "lxc.hook"?` + "\n"},
		{"setup error", []string{"-n", name, "-s", "lxc.rootfs.path=dir:/pf-nonexistent"}, 1,
			"lxc-start: " + name + `: lxc.rootfs.path "/pf-nonexistent": /pf-nonexistent: no such file or directory` + "\n"},
		{"setup error, quiet", []string{"-n", name, "-q", "-s", "lxc.rootfs.path=dir:/pf-nonexistent"}, 1, ""},
		{"monitor killed", []string{"-n", name, "-o", logf, "-l", "DEBUG"}, 1,
			"lxc-start: " + name + ": the monitor process exited before reporting the start result\n"},
		{"monitor killed, quiet", []string{"-n", name, "-q"}, 1, ""},
	} {
		if strings.HasPrefix(c.what, "monitor killed") {
			os.WriteFile(flag, nil, 0o644)
		}
		for _, mode := range startModes {
			os.Remove(logf)
			r := run(t, mode.env, "lxc-start", append([]string{"-P", lp}, c.args...)...)
			if r.code != c.code || r.stdout != "" || r.stderr != c.stderr {
				t.Errorf("%s (%s): %s\nwant exit %d, stderr %q", c.what, mode.name, r, c.code, c.stderr)
			}
			if c.what == "monitor killed" && mode.prefork {
				if log, _ := os.ReadFile(logf); !strings.Contains(string(log), "Running the monitor in this process") {
					t.Errorf("the killed monitor was not lxc-start itself; log:\n%s", log)
				}
			}
			eventually(t, "the killed monitor to go", func() bool { return len(monitors(lp, name)) == 0 })
		}
	}
	os.Remove(flag)
	// A caller that closed stderr (or 0 and 1) gets the exit code, not the
	// first byte of the message that had nowhere to go.
	for _, mode := range startModes {
		for _, redir := range []string{"2>&-", "1>&- 2>&-", "0<&- 1>&-", "0<&- 2>&-"} {
			r := runPath(t, mode.env, "/bin/sh", "-c", "exec "+filepath.Join(binDir, "lxc-start")+
				" -P "+lp+" -n "+name+" -s lxc.rootfs.path=dir:/pf-nonexistent "+redir)
			if r.code != 1 {
				t.Errorf("lxc-start %s (%s): %s, want exit 1", redir, mode.name, r)
			}
		}
	}
	// Writing its error to a pipe nobody reads kills lxc-start with
	// SIGPIPE on both paths; the preforked monitor, the same process,
	// still finishes its cleanup (the pidfile goes).
	pidf := filepath.Join(t.TempDir(), "pid")
	for _, mode := range startModes {
		rd, wr, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		rd.Close()
		cmd := exec.Command(filepath.Join(binDir, "lxc-start"), "-P", lp, "-n", name, "-p", pidf,
			"-s", "lxc.rootfs.path=dir:/pf-nonexistent")
		cmd.Env = append(os.Environ(), mode.env...)
		cmd.Stderr = wr
		err = cmd.Run()
		wr.Close()
		var ws syscall.WaitStatus
		if ee, ok := err.(*exec.ExitError); ok {
			ws, _ = ee.Sys().(syscall.WaitStatus)
		}
		if !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
			t.Errorf("lxc-start with a broken stderr (%s): %v, want killed by SIGPIPE", mode.name, err)
		}
		eventually(t, "the failed monitor to remove its pidfile", func() bool {
			_, err := os.Stat(pidf)
			return os.IsNotExist(err)
		})
	}
	// The next start cleans up what the killed monitors left.
	startRunning(t, lp, name)
	killStop(t, lp, name)
	assertClean(t, lp, name)
}
