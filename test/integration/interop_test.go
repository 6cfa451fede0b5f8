package integration

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// LXC 5.0.2's tools and golxc's, each managing containers the other
// started, over the command socket protocol. Skipped without LXC.

// lxcStarted creates and starts NAME with LXC's own tools (busybox,
// no network, no AppArmor) and stops and destroys it afterwards, removing
// the lock directories and lxc.pivot cgroups LXC leaves behind.
func lxcStarted(t *testing.T, lp, name string) {
	t.Helper()
	for _, tool := range []string{"lxc-create", "lxc-start", "lxc-stop", "lxc-destroy", "lxc-info"} {
		lxcTool(t, tool)
	}
	if _, err := os.Stat("/usr/share/lxc/templates/lxc-busybox"); err != nil {
		t.Skip("LXC's busybox template is not installed")
	}
	cleanLXCRunFiles(t, lp)
	conf := filepath.Join(t.TempDir(), "lxc.conf")
	if err := os.WriteFile(conf, []byte("lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runPath(t, nil, "/usr/bin/lxc-create", "-P", lp, "-n", name, "-t", "busybox", "-f", conf); r.code != 0 {
		t.Fatalf("LXC's lxc-create: %s", r)
	}
	t.Cleanup(func() {
		runPath(t, nil, "/usr/bin/lxc-stop", "-P", lp, "-n", name, "-k")
		runPath(t, nil, "/usr/bin/lxc-destroy", "-P", lp, "-n", name)
	})
	lxcStart(t, lp, name)
}

func lxcStart(t *testing.T, lp, name string) {
	t.Helper()
	if r := runPath(t, nil, "/usr/bin/lxc-start", "-P", lp, "-n", name); r.code != 0 {
		t.Fatalf("LXC's lxc-start: %s", r)
	}
	if r := runPath(t, nil, "/usr/bin/lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "10"); r.code != 0 {
		t.Fatalf("LXC's lxc-wait RUNNING: %s", r)
	}
}

// cleanLxcpath is lxcpath plus removal of /run/lxc/lock/LXCPATH, which
// the lock files of golxc's and LXC's tools leave (lxcpath's own cleanup
// stops containers with our lxc-stop, which takes the lock again, so this
// cleanup is registered first to run last).
func cleanLxcpath(t *testing.T) string {
	t.Helper()
	var lp string
	t.Cleanup(func() {
		if lp != "" {
			os.RemoveAll(filepath.Join("/run/lxc/lock", lp))
		}
	})
	lp = lxcpath(t)
	return lp
}

// cleanLXCRunFiles removes what LXC's tools leave on the host for an
// lxcpath: /run/lxc/lock/LXCPATH (and parents that end up empty) and new
// lxc.pivot cgroups.
func cleanLXCRunFiles(t *testing.T, lp string) {
	const root = "/run/lxc/lock"
	existed := map[string]bool{}
	for d := filepath.Join(root, lp); d != root && d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			existed[d] = true
		}
	}
	pivots, _ := filepath.Glob("/sys/fs/cgroup/*/lxc.pivot")
	hadPivot := map[string]bool{}
	for _, p := range pivots {
		hadPivot[p] = true
	}
	t.Cleanup(func() {
		for d := filepath.Join(root, lp); d != root && d != "/" && !existed[d]; d = filepath.Dir(d) {
			os.RemoveAll(d)
		}
		after, _ := filepath.Glob("/sys/fs/cgroup/*/lxc.pivot")
		for _, p := range after {
			if !hadPivot[p] {
				os.Remove(p)
			}
		}
	})
}

// lxcOut runs LXC's tool and returns stdout, failing on a non-zero exit.
func lxcOut(t *testing.T, tool string, args ...string) string {
	t.Helper()
	r := runPath(t, nil, lxcTool(t, tool), args...)
	if r.code != 0 {
		t.Fatalf("LXC's %s %s: %s", tool, strings.Join(args, " "), r)
	}
	return r.stdout
}

func lxcState(t *testing.T, lp, name string) string {
	t.Helper()
	return strings.TrimSpace(lxcOut(t, "lxc-info", "-P", lp, "-n", name, "-s", "-H"))
}

