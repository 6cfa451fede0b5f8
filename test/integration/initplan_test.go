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
	"time"
)

// The container's init runs as an exec plan of the C executor (no Go
// runtime in the container) unless its config needs the Go stage.

const (
	noInitPlan  = "GOLXC_NO_INIT_PLAN=1"
	planLine    = "Container init runs an exec plan"
	goStageLine = "Container init runs the Go setup stage: "
)

// TestInitPlanExecute: lxc-execute's PID 1 is the C init: one thread, no
// Go heap mapped, and the plan's steps in the log; with the opt-out it is
// golxc's Go init (the same probe sees its runtime).
func TestInitPlanExecute(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "ipl-exec1"
	busybox(t, lp, name)
	// A Go runtime catches nearly every signal (SigCgt); the C init
	// blocks them all and takes them with sigwaitinfo, with never-run
	// handlers for 1-31 but SIGKILL and SIGSTOP, so /proc says it takes
	// them (show_handlers), and nothing for the realtime ones.
	// The C init also holds no fd but 0-2, not even the log file (-o).
	probe := `grep -E '^(Threads|SigCgt):' /proc/1/status; cat /proc/1/comm; echo fds $(ls /proc/1/fd)`
	for _, c := range []struct {
		env              []string
		threads, sigCgt  string
		logHas, logLacks string
	}{
		{nil, "Threads:\t1", "SigCgt:\t000000007ffbfeff", planLine, goStageLine},
		{[]string{noInitPlan}, "", "", goStageLine + "GOLXC_NO_INIT_PLAN is set", planLine},
	} {
		logf := filepath.Join(t.TempDir(), "x.log")
		r := run(t, c.env, "lxc-execute", "-P", lp, "-n", name, "-l", "TRACE", "-o", logf, "--", "/bin/sh", "-c", probe)
		if r.code != 0 {
			t.Fatalf("%v: %s", c.env, r)
		}
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != 4 || lines[2] != "init" {
			t.Fatalf("%v: probe output %q", c.env, r.stdout)
		}
		if c.threads != "" && (lines[0] != c.threads || lines[1] != c.sigCgt) {
			t.Errorf("%v: PID 1 has %q, %q: want %q, %q (a C init, no Go runtime)", c.env, lines[0], lines[1], c.threads, c.sigCgt)
		}
		if c.threads != "" && lines[3] != "fds 0 1 2" {
			t.Errorf("%v: PID 1 holds %q, want only 0 1 2", c.env, lines[3])
		}
		if c.threads == "" && (lines[0] == "Threads:\t1" || lines[1] == "SigCgt:\t000000007ffbfeff") {
			t.Errorf("%v: the probe cannot tell golxc's Go init (%q): it proves nothing", c.env, r.stdout)
		}
		b, _ := os.ReadFile(logf)
		if !strings.Contains(string(b), c.logHas) || strings.Contains(string(b), c.logLacks) {
			t.Errorf("%v: log lacks %q or has %q:\n%s", c.env, c.logHas, c.logLacks, b)
		}
		if c.env == nil && !strings.Contains(string(b), "nsexec - initplan.c:pivot:") {
			t.Errorf("the log has no pivot step of the C executor:\n%s", b)
		}
	}
	assertClean(t, lp, name)
}

