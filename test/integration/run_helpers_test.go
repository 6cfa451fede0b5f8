package integration

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/config"
)

// Helpers for the run_* tests: real busybox containers, each test in its
// own lxcpath, with container names unique across tests (cgroup names
// lxc.payload.NAME are global to the host).

// busybox creates a busybox container NAME in lp with networking off and
// the extra config lines appended to its config. It returns the config path.
func busybox(t *testing.T, lp, name string, extra ...string) string {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "create.conf")
	if err := os.WriteFile(conf, []byte("lxc.net.0.type = empty\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "lxc-create", "-P", lp, "-n", name, "-t", "busybox", "-f", conf)
	if r.code != 0 {
		t.Fatalf("lxc-create %s: %s", name, r)
	}
	cfg := filepath.Join(lp, name, "config")
	appendConfig(t, cfg, extra...)
	t.Cleanup(func() {
		// Runs before lxcpath's cleanup: stop properly first, then
		// complain about (and kill) any monitor that survived.
		run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k")
		killMonitors(t, lp, name)
		// LXC never removes its lock files; ours go with the test.
		os.RemoveAll(filepath.Join("/run/lxc/lock", lp))
		if _, err := os.Stat(filepath.Join("/run/golxc/cgroups", config.RecordName(filepath.Join(lp, name)))); err == nil {
			t.Errorf("the cgroup record of %s outlived its container", name)
		}
	})
	return cfg
}

func appendConfig(t *testing.T, cfg string, lines ...string) {
	t.Helper()
	if len(lines) == 0 {
		return
	}
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		t.Fatal(err)
	}
}

// mustRun runs a tool and fails the test unless it exits 0.
func mustRun(t *testing.T, tool string, args ...string) result {
	t.Helper()
	r := run(t, nil, tool, args...)
	if r.code != 0 {
		t.Fatalf("%s %s: %s", tool, strings.Join(args, " "), r)
	}
	return r
}

// startRunning starts NAME daemonized and waits for RUNNING.
func startRunning(t *testing.T, lp, name string, args ...string) {
	t.Helper()
	mustRun(t, "lxc-start", append([]string{"-P", lp, "-n", name}, args...)...)
	mustRun(t, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "10")
}

// initPid asks lxc-info for the container's init pid.
func initPid(t *testing.T, lp, name string) int {
	t.Helper()
	r := mustRun(t, "lxc-info", "-P", lp, "-n", name, "-p", "-H")
	pid, err := strconv.Atoi(strings.TrimSpace(r.stdout))
	if err != nil || pid <= 1 {
		t.Fatalf("lxc-info -p -H: %q", r.stdout)
	}
	return pid
}

func state(t *testing.T, lp, name string) string {
	t.Helper()
	return strings.TrimSpace(mustRun(t, "lxc-info", "-P", lp, "-n", name, "-s", "-H").stdout)
}

func killStop(t *testing.T, lp, name string) {
	t.Helper()
	mustRun(t, "lxc-stop", "-P", lp, "-n", name, "-k")
}