func freezerState(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(cgroupOf(t, pid, "freezer"), "freezer.state"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestLXCToolsManageGolxcContainer(t *testing.T) {
	needRoot(t)
	for _, tool := range []string{"lxc-info", "lxc-stop", "lxc-wait", "lxc-freeze", "lxc-unfreeze", "lxc-cgroup", "lxc-ls"} {
		lxcTool(t, tool)
	}
	lp := cleanLxcpath(t)
	const name = "io-g1"
	busybox(t, lp, name)
	cleanLXCRunFiles(t, lp)
	startRunning(t, lp, name)

	if got := lxcState(t, lp, name); got != "RUNNING" {
		t.Fatalf("LXC's lxc-info -s: %s", got)
	}
	pid := initPid(t, lp, name)
	if got := strings.TrimSpace(lxcOut(t, "lxc-info", "-P", lp, "-n", name, "-p", "-H")); got != strconv.Itoa(pid) {
		t.Fatalf("LXC's lxc-info -p: %s, ours %d", got, pid)
	}
	if theirs, ours := lxcOut(t, "lxc-ls", "-P", lp, "-f"), mustRun(t, "lxc-ls", "-P", lp, "-f").stdout; theirs != ours {
		t.Fatalf("lxc-ls -f differs:\nLXC:\n%s\ngolxc:\n%s", theirs, ours)
	}

	lxcOut(t, "lxc-freeze", "-P", lp, "-n", name)
	if got := state(t, lp, name); got != "FROZEN" {
		t.Fatalf("after LXC's lxc-freeze our lxc-info -s says %s", got)
	}
	if got := freezerState(t, pid); got != "FROZEN" {
		t.Fatalf("after LXC's lxc-freeze freezer.state is %s", got)
	}
	lxcOut(t, "lxc-wait", "-P", lp, "-n", name, "-s", "STOPPED|FROZEN", "-t", "10")
	lxcOut(t, "lxc-unfreeze", "-P", lp, "-n", name)
	if got := state(t, lp, name); got != "RUNNING" {
		t.Fatalf("after LXC's lxc-unfreeze our lxc-info -s says %s", got)
	}
	if got := freezerState(t, pid); got != "THAWED" {
		t.Fatalf("after LXC's lxc-unfreeze freezer.state is %s", got)
	}

	lxcOut(t, "lxc-cgroup", "-P", lp, "-n", name, "memory.limit_in_bytes", "256M")
	if got := lxcOut(t, "lxc-cgroup", "-P", lp, "-n", name, "memory.limit_in_bytes"); got != "268435456\n\n" {
		t.Fatalf("LXC's lxc-cgroup get: %q", got)
	}
	expect(t, run(t, nil, "lxc-cgroup", "-P", lp, "-n", name, "memory.limit_in_bytes"), 0, "268435456\n\n", "")

	// Clean shutdown (lxc.signal.halt of the busybox template), then kill.
	lxcOut(t, "lxc-stop", "-P", lp, "-n", name, "-t", "20")
	if got := state(t, lp, name); got != "STOPPED" {
		t.Fatalf("after LXC's lxc-stop: %s", got)
	}
	assertClean(t, lp, name)
	startRunning(t, lp, name)
	lxcOut(t, "lxc-stop", "-P", lp, "-n", name, "-k")
	lxcOut(t, "lxc-wait", "-P", lp, "-n", name, "-s", "STOPPED", "-t", "10")
	assertClean(t, lp, name)
}

func TestGolxcToolsManageLXCContainer(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	const name = "io-l1"
	lxcStarted(t, lp, name)

	if got := state(t, lp, name); got != "RUNNING" {
		t.Fatalf("our lxc-info -s: %s", got)
	}
	pid := initPid(t, lp, name)
	if got := strings.TrimSpace(lxcOut(t, "lxc-info", "-P", lp, "-n", name, "-p", "-H")); got != strconv.Itoa(pid) {
		t.Fatalf("LXC's lxc-info -p: %s, ours %d", got, pid)
	}
	if theirs, ours := lxcOut(t, "lxc-ls", "-P", lp, "-f"), mustRun(t, "lxc-ls", "-P", lp, "-f").stdout; theirs != ours {
		t.Fatalf("lxc-ls -f differs:\nLXC:\n%s\ngolxc:\n%s", theirs, ours)
	}

	expect(t, run(t, nil, "lxc-freeze", "-P", lp, "-n", name), 0, "", "")
	if got := lxcState(t, lp, name); got != "FROZEN" {
		t.Fatalf("after our lxc-freeze LXC's lxc-info -s says %s", got)
	}
	if got := freezerState(t, pid); got != "FROZEN" {
		t.Fatalf("after our lxc-freeze freezer.state is %s", got)
	}
	for _, p := range payloadPids(t, pid) {
		if st := procState(t, p); st != "D" {
			t.Fatalf("pid %d of the frozen LXC container is in state %s", p, st)
		}
	}
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "STOPPED|FROZEN", "-t", "10"), 0, "", "")
	expect(t, run(t, nil, "lxc-unfreeze", "-P", lp, "-n", name), 0, "", "")
	if got := lxcState(t, lp, name); got != "RUNNING" {
		t.Fatalf("after our lxc-unfreeze LXC's lxc-info -s says %s", got)
	}

	expect(t, run(t, nil, "lxc-cgroup", "-P", lp, "-n", name, "memory.limit_in_bytes", "256M"), 0, "", "")
	expect(t, run(t, nil, "lxc-cgroup", "-P", lp, "-n", name, "memory.limit_in_bytes"), 0, "268435456\n\n", "")
	if got := lxcOut(t, "lxc-cgroup", "-P", lp, "-n", name, "memory.limit_in_bytes"); got != "268435456\n\n" {
		t.Fatalf("LXC's lxc-cgroup get after our set: %q", got)
	}

	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-t", "20"), 0, "", "")
	if got := lxcState(t, lp, name); got != "STOPPED" {
		t.Fatalf("after our clean lxc-stop LXC says %s", got)
	}
	lxcStart(t, lp, name)
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k"), 0, "", "")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "STOPPED", "-t", "10"), 0, "", "")
	if got := lxcState(t, lp, name); got != "STOPPED" {
		t.Fatalf("after our lxc-stop -k LXC says %s", got)
	}
}

