package integration

import (
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// An idle container's monitor execs itself into a small C loop
// (internal/nsexec/hibernate.c) that answers the query tools; anything
// else wakes the Go monitor. These tests watch it through the monitor's
// thread count (the C loop has one thread, a Go monitor several) and its
// debug log, which counts every hibernation and every wake.

// hibernatedMaxKiB bounds a hibernated monitor's RssAnon: measured 84-104
// KiB (libc's start, the answer table, the stack), against ~1.3 MiB for
// the Go monitor and 368 KiB for LXC 5.0.2's monitor.
const hibernatedMaxKiB = 256

type hibernation struct {
	t        *testing.T
	lp, name string
	log      string
}

// hibernatingContainer starts a busybox container whose monitor logs at
// DEBUG, and waits until the monitor hibernated.
func hibernatingContainer(t *testing.T, name string, extra ...string) *hibernation {
	t.Helper()
	needRoot(t)
	lp := cleanLxcpath(t)
	busybox(t, lp, name, extra...)
	h := &hibernation{t: t, lp: lp, name: name, log: filepath.Join(t.TempDir(), "monitor.log")}
	startRunning(t, lp, name, "-l", "DEBUG", "-o", h.log)
	h.waitHibernated()
	return h
}

// monitor is the monitor's pid. A monitor between the Go loop and the C
// loop is in execve, where its cmdline cannot be read for a moment (the
// thread count drops to one before the new image runs): look again for
// up to a second before failing.
func (h *hibernation) monitor() int {
	h.t.Helper()
	var mons []int
	for i := 0; i < 20; i++ {
		if mons = monitors(h.lp, h.name); len(mons) == 1 {
			return mons[0]
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatalf("monitors of %s: %v", h.name, mons)
	return 0
}

// count is how often the monitor's log says what.
func (h *hibernation) count(what string) int {
	b, _ := os.ReadFile(h.log)
	return strings.Count(string(b), what)
}

func (h *hibernation) wakes() int { return h.count("Monitor resumed from hibernation") }

// hibernated: the monitor runs the C loop now.
func (h *hibernation) hibernated() bool {
	mons := monitors(h.lp, h.name)
	return len(mons) == 1 && procStatus(h.t, mons[0], "Threads") == "1" &&
		h.count("Hibernating the monitor") == h.wakes()+1
}

func (h *hibernation) waitHibernated() {
	h.t.Helper()
	eventually(h.t, "the monitor of "+h.name+" to hibernate", h.hibernated)
}

func (h *hibernation) rssAnon() int {
	h.t.Helper()
	kb, err := strconv.Atoi(strings.TrimSuffix(procStatus(h.t, h.monitor(), "RssAnon"), " kB"))
	if err != nil {
		h.t.Fatal(err)
	}
	return kb
}

// The query tools are answered by the C loop itself: no wake.
func TestHibernatedMonitorServesQueries(t *testing.T) {
	h := hibernatingContainer(t, "cmon-hq1")
	mon := h.monitor()
	if kb := h.rssAnon(); kb > hibernatedMaxKiB {
		t.Fatalf("hibernated monitor RssAnon %d KiB, more than %d", kb, hibernatedMaxKiB)
	}
	// Same pid, same process title, same comm as the Go monitor had.
	if got := procStatus(t, mon, "Name"); got != "lxc-start" && got != "golxc" {
		t.Errorf("hibernated monitor comm %q", got)
	}
	init := initPid(t, h.lp, h.name)
	r := mustRun(t, "lxc-info", "-P", h.lp, "-n", h.name)
	for _, want := range []string{"State:          RUNNING\n", "PID:            " + strconv.Itoa(init) + "\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("lxc-info output lacks %q:\n%s", want, r.stdout)
		}
	}
	expect(t, run(t, nil, "lxc-info", "-P", h.lp, "-n", h.name, "-c", "lxc.uts.name"), 0, "lxc.uts.name = "+h.name+"\n", "")
	if r := mustRun(t, "lxc-ls", "-P", h.lp, "-f"); !strings.Contains(r.stdout, h.name) || !strings.Contains(r.stdout, "RUNNING") {
		t.Fatalf("lxc-ls -f:\n%s", r.stdout)
	}
	mustRun(t, "lxc-wait", "-P", h.lp, "-n", h.name, "-s", "RUNNING", "-t", "5")
	for i := 0; i < 50; i++ {
		mustRun(t, "lxc-info", "-P", h.lp, "-n", h.name, "-s")
	}
	if n := h.wakes(); n != 0 {
		t.Fatalf("the query tools woke the hibernated monitor %d times", n)
	}
	if got := h.monitor(); got != mon {
		t.Fatalf("monitor pid changed from %d to %d", mon, got)
	}
	if kb := h.rssAnon(); kb > hibernatedMaxKiB {
		t.Fatalf("hibernated monitor RssAnon %d KiB after queries, more than %d", kb, hibernatedMaxKiB)
	}
}

// A hibernated monitor holds no cgroup file open for reading: an open
// kernfs file keeps a 4 KiB seq_file buffer in the kernel from its first
// read until it is closed, and the loop reads its freezer guards on every
// request. The guards are O_PATH descriptors it reopens for each check.
func TestHibernatedMonitorHoldsNoCgroupFileOpen(t *testing.T) {
	h := hibernatingContainer(t, "kmem-h1")
	for i := 0; i < 3; i++ {
		mustRun(t, "lxc-info", "-P", h.lp, "-n", h.name, "-s")
	}
	if n := h.wakes(); n != 0 {
		t.Fatalf("lxc-info woke the hibernated monitor %d times", n)
	}
	mon := h.monitor()
	dir := "/proc/" + strconv.Itoa(mon) + "/fd"
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	guards := 0
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil || !strings.HasPrefix(target, "/sys/fs/cgroup/") {
			continue
		}
		if st, err := os.Stat(filepath.Join(dir, e.Name())); err != nil || !st.Mode().IsRegular() {
			continue // a directory: no seq_file behind it
		}
		info, err := os.ReadFile("/proc/" + strconv.Itoa(mon) + "/fdinfo/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		var flags int64
		for _, l := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(l, "flags:"); ok {
				flags, _ = strconv.ParseInt(strings.TrimSpace(v), 8, 64)
			}
		}
		if flags&unix.O_PATH == 0 {
			t.Errorf("hibernated monitor holds %s open for reading (fd %s, flags %o)", target, e.Name(), flags)
		}
		if b := filepath.Base(target); b == "freezer.state" || b == "cgroup.freeze" || b == "cgroup.events" {
			guards++
		}
	}
	if guards == 0 {
		t.Fatalf("no freezer guard among the hibernated monitor's descriptors")
	}
}

// Everything else wakes the Go monitor, which does the work and
// hibernates again.
func TestHibernatedMonitorWakes(t *testing.T) {
	h := hibernatingContainer(t, "cmon-hw1")
	woke := func(what string, n int) {
		t.Helper()
		if got := h.wakes(); got != n {
			t.Fatalf("%s: %d wakes, want %d", what, got, n)
		}
		h.waitHibernated()
	}
	// golxc's lxc-attach asks only what the table answers (init's pid,
	// pidfd, clone flags, cgroups, config items).
	expect(t, run(t, nil, "lxc-attach", "-P", h.lp, "-n", h.name, "--", "/bin/echo", "attached"), 0, "attached\n", "")
	woke("lxc-attach", 0)

	mustRun(t, "lxc-freeze", "-P", h.lp, "-n", h.name)
	if got := state(t, h.lp, h.name); got != "FROZEN" {
		t.Fatalf("after lxc-freeze: %s", got)
	}
	mustRun(t, "lxc-unfreeze", "-P", h.lp, "-n", h.name)
	if got := state(t, h.lp, h.name); got != "RUNNING" {
		t.Fatalf("after lxc-unfreeze: %s", got)
	}
	woke("lxc-freeze/lxc-unfreeze", 1)

	// Frozen behind the monitor's back: the freezer guard sends the
	// query to the Go monitor, which reads the kernel's state.
	fz := filepath.Join(cgroupOf(t, initPid(t, h.lp, h.name), "freezer"), "freezer.state")
	if err := os.WriteFile(fz, []byte("FROZEN"), 0); err != nil {
		t.Fatal(err)
	}
	got := state(t, h.lp, h.name)
	if err := os.WriteFile(fz, []byte("THAWED"), 0); err != nil {
		t.Fatal(err)
	}
	if got != "FROZEN" {
		t.Fatalf("frozen through freezer.state while hibernated: lxc-info says %s", got)
	}
	woke("freezer.state written directly", 2)

	p := startPTY(t, "lxc-console", "-P", h.lp, "-n", h.name, "-t", "1")
	p.waitFor("Connected to tty 1")
	p.waitForPoking(h.name+" login:", "\r")
	p.write("\x01q")
	if code := p.wait(); code != 0 {
		t.Fatalf("lxc-console exit %d: %q", code, p.output())
	}
	woke("lxc-console", 3)

	// A state listener wakes it too and is told about the stop.
	done := make(chan result, 1)
	go func() {
		r, _ := execBounded(0, nil, filepath.Join(binDir, "lxc-wait"), "-P", h.lp, "-n", h.name, "-s", "STOPPED", "-t", "30")
		done <- r
	}()
	eventually(t, "lxc-wait -s STOPPED to wake the monitor", func() bool { return h.wakes() == 4 })
	mustRun(t, "lxc-stop", "-P", h.lp, "-n", h.name, "-k")
	if r := <-done; r.code != 0 {
		t.Fatalf("lxc-wait -s STOPPED: %s", r)
	}
	if got := state(t, h.lp, h.name); got != "STOPPED" {
		t.Fatalf("after lxc-stop: %s", got)
	}
	assertClean(t, h.lp, h.name)
}

func TestHibernatedMonitorStop(t *testing.T) {
	h := hibernatingContainer(t, "cmon-hs1")
	mustRun(t, "lxc-stop", "-P", h.lp, "-n", h.name, "-t", "10")
	if got := state(t, h.lp, h.name); got != "STOPPED" {
		t.Fatalf("after lxc-stop: %s", got)
	}
	assertClean(t, h.lp, h.name)
}

// init's exit while the monitor is hibernated: the pidfd wakes it and the
// Go monitor tears the container down.
func TestHibernatedMonitorInitExit(t *testing.T) {
	h := hibernatingContainer(t, "cmon-he1")
	if err := syscall.Kill(initPid(t, h.lp, h.name), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	assertClean(t, h.lp, h.name)
	if h.wakes() != 1 {
		t.Fatalf("%d wakes, want 1", h.wakes())
	}
	if got := state(t, h.lp, h.name); got != "STOPPED" {
		t.Fatalf("after init's exit: %s", got)
	}
}

// SIGTERM to a hibernated monitor tears the container down, as it does
// for the Go monitor.
func TestHibernatedMonitorSIGTERM(t *testing.T) {
	h := hibernatingContainer(t, "cmon-ht1")
	if err := syscall.Kill(h.monitor(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	assertClean(t, h.lp, h.name)
}

// A hibernated monitor killed outright takes its init with it (the
// parent-death signal follows the thread that forked init, the one the
// monitor exec'd from), and the next start sweeps what it left.
func TestHibernatedMonitorKilled(t *testing.T) {
	h := hibernatingContainer(t, "cmon-hk1")
	init := initPid(t, h.lp, h.name)
	if err := syscall.Kill(h.monitor(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "init to die with its monitor", func() bool {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(init) + "/stat")
		return err != nil || strings.Contains(string(b), ") Z ")
	})
	if got := state(t, h.lp, h.name); got != "STOPPED" {
		t.Fatalf("after the monitor's death: %s", got)
	}
	startRunning(t, h.lp, h.name)
	killStop(t, h.lp, h.name)
	assertClean(t, h.lp, h.name)
}

// LXC 5.0.2's own tools on a hibernated golxc monitor.
func TestHibernatedMonitorLXCTools(t *testing.T) {
	info := lxcTool(t, "lxc-info")
	h := hibernatingContainer(t, "cmon-hl1")
	cleanLXCRunFiles(t, h.lp)
	init := initPid(t, h.lp, h.name)
	h.waitHibernated()
	r := runPath(t, nil, info, "-P", h.lp, "-n", h.name)
	if r.code != 0 || !strings.Contains(r.stdout, "RUNNING") || !strings.Contains(r.stdout, strconv.Itoa(init)) ||
		!strings.Contains(r.stdout, "Memory use:") {
		t.Fatalf("LXC's lxc-info on a hibernated monitor: %s", r)
	}
	// Its statistics come through GET_LIMIT_CGROUP_FD, which the loop
	// answers with the directories it holds; lxc-cgroup reads the same way.
	if r := runPath(t, nil, lxcTool(t, "lxc-cgroup"), "-P", h.lp, "-n", h.name, "pids.max"); r.code != 0 || strings.TrimSpace(r.stdout) != "max" {
		t.Fatalf("LXC's lxc-cgroup on a hibernated monitor: %s", r)
	}
	if n := h.wakes(); n != 0 {
		t.Fatalf("LXC's lxc-info and lxc-cgroup woke the hibernated monitor %d times", n)
	}
	r = runPath(t, nil, lxcTool(t, "lxc-attach"), "-P", h.lp, "-n", h.name, "--", "/bin/echo", "lxc-attached")
	if r.code != 0 || r.stdout != "lxc-attached\n" {
		t.Fatalf("LXC's lxc-attach on a hibernated monitor: %s", r)
	}
	h.waitHibernated()
	if r := runPath(t, nil, lxcTool(t, "lxc-stop"), "-P", h.lp, "-n", h.name, "-k"); r.code != 0 {
		t.Fatalf("LXC's lxc-stop on a hibernated monitor: %s", r)
	}
	assertClean(t, h.lp, h.name)
}

// A reboot asked of a hibernated monitor: the woken Go monitor boots the
// container again (forking the new init on the thread the C loop exec'd
// it on), hibernates again, and its death still takes the new init along.
func TestHibernatedMonitorReboot(t *testing.T) {
	h := hibernatingContainer(t, "cmon-hr1")
	first := initPid(t, h.lp, h.name)
	mustRun(t, "lxc-stop", "-P", h.lp, "-n", h.name, "-r", "-t", "10")
	var second int
	eventually(t, "a new init after the reboot", func() bool {
		r := run(t, nil, "lxc-info", "-P", h.lp, "-n", h.name, "-p", "-H")
		second, _ = strconv.Atoi(strings.TrimSpace(r.stdout))
		return r.code == 0 && second > 1 && second != first
	})
	h.waitHibernatedAgain()
	if err := syscall.Kill(h.monitor(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the rebooted init to die with its monitor", func() bool {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(second) + "/stat")
		return err != nil || strings.Contains(string(b), ") Z ")
	})
	startRunning(t, h.lp, h.name)
	killStop(t, h.lp, h.name)
	assertClean(t, h.lp, h.name)
}

// waitHibernatedAgain waits for a hibernation after the last wake.
func (h *hibernation) waitHibernatedAgain() {
	h.t.Helper()
	eventually(h.t, "the monitor of "+h.name+" to hibernate again", func() bool {
		return h.wakes() > 0 && h.hibernated()
	})
}

// A veth container hibernates too: the network is handed over, so the
// host side is still deleted at stop and lxc-info still names it.
func TestHibernatedMonitorVeth(t *testing.T) {
	h := hibernatingContainer(t, "cmon-hv1", "lxc.net.0.type = veth", "lxc.net.0.flags = up")
	// lxc-info's Link line is the generated veth.pair of the running
	// configuration, which only the monitor knows.
	r := mustRun(t, "lxc-info", "-P", h.lp, "-n", h.name)
	pair := ""
	for _, l := range strings.Split(r.stdout, "\n") {
		if v, ok := strings.CutPrefix(l, "Link:"); ok {
			pair = strings.TrimSpace(v)
		}
	}
	if pair == "" {
		t.Fatalf("lxc-info shows no link:\n%s", r.stdout)
	}
	if _, err := os.Stat("/sys/class/net/" + pair); err != nil {
		t.Fatalf("host veth %s: %v", pair, err)
	}
	if n := h.wakes(); n != 0 {
		t.Fatalf("lxc-info woke the monitor %d times", n)
	}
	// Wake it (a freeze), let it hibernate again, then stop: the monitor
	// that tears down is a resumed one.
	mustRun(t, "lxc-freeze", "-P", h.lp, "-n", h.name)
	mustRun(t, "lxc-unfreeze", "-P", h.lp, "-n", h.name)
	h.waitHibernatedAgain()
	killStop(t, h.lp, h.name)
	assertClean(t, h.lp, h.name)
	if _, err := os.Stat("/sys/class/net/" + pair); err == nil {
		t.Fatalf("host veth %s left after the stop", pair)
	}
	ents, _ := os.ReadDir("/run/golxc/network")
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), h.name+"-") {
			t.Fatalf("network record %s left after the stop", e.Name())
		}
	}
}

// A woken monitor starts a Go runtime again: like lxc-start's, its sysmon
// gets a coarse timer slack (its 20 us polls of the first milliseconds,
// a stop's teardown included, become a few wake-ups), while its main
// thread and what it starts (here the post-stop hook) keep the caller's.
func TestHibernatedMonitorWakesWithCoarseSlack(t *testing.T) {
	own, err := os.ReadFile("/proc/self/timerslack_ns")
	if err != nil {
		t.Skipf("no timerslack_ns: %v", err)
	}
	callers := strings.TrimSpace(string(own))
	const coarse = "1000000"
	if callers == coarse {
		t.Skip("the test already runs with 1 ms of timer slack")
	}
	out := t.TempDir()
	h := hibernatingContainer(t, "cmon-hsl1",
		"lxc.hook.post-stop = /bin/sh -c 'cat /proc/self/timerslack_ns > "+out+"/hook.tmp && mv "+out+"/hook.tmp "+out+"/hook'")
	mon := h.monitor()
	// A state listener wakes the Go monitor and keeps it awake.
	done := make(chan result, 1)
	go func() {
		r, _ := execBounded(0, nil, filepath.Join(binDir, "lxc-wait"), "-P", h.lp, "-n", h.name, "-s", "STOPPED", "-t", "30")
		done <- r
	}()
	eventually(t, "lxc-wait -s STOPPED to wake the monitor", func() bool { return h.wakes() == 1 })
	slack := map[string]string{}
	tids, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(mon), "task"))
	if err != nil {
		t.Fatal(err)
	}
	sawCoarse := false
	for _, tid := range tids {
		b, err := os.ReadFile(filepath.Join("/proc", tid.Name(), "timerslack_ns"))
		if err != nil {
			t.Fatal(err)
		}
		slack[tid.Name()] = strings.TrimSpace(string(b))
		sawCoarse = sawCoarse || slack[tid.Name()] == coarse
	}
	if main := slack[strconv.Itoa(mon)]; main != callers {
		t.Errorf("the woken monitor's main thread has %s ns of slack, want the caller's %s (threads: %v)", main, callers, slack)
	}
	if !sawCoarse {
		t.Errorf("no thread of the woken monitor has the coarse slack %s (sysmon's): %v", coarse, slack)
	}
	mustRun(t, "lxc-stop", "-P", h.lp, "-n", h.name, "-k")
	if r := <-done; r.code != 0 {
		t.Fatalf("lxc-wait -s STOPPED: %s", r)
	}
	if got, _ := os.ReadFile(filepath.Join(out, "hook")); strings.TrimSpace(string(got)) != callers {
		t.Errorf("the post-stop hook's slack: %q, want the caller's %s", got, callers)
	}
	assertClean(t, h.lp, h.name)
}