// procStatus returns one field ("CapBnd", "Uid" ...) of /proc/PID/status.
func procStatus(t *testing.T, pid int, field string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == field {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("/proc/%d/status has no %s", pid, field)
	return ""
}

// monitors lists the pids whose command line is "[lxc monitor] LP NAME".
func monitors(lp, name string) []int {
	title := "[lxc monitor] " + lp + " " + name
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		if strings.TrimRight(strings.ReplaceAll(string(b), "\x00", " "), " ") == title {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killMonitors is the safety net: whatever a failed test left running is
// killed (the monitor tears its container down on SIGTERM). A monitor
// whose container just stopped may still be exiting (lxc-stop returns when
// the command socket closes, as LXC's does): it gets a bounded wait first.
func killMonitors(t *testing.T, lp, name string) {
	// lxc-stop -k returns once the container is STOPPED; its monitor
	// may still be tearing down, slowly on a loaded machine.
	left := monitors(lp, name)
	for deadline := time.Now().Add(30 * time.Second); len(left) > 0 && time.Now().Before(deadline); left = monitors(lp, name) {
		time.Sleep(100 * time.Millisecond)
	}
	for _, pid := range left {
		t.Errorf("monitor %d of %s/%s still running at the end of the test", pid, lp, name)
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// eventually polls cond for up to 10 s (a condition, not a timing claim).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// leftovers lists what a stopped container NAME of lp must not leave on
// the host: mounts mentioning lp, its cgroups, its monitor, its socket.
func leftovers(lp, name string) []string {
	var out []string
	if f, err := os.Open("/proc/self/mountinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if strings.Contains(sc.Text(), lp) {
				out = append(out, "mount: "+sc.Text())
			}
		}
		f.Close()
	}
	for _, dir := range cgroupDirs(name) {
		out = append(out, "cgroup: "+dir)
	}
	for _, pid := range monitors(lp, name) {
		out = append(out, fmt.Sprintf("monitor process %d", pid))
	}
	if b, err := os.ReadFile("/proc/net/unix"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, lp+"/"+name+"/") {
				out = append(out, "socket: "+l)
			}
		}
	}
	return out
}

// cgroupDirs finds lxc.payload.NAME* and lxc.monitor.NAME* directories
// under every hierarchy.
func cgroupDirs(name string) []string {
	var found []string
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		ents, err := os.ReadDir(dir)
		if err != nil || depth > 6 {
			return
		}
		for _, e := range ents {
			if !e.IsDir() {
				continue
			}
			n := e.Name()
			p := filepath.Join(dir, n)
			if n == "lxc.payload."+name || n == "lxc.monitor."+name ||
				strings.HasPrefix(n, "lxc.payload."+name+"-") || strings.HasPrefix(n, "lxc.monitor."+name+"-") {
				found = append(found, p)
				continue
			}
			walk(p, depth+1)
		}
	}
	walk("/sys/fs/cgroup", 0)
	return found
}

func assertClean(t *testing.T, lp, name string) {
	t.Helper()
	var left []string
	// The monitor may still be exiting right after lxc-stop returned.
	for i := 0; i < 100; i++ {
		if left = leftovers(lp, name); len(left) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("container %s left behind:\n%s", name, strings.Join(left, "\n"))
}

// outDir is a host directory bind-mounted at /mnt/out in the container,
// so a payload can write facts the test reads back.
func outDir(t *testing.T) (string, string) {
	t.Helper()
	d := t.TempDir()
	return d, "lxc.mount.entry = " + d + " mnt/out none bind,create=dir 0 0"
}

// readOut waits for file in the out directory. Payloads must write it
// under another name and rename it into place: a file written in several
// steps can be read between them.
func readOut(t *testing.T, dir, file string) string {
	t.Helper()
	var b []byte
	eventually(t, file+" written by the container", func() bool {
		var err error
		b, err = os.ReadFile(filepath.Join(dir, file))
		return err == nil && strings.HasSuffix(string(b), "\n")
	})
	return string(b)
}

// waitCatches waits until pid has a handler for sig (SigCgt): a signal
// sent to a container init before its handler exists is dropped by the
// kernel (PID 1 of a namespace), with LXC as with golxc.
func waitCatches(t *testing.T, pid int, sig syscall.Signal) {
	t.Helper()
	eventually(t, fmt.Sprintf("init %d to catch %v", pid, sig), func() bool {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return false
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "SigCgt:"); ok {
				mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
				return err == nil && mask&(1<<(uint(sig)-1)) != 0
			}
		}
		return false
	})
}

// waitBusyboxInit waits until busybox init has run its sysinit and
// started getty: by then it waits for its halt/reboot signals (it takes
// them with sigtimedwait, so they never show in SigCgt). A halt signal
// sent earlier is dropped by the kernel, with LXC as with golxc.
func waitBusyboxInit(t *testing.T, pid int) {
	t.Helper()
	eventually(t, fmt.Sprintf("busybox init %d to start getty", pid), func() bool {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		for _, c := range strings.Fields(string(b)) {
			if comm, _ := os.ReadFile("/proc/" + c + "/comm"); strings.TrimSpace(string(comm)) == "getty" {
				return true
			}
		}
		return false
	})
}

// frozenBusybox makes a running busybox container in a fresh lxcpath and
// freezes it; the cleanup thaws it first, whatever the test did, so the
// lxcpath's cleanup can stop it.
func frozenBusybox(t *testing.T, name string) (lp string) {
	t.Helper()
	lp = cleanLxcpath(t)
	busybox(t, lp, name)
	startRunning(t, lp, name)
	mustRun(t, "lxc-freeze", "-P", lp, "-n", name)
	t.Cleanup(func() { run(t, nil, "lxc-unfreeze", "-P", lp, "-n", name) })
	return lp
}