// TestInitPlanStartAndFallback: lxc-start of the busybox config runs the
// plan, in-container hooks included (mount and start hooks run, see their
// environment and their failure stops the start as before); a config the
// plan does not cover falls back to the Go stage, says why in the log,
// and still boots with its hooks (forced here with GOLXC_NO_INIT_PLAN:
// the plan covers every config but a shared mount namespace). An overlay
// rootfs runs the plan too.
func TestInitPlanStartAndFallback(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "ipl-start1"
	cfg := busybox(t, lp, name,
		`lxc.hook.mount = /bin/sh -c 'touch "$LXC_ROOTFS_MOUNT/mount-hook-$LXC_NAME"'`,
		"lxc.hook.start = /bin/touch /start-hook-ran")
	orig, _ := os.ReadFile(cfg)
	logf := filepath.Join(lp, "start.log")
	startRunning(t, lp, name, "-l", "TRACE", "-o", logf)
	mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "test", "-c", "/dev/tty1", "-a", "-f", "/mount-hook-"+name, "-a", "-f", "/start-hook-ran")
	// Nothing but 0-2 crosses init's exec, the log file (-o) included.
	if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", initPid(t, lp, name))); err != nil || len(ents) != 3 {
		t.Errorf("init holds %d fds (%v), want 0-2 only", len(ents), err)
	}
	killStop(t, lp, name)
	b, _ := os.ReadFile(logf)
	if !strings.Contains(string(b), planLine) || !strings.Contains(string(b), "nsexec - initplan.c:run_hook:") {
		t.Errorf("lxc-start did not run the init plan with its hooks:\n%s", b)
	}
	appendConfig(t, cfg, "lxc.hook.start = /bin/sh -c 'echo no luck; exit 3'")
	failedStart(t, lp, name, `start hook "/bin/sh -c 'echo no luck; exit 3'" exited with status 3: no luck`)

	upper := filepath.Join(t.TempDir(), "upper")
	os.WriteFile(cfg, append(orig, []byte("lxc.rootfs.path = overlay:"+filepath.Join(lp, name, "rootfs")+":"+upper+"\n")...), 0o640)
	logf = filepath.Join(lp, "overlay.log")
	startRunning(t, lp, name, "-l", "TRACE", "-o", logf)
	mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "test", "-f", "/start-hook-ran")
	killStop(t, lp, name)
	if _, err := os.Stat(filepath.Join(upper, "start-hook-ran")); err != nil {
		t.Errorf("the overlay rootfs was not the container's: %v", err)
	}
	b, _ = os.ReadFile(logf)
	if !strings.Contains(string(b), planLine) {
		t.Errorf("the overlay config did not run the init plan:\n%s", b)
	}

	// The Go stage still serves what needs it (here forced): the same
	// config, hooks included, boots through it.
	os.WriteFile(cfg, orig, 0o640)
	os.Remove(filepath.Join(lp, name, "rootfs", "start-hook-ran"))
	logf = filepath.Join(lp, "fallback.log")
	mustRunEnv(t, []string{noInitPlan}, "lxc-start", "-P", lp, "-n", name, "-l", "TRACE", "-o", logf)
	mustRun(t, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "10")
	mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "test", "-f", "/start-hook-ran")
	killStop(t, lp, name)
	b, _ = os.ReadFile(logf)
	if !strings.Contains(string(b), goStageLine+"GOLXC_NO_INIT_PLAN is set") ||
		strings.Contains(string(b), planLine) || strings.Contains(string(b), "initplan.c") {
		t.Errorf("the forced fallback did not take the Go stage:\n%s", b)
	}
	assertClean(t, lp, name)
}

// mustRunEnv is mustRun with extra environment.
func mustRunEnv(t *testing.T, env []string, tool string, args ...string) result {
	t.Helper()
	r := run(t, env, tool, args...)
	if r.code != 0 {
		t.Fatalf("%s %s: %s", tool, strings.Join(args, " "), r)
	}
	return r
}

// TestInitPlanExecuteSignals: the C init forwards a signal sent to PID 1
// to the command, reaps orphans reparented to it, and exits with the
// command's status.
func TestInitPlanExecuteSignals(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "ipl-sig1"
	busybox(t, lp, name)
	ready := filepath.Join(lp, name, "rootfs", "ready")
	cmd := exec.Command(filepath.Join(binDir, "lxc-execute"), "-P", lp, "-n", name, "--", "/bin/sh", "-c",
		`trap 'echo got USR1; exit 7' USR1; (sleep 0.1 &); touch /ready; while :; do sleep 0.1; done`)
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	eventually(t, "the command's trap", func() bool {
		_, err := os.Stat(ready)
		return err == nil
	})
	pid := initPid(t, lp, name)
	time.Sleep(300 * time.Millisecond) // the orphaned sleep has exited by now
	if st := procStatus(t, pid, "Threads"); st != "1" {
		t.Errorf("PID 1 has %s threads: not the C init", st)
	}
	if zombies := zombieChildren(t, pid); zombies != 0 {
		t.Errorf("PID 1 left %d zombie(s) unreaped", zombies)
	}
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 7 || out.String() != "got USR1\n" {
		t.Errorf("exit %d (%v), stdout %q: want 7 and the trap's line", code, err, out.String())
	}
	assertClean(t, lp, name)
}

// zombieChildren counts pid's children in state Z.
func zombieChildren(t *testing.T, pid int) int {
	t.Helper()
	n := 0
	tasks, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range tasks {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 1 && f[0] == "Z" && f[1] == strconv.Itoa(pid) {
			n++
		}
	}
	return n
}