// TestMonitorRelaysLXCMonitord: with an LXC lxc-monitord running for the
// lxcpath, our lxc-monitor also shows containers LXC's tools run (their
// monitors only write LXC's FIFO), and golxc containers, which both push
// and write the FIFO, still show once.
func TestMonitorRelaysLXCMonitord(t *testing.T) {
	needRoot(t)
	lxcMonitor := lxcTool(t, "lxc-monitor")
	lxcExecute := lxcTool(t, "lxc-execute")
	lp := cleanLxcpath(t)
	busybox(t, lp, "mr-c1", "lxc.apparmor.profile = unconfined")
	cleanLXCRunFiles(t, lp)
	clients := startLXCMonitord(t, lxcMonitor, lp)
	before := clients()
	out := startMonitor(t, "-P", lp, "-n", "mr-.*")
	// lxc-monitord relays only to clients it accepted; a record before
	// that is lost (for LXC's own lxc-monitor too).
	eventually(t, "lxc-monitord to accept our lxc-monitor", func() bool { return clients() > before })

	if r := runPath(t, nil, lxcExecute, "-P", lp, "-n", "mr-c1", "--", "/bin/sh", "-c", "exit 2"); r.code != 2 {
		t.Fatalf("LXC's lxc-execute: %s", r)
	}
	if r := run(t, nil, "lxc-execute", "-P", lp, "-n", "mr-c1", "--", "/bin/sh", "-c", "exit 4"); r.code != 4 {
		t.Fatalf("lxc-execute: %s", r)
	}
	// A last run: a duplicate of the one before would show up before it.
	if r := run(t, nil, "lxc-execute", "-P", lp, "-n", "mr-c1", "--", "/bin/sh", "-c", "exit 5"); r.code != 5 {
		t.Fatalf("lxc-execute: %s", r)
	}
	var want []string
	for _, code := range []string{"2", "4", "5"} {
		for _, s := range []string{"STARTING", "RUNNING", "exited " + code, "STOPPING", "STOPPED"} {
			want = append(want, monitorLine("mr-c1", s))
		}
	}
	if got := readLines(t, out, len(want)); strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("lxc-monitor printed\n%s\nwant\n%s", strings.Join(got, ""), strings.Join(want, ""))
	}
}