// A client that connects and sends its request only later (a probe
// connection kept for a later command, as cmdsock.Dial keeps one, and
// lxc-stop's clean halt did) does not hold up the hibernated monitor's
// one-at-a-time loop: other clients are answered meanwhile, and the late
// request is answered too (the loop used to block on it for its 2 s
// receive timeout, then drop it).
func TestHibernatedMonitorIdleClient(t *testing.T) {
	h := hibernatingContainer(t, "cmon-hidle")
	idle, err := net.Dial("unix", "@"+h.lp+"/"+h.name+"/command")
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// Others are served while the idle client is connected...
	for i := 0; i < 3; i++ {
		mustRun(t, "lxc-info", "-P", h.lp, "-n", h.name, "-s")
	}
	// ...and the idle one, once it speaks after the old receive timeout.
	time.Sleep(2500 * time.Millisecond)
	req := make([]byte, 16)
	binary.LittleEndian.PutUint32(req, 3) // LXC_CMD_GET_STATE
	if _, err := idle.Write(req); err != nil {
		t.Fatalf("write to the idle connection: %v", err)
	}
	idle.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp := make([]byte, 16)
	if _, err := io.ReadFull(idle, resp); err != nil {
		t.Fatalf("the late request on the idle connection got no answer: %v", err)
	}
	if ret := int32(binary.LittleEndian.Uint32(resp)); ret < 0 {
		t.Fatalf("the late request was answered %d", ret)
	}
}