// TestExecuteSignalDuringStart: a SIGTERM that lxc-execute gets while the
// container still starts (a pre-start hook holds it) reaches the command
// once it runs, whichever init runs it: the C init of the exec plan, the
// Go stage staying PID 1, or golxc re-executed as PID 1 (an in-container
// hook forbids staying). The monitor forwards once init handles signals:
// a re-executed Go init closes the sync socket only after its handler is
// in place (before that, the runtime's default action would exit 2).
func TestExecuteSignalDuringStart(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	for _, c := range []struct {
		name  string
		env   []string
		extra []string
		log   string
	}{
		{"plan", nil, nil, planLine},
		{"go-in-process", []string{noInitPlan}, nil, goStageLine},
		{"go-reexec", []string{noInitPlan}, []string{"lxc.hook.start = /bin/true"}, `Exec'ing ["[lxc-execute] init" "--ready-fd"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			name := "exsig-" + c.name
			dir := t.TempDir()
			inHook, gate := filepath.Join(dir, "in-hook"), filepath.Join(dir, "gate")
			hook := filepath.Join(dir, "hold.sh")
			if err := os.WriteFile(hook, []byte("#!/bin/sh\ntouch "+inHook+"\nwhile [ ! -e "+gate+" ]; do sleep 0.01; done\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			busybox(t, lp, name, append([]string{"lxc.hook.pre-start = " + hook}, c.extra...)...)
			logf := filepath.Join(dir, "x.log")
			cmd := exec.Command(filepath.Join(binDir, "lxc-execute"), "-P", lp, "-n", name, "-l", "TRACE", "-o", logf, "--", "sleep", "30")
			cmd.Env = append(os.Environ(), c.env...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			eventually(t, "the pre-start hook", func() bool { _, err := os.Stat(inHook); return err == nil })
			cmd.Process.Signal(syscall.SIGTERM)
			eventually(t, "the monitor to hold the signal", func() bool {
				return strings.Contains(readFile(logf), "before the command runs: holding it")
			})
			if err := os.WriteFile(gate, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("the command ran on: the SIGTERM lxc-execute got while starting was lost\n%s", tail(readFile(logf), 30))
			}
			if code := cmd.ProcessState.ExitCode(); code != 128+int(syscall.SIGTERM) {
				t.Errorf("lxc-execute exit %d, want %d (the command killed by the forwarded SIGTERM)\n%s", code, 128+int(syscall.SIGTERM), tail(readFile(logf), 30))
			}
			if !strings.Contains(readFile(logf), c.log) {
				t.Errorf("the log lacks %q: not the init path this case is about", c.log)
			}
			assertClean(t, lp, name)
		})
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestExecuteHaltedByLxcStop: lxc-stop (a clean halt, no -k) of an
// lxc-execute container sends init SIGPWR, as LXC does, and init asks the
// command to go with SIGTERM, which its trap sees; with the C init and
// with the Go one. An init that showed SIGRTMIN+3 blocked would be taken
// for systemd and get that signal instead, passed to the command as is.
func TestExecuteHaltedByLxcStop(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	for _, c := range []struct {
		name string
		env  []string
	}{{"plan", nil}, {"go", []string{noInitPlan}}} {
		t.Run(c.name, func(t *testing.T) {
			name := "exhalt-" + c.name
			cfg := busybox(t, lp, name)
			// The busybox template sets lxc.signal.halt (SIGUSR1, busybox
			// init's halt); unset, lxc-stop picks the signal from init's masks.
			b, err := os.ReadFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var kept []string
			for _, l := range strings.Split(string(b), "\n") {
				if !strings.HasPrefix(strings.TrimSpace(l), "lxc.signal.halt") {
					kept = append(kept, l)
				}
			}
			if err := os.WriteFile(cfg, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			ready := filepath.Join(lp, name, "rootfs", "ready")
			cmd := exec.Command(filepath.Join(binDir, "lxc-execute"), "-P", lp, "-n", name, "--", "/bin/sh", "-c",
				`trap 'echo got TERM; exit 3' TERM; touch /ready; while :; do sleep 0.1; done`)
			cmd.Env = append(os.Environ(), c.env...)
			var out strings.Builder
			cmd.Stdout = &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			eventually(t, "the command's trap", func() bool { _, err := os.Stat(ready); return err == nil })
			r := runPathTimeout(t, 60*time.Second, nil, filepath.Join(binDir, "lxc-stop"), "-P", lp, "-n", name, "-t", "20", "-l", "DEBUG", "-o", filepath.Join(lp, name+".stop.log"))
			err = cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != 3 || out.String() != "got TERM\n" {
				t.Errorf("exit %d (%v), stdout %q: want 3 and the trap's line; lxc-stop: %s\n%s", code, err, out.String(), r, readFile(filepath.Join(lp, name+".stop.log")))
			}
			if strings.Contains(readFile(filepath.Join(lp, name+".stop.log")), "neither catches nor blocks") {
				t.Errorf("lxc-stop waited for init's handler (2 s): init's /proc status hides that it takes SIGPWR")
			}
			if !strings.Contains(readFile(filepath.Join(lp, name+".stop.log")), "Sending signal 30 (power failure)") {
				t.Errorf("lxc-stop did not send SIGPWR:\n%s", readFile(filepath.Join(lp, name+".stop.log")))
			}
			assertClean(t, lp, name)
		})
	}
}