// startLXCMonitord runs LXC's lxc-monitor, which spawns lxc-monitord for
// lp, until lxc-monitord listens; the daemon is told to quit at the end
// and the run directory it leaves (RUNDIR/lxc/LXCPATH) removed. clients
// counts the daemon's sockets (its listener and the clients it accepted).
func startLXCMonitord(t *testing.T, lxcMonitor, lp string) (clients func() int) {
	t.Helper()
	cmd := exec.Command(lxcMonitor, "-P", lp, "-n", "nothing-matches")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := func() bool {
		b, _ := os.ReadFile("/proc/net/unix")
		return strings.Contains(string(b), "/"+lp+"\n")
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		run(t, nil, "lxc-monitor", "-Q", "-P", lp)
		eventually(t, "lxc-monitord to quit", func() bool { return !listening() })
		for d := filepath.Join("/run/lxc", lp); d != "/run/lxc"; d = filepath.Dir(d) {
			if os.Remove(d) != nil {
				break // not empty: someone else's
			}
		}
	})
	eventually(t, "LXC's lxc-monitord", listening)
	pid := 0
	eventually(t, "lxc-monitord's pid", func() bool {
		pid = pidOf("/usr/libexec/lxc/lxc-monitord\x00" + lp + "\x00")
		return pid != 0
	})
	return func() int {
		n := 0
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			if l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); strings.HasPrefix(l, "socket:") {
				n++
			}
		}
		return n
	}
}

// pidOf is the pid of a process whose command line starts with prefix
// (arguments NUL-separated), 0 if none.
func pidOf(prefix string) int {
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); strings.HasPrefix(string(b), prefix) {
			return pid
		}
	}
	return 0
}

// TestMonitorIgnoresFakeMonitord: anyone can bind lxc-monitord's abstract
// name while no lxc-monitord runs; a root lxc-monitor must not print what
// an unprivileged impostor sends it.
func TestMonitorIgnoresFakeMonitord(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	busybox(t, lp, "mf-c1")
	fake := listenAs(t, 65534, monitordAddrOf(lp))
	go func() { // the impostor tells every client a lie
		for {
			c, err := fake.Accept()
			if err != nil {
				return
			}
			c.Write(lxcMsg("mf-c1", 6)) // FROZEN
			c.Close()
		}
	}()
	out := startMonitor(t, "-P", lp, "-n", "mf-.*")
	if r := run(t, nil, "lxc-execute", "-P", lp, "-n", "mf-c1", "--", "/bin/true"); r.code != 0 {
		t.Fatalf("lxc-execute: %s", r)
	}
	var want []string
	for _, s := range []string{"STARTING", "RUNNING", "exited 0", "STOPPING", "STOPPED"} {
		want = append(want, monitorLine("mf-c1", s))
	}
	if got := readLines(t, out, len(want)); strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("lxc-monitor printed\n%s\nwant\n%s", strings.Join(got, ""), strings.Join(want, ""))
	}
}

// monitordAddrOf is LXC's lxc-monitord address of lp (the abstract name,
// without the leading NUL): lxc/FNV64A("lxc/LP/monitor-sock")/LP.
func monitordAddrOf(lp string) string {
	h := fnv.New64a()
	h.Write([]byte("lxc/" + lp + "/monitor-sock"))
	return fmt.Sprintf("lxc/%016x/%s", h.Sum64(), lp)
}

// lxcMsg is a struct lxc_msg of type 0 (state).
func lxcMsg(name string, state int32) []byte {
	b := make([]byte, 264)
	copy(b[4:], name)
	binary.NativeEndian.PutUint32(b[260:], uint32(state))
	return b
}

// listenAs listens on the abstract name as uid: the socket is made on a
// thread that switched to uid and is then thrown away (a raw setresuid
// changes that thread only), so the listener's credentials are uid's.
func listenAs(t *testing.T, uid int, name string) net.Listener {
	t.Helper()
	type result struct {
		ln  net.Listener
		err error
	}
	done := make(chan result)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with us
		if _, _, e := syscall.RawSyscall(syscall.SYS_SETRESUID, uintptr(uid), uintptr(uid), uintptr(uid)); e != 0 {
			done <- result{nil, e}
			return
		}
		ln, err := net.Listen("unix", "@"+name)
		done <- result{ln, err}
	}()
	r := <-done
	if r.err != nil {
		t.Fatalf("listening on @%s as uid %d: %v", name, uid, r.err)
	}
	t.Cleanup(func() { r.ln.Close() })
	return r.ln
}
