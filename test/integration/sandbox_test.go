package integration

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lxc-sandbox (golxc's own tool, seed 004): a volatile container over the
// host's root. Every test checks that nothing of the sandbox is left.

const sandboxTop = "/run/golxc-sandbox"

// sandboxLeftovers lists what lxc-sandbox must not leave after it ended:
// runtime directories, mounts, lock directories, cgroups of unnamed
// sandboxes, loop devices on files below imgDir ("" skips).
func sandboxLeftovers(imgDir string) []string {
	var out []string
	ents, _ := os.ReadDir(sandboxTop)
	for _, e := range ents {
		out = append(out, "runtime dir: "+filepath.Join(sandboxTop, e.Name()))
	}
	if f, err := os.Open("/proc/self/mountinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if strings.Contains(sc.Text(), sandboxTop) {
				out = append(out, "mount: "+sc.Text())
			}
		}
		f.Close()
	}
	locks, _ := os.ReadDir(filepath.Join("/run/lxc/lock", sandboxTop))
	for _, e := range locks {
		out = append(out, "lock: "+filepath.Join("/run/lxc/lock", sandboxTop, e.Name()))
	}
	recs, _ := filepath.Glob("/run/golxc/cgroups/sandbox-*")
	for _, r := range recs {
		out = append(out, "cgroup record: "+r)
	}
	for _, d := range cgroupDirs("sandbox") {
		out = append(out, "cgroup: "+d)
	}
	if imgDir != "" {
		files, _ := filepath.Glob("/sys/block/loop*/loop/backing_file")
		for _, f := range files {
			if b, _ := os.ReadFile(f); strings.HasPrefix(string(b), imgDir+"/") {
				out = append(out, "loop device: "+f+" "+strings.TrimSpace(string(b)))
			}
		}
	}
	return out
}

func assertSandboxClean(t *testing.T, imgDir string) {
	t.Helper()
	var left []string
	for i := 0; i < 200; i++ {
		if left = sandboxLeftovers(imgDir); len(left) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the sandbox left behind:\n%s", strings.Join(left, "\n"))
}

// sandboxTemp is a directory of the host's root filesystem (the overlay's
// lower layer shows it), removed after the test.
func sandboxTemp(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("/var/tmp", "sand-it-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// TestSandboxThrowaway: the first user story. The host's files are
// there, writes (over a host file too) vanish and never reach the host;
// the seed's defaults hold: hostname, caps, no block devices, lo only;
// the command's status is lxc-sandbox's.
func TestSandboxThrowaway(t *testing.T) {
	needRoot(t)
	dir := sandboxTemp(t)
	host := filepath.Join(dir, "hostfile")
	os.WriteFile(host, []byte("host\n"), 0o644)
	script := `cat ` + host + `; echo changed > ` + host + ` && cat ` + host + `
echo new > ` + dir + `/newfile && echo wrote
echo etc > /etc/golxc-sandbox-test && echo wrote-etc
hostname
grep CapBnd /proc/self/status
tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '
mknod /dev/sandblk b 7 0 2>/dev/null && echo blk-made || echo blk-refused
mknod /dev/sandchr c 1 3 && echo chr-made
cat /sys/class/net/lo/flags
exit 7`
	r := runPathTimeout(t, 0, nil, filepath.Join(binDir, "lxc-sandbox"), "--", "/bin/sh", "-c", script)
	if r.code != 7 {
		t.Fatalf("exit status not passed through: %s", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	want := []string{"host", "changed", "wrote", "wrote-etc", "sandbox"}
	if len(lines) < 10 || strings.Join(lines[:5], ",") != strings.Join(want, ",") {
		t.Fatalf("inside: %s", r)
	}
	capBnd, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(lines[5], "CapBnd:")), 16, 64)
	if err != nil {
		t.Fatalf("CapBnd line %q", lines[5])
	}
	for _, c := range []struct {
		name string
		bit  uint
	}{{"sys_module", 16}, {"sys_time", 25}, {"syslog", 34}} {
		if capBnd&(1<<c.bit) != 0 {
			t.Errorf("CapBnd %x keeps %s", capBnd, c.name)
		}
	}
	if capBnd&(1<<21) == 0 { // sys_admin stays, as in the seed
		t.Errorf("CapBnd %x lost sys_admin", capBnd)
	}
	if lines[6] != "lo" || lines[7] != "blk-refused" || lines[8] != "chr-made" || lines[9] != "0x9" {
		t.Errorf("interfaces / block device / lo up: %q", lines[6:])
	}
	if b, _ := os.ReadFile(host); string(b) != "host\n" {
		t.Errorf("the host file changed: %q", b)
	}
	for _, p := range []string{filepath.Join(dir, "newfile"), "/etc/golxc-sandbox-test"} {
		if _, err := os.Stat(p); err == nil {
			os.Remove(p)
			t.Errorf("%s reached the host", p)
		}
	}
	assertSandboxClean(t, "")
	// The command starts where lxc-sandbox was started.
	cmd := exec.Command(filepath.Join(binDir, "lxc-sandbox"), "--", "pwd")
	cmd.Dir = dir
	expect(t, runCmd(t, cmd), 0, dir+"\n", "")
	// A signal death reads as 128+N, as lxc-execute's.
	r = runPath(t, nil, filepath.Join(binDir, "lxc-sandbox"), "--", "/bin/sh", "-c", "kill -9 $$")
	if r.code != 137 {
		t.Errorf("killed command: %s", r)
	}
	assertSandboxClean(t, "")
}

// TestSandboxRW: --rw DIR keeps the changes for the next run, never on
// the host.
func TestSandboxRW(t *testing.T) {
	needRoot(t)
	rw := filepath.Join(sandboxTemp(t), "rw")
	target := "/etc/golxc-sandbox-rw-test"
	expect(t, run(t, nil, "lxc-sandbox", "--rw", rw, "--", "/bin/sh", "-c", "echo kept > "+target), 0, "", "")
	if _, err := os.Stat(target); err == nil {
		os.Remove(target)
		t.Fatal("the --rw change reached the host")
	}
	if b, err := os.ReadFile(filepath.Join(rw, "upper", target)); err != nil || string(b) != "kept\n" {
		t.Errorf("DIR/upper%s: %q %v", target, b, err)
	}
	expect(t, run(t, nil, "lxc-sandbox", "--rw", rw, "--", "cat", target), 0, "kept\n", "")
	// Without --rw the change is not there.
	r := run(t, nil, "lxc-sandbox", "--", "cat", target)
	if r.code == 0 {
		t.Errorf("a throw-away sandbox sees the --rw change: %s", r)
	}
	assertSandboxClean(t, "")
}

// TestSandboxLayers: a directory layer and a squashfs layer shadow the
// host's files, read-only: writes go to the writable layer; later layers
// lie over earlier ones; the loop device goes with the sandbox.
func TestSandboxLayers(t *testing.T) {
	needRoot(t)
	dir := sandboxTemp(t)
	for _, f := range []string{"a", "b"} {
		os.WriteFile(filepath.Join(dir, f), []byte("host\n"), 0o644)
	}
	layer := filepath.Join(dir, "layer")
	os.MkdirAll(filepath.Join(layer, dir), 0o755)
	os.WriteFile(filepath.Join(layer, dir, "a"), []byte("dir-layer\n"), 0o644)
	os.WriteFile(filepath.Join(layer, dir, "b"), []byte("dir-layer\n"), 0o644)
	args := []string{"--layer", layer}
	script := "cat " + dir + "/a " + dir + "/b; echo inside > " + dir + "/a && cat " + dir + "/a"
	want := "dir-layer\ndir-layer\ninside\n"
	imgDir := filepath.Join(dir, "img")
	if mk, err := exec.LookPath("mksquashfs"); err == nil {
		src := filepath.Join(dir, "sqsrc")
		os.MkdirAll(filepath.Join(src, dir), 0o755)
		os.WriteFile(filepath.Join(src, dir, "b"), []byte("squashfs-layer\n"), 0o644)
		os.MkdirAll(imgDir, 0o755)
		img := filepath.Join(imgDir, "layer.sfs")
		if out, err := exec.Command(mk, src, img, "-noappend", "-quiet").CombinedOutput(); err != nil {
			t.Fatalf("mksquashfs: %v %s", err, out)
		}
		args = append(args, "--layer", img)
		want = "dir-layer\nsquashfs-layer\ninside\n"
	} else {
		t.Log("mksquashfs missing (apt-get install squashfs-tools): squashfs layer not tested")
	}
	args = append(args, "--", "/bin/sh", "-c", script)
	expect(t, run(t, nil, "lxc-sandbox", args...), 0, want, "")
	if b, _ := os.ReadFile(filepath.Join(layer, dir, "a")); string(b) != "dir-layer\n" {
		t.Errorf("the layer changed: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a")); string(b) != "host\n" {
		t.Errorf("the host changed: %q", b)
	}
	assertSandboxClean(t, imgDir)
	r := run(t, nil, "lxc-sandbox", "--layer", filepath.Join(dir, "a"), "--", "true")
	if r.code != 1 || !strings.Contains(r.stderr, "neither a directory nor a squashfs image") {
		t.Errorf("a plain file as a layer: %s", r)
	}
	assertSandboxClean(t, "")
}

// TestSandboxNamedKeep: a named sandbox left running is a container of
// the lxcpath for lxc-ls and lxc-attach; lxc-stop ends it and then
// nothing of it is left, its directory in the lxcpath included.
func TestSandboxNamedKeep(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "sand-keep1"
	expect(t, run(t, nil, "lxc-sandbox", "-P", lp, "-n", name, "--keep"), 0, "", "")
	expect(t, run(t, nil, "lxc-ls", "-P", lp, "--running"), 0, name+"\n", "")
	expect(t, run(t, nil, "lxc-attach", "-P", lp, "-n", name, "--", "hostname"), 0, name+"\n", "")
	r := run(t, nil, "lxc-sandbox", "-P", lp, "-n", name, "--", "true")
	if r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("second sandbox of the same name: %s", r)
	}
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k"), 0, "", "")
	assertClean(t, lp, name)
	eventually(t, "the sandbox's directory to go", func() bool {
		_, err := os.Stat(filepath.Join(lp, name))
		return os.IsNotExist(err)
	})
	assertSandboxClean(t, "")
	// Its monitor killed: the guard cleans up after it.
	expect(t, run(t, nil, "lxc-sandbox", "-P", lp, "-n", name, "--keep"), 0, "", "")
	mons := monitors(lp, name)
	if len(mons) != 1 {
		t.Fatalf("monitors %v", mons)
	}
	syscall.Kill(mons[0], syscall.SIGKILL)
	assertClean(t, lp, name)
	assertSandboxClean(t, "")
	if _, err := os.Stat(filepath.Join(lp, name)); err == nil {
		t.Error("the killed sandbox's directory is left in the lxcpath")
	}
	r = run(t, nil, "lxc-sandbox", "--keep", "--", "true")
	if r.code != 1 || !strings.Contains(r.stderr, "--keep needs --name") {
		t.Errorf("--keep without a name: %s", r)
	}
}

// TestSandboxKilled: kill -9 of lxc-sandbox (it is the monitor) leaves no
// process, cgroup, mount, loop device, lock or directory: its guard
// removes them.
func TestSandboxKilled(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "sand-kill1"
	layer := filepath.Join(sandboxTemp(t), "layer")
	os.MkdirAll(layer, 0o755)
	br := netBridge(t, netSubnet(t)+"1/24")
	cmd := exec.Command(filepath.Join(binDir, "lxc-sandbox"), "-P", lp, "-n", name, "--layer", layer, "--net", "--bridge", br,
		"--", "/bin/sh", "-c", "while :; do sleep 1; done")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the sandbox to run", func() bool {
		r, _ := execBounded(0, nil, filepath.Join(binDir, "lxc-info"), "-P", lp, "-n", name, "-s", "-H")
		return r.stdout == "RUNNING\n"
	})
	init := initPid(t, lp, name)
	if len(sandboxLeftovers("")) == 0 || len(bridgePorts(br)) != 1 {
		t.Fatalf("a running sandbox shows nothing to leave behind (bridge ports %v): the check cannot fail", bridgePorts(br))
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	eventually(t, "the payload to die", func() bool { return !alive(init) })
	assertClean(t, lp, name)
	assertSandboxClean(t, "")
	if _, err := os.Stat(filepath.Join(lp, name)); err == nil {
		t.Error("the killed sandbox's directory is left in the lxcpath")
	}
	eventually(t, "the host veth to go", func() bool { return len(bridgePorts(br)) == 0 })
	eventually(t, "the network record to go", func() bool {
		recs, _ := filepath.Glob(filepath.Join("/run/golxc/network", name+"-*.json"))
		for _, r := range recs {
			if b, _ := os.ReadFile(r); strings.Contains(string(b), `"container":"`+filepath.Join(lp, name)+`"`) {
				return false
			}
		}
		return true
	})
}

// TestSandboxIDMap: with --idmap the sandbox's root is host uid 10000: a
// file it creates belongs to 10000 in the --rw directory.
func TestSandboxIDMap(t *testing.T) {
	needRoot(t)
	rw := filepath.Join(sandboxTemp(t), "rw")
	f := "/var/tmp/golxc-sandbox-idmap-" + strconv.Itoa(os.Getpid())
	expect(t, run(t, nil, "lxc-sandbox", "--idmap", "--rw", rw, "--", "/bin/sh", "-c", "id -u; echo x > "+f+"; cat /proc/self/uid_map | tr -s ' '"),
		0, "0\n 0 10000 65536\n", "")
	st, err := os.Stat(filepath.Join(rw, "upper", f))
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Sys().(*syscall.Stat_t); s.Uid != 10000 || s.Gid != 10000 {
		t.Errorf("owner %d:%d, want 10000:10000", s.Uid, s.Gid)
	}
	if _, err := os.Stat(f); err == nil {
		os.Remove(f)
		t.Error("the write reached the host")
	}
	assertSandboxClean(t, "")
}

// TestSandboxDesktop: --desktop maps the host's /tmp (a listening unix
// socket there is reachable, as the X server's) and passes DISPLAY.
func TestSandboxDesktop(t *testing.T) {
	needRoot(t)
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 missing: no client to reach the socket")
	}
	dir, err := os.MkdirTemp("/tmp", "sand-it-x11-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "X93")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("hello from the host\n"))
			c.Close()
		}
	}()
	client := "import socket; s=socket.socket(socket.AF_UNIX); s.connect('" + sock + "'); print(s.recv(100).decode().strip())"
	script := `echo "$DISPLAY"; ` + py + ` -c "` + client + `"; echo made > ` + dir + `/made`
	expect(t, run(t, []string{"DISPLAY=:93"}, "lxc-sandbox", "--desktop", "--", "/bin/sh", "-c", script),
		0, ":93\nhello from the host\n", "")
	if _, err := os.Stat(filepath.Join(dir, "made")); err != nil {
		t.Errorf("a write to the mapped /tmp is not on the host: %v", err)
	}
	// Without --desktop the socket is the lower layer's, not reachable.
	r := run(t, []string{"DISPLAY=:93"}, "lxc-sandbox", "--", "/bin/sh", "-c", `echo "$DISPLAY"; `+py+` -c "`+client+`" 2>/dev/null || echo refused`)
	expect(t, r, 0, "\nrefused\n", "")
	assertSandboxClean(t, "")
}

// TestSandboxNet: --net gives a veth on the (test) bridge with an address
// of its subnet and the bridge as gateway; the host end leaves with it.
func TestSandboxNet(t *testing.T) {
	needRoot(t)
	ipTool, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("ip (iproute2) missing")
	}
	sub := netSubnet(t)
	br := netBridge(t, sub+"1/24")
	r := run(t, nil, "lxc-sandbox", "--net", "--bridge", br, "--", "/bin/sh", "-c",
		ipTool+" -4 -o addr show dev eth0 | tr -s ' ' | cut -d' ' -f4; "+ipTool+" route show default | cut -d' ' -f1-3; ls /sys/class/net")
	if r.code != 0 {
		t.Fatal(r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], sub) || !strings.HasSuffix(lines[0], "/24") || lines[0] == sub+"1/24" ||
		lines[1] != "default via "+sub+"1" {
		t.Fatalf("inside: %s", r)
	}
	if ifs := strings.Join(lines[2:], " "); ifs != "eth0 lo" {
		t.Errorf("interfaces %q", ifs)
	}
	eventually(t, "the host veth to go", func() bool { return len(bridgePorts(br)) == 0 })
	r = run(t, nil, "lxc-sandbox", "--net", "--bridge", br, "--ip", sub+"77/24", "--", "/bin/sh", "-c",
		ipTool+" -4 -o addr show dev eth0 | tr -s ' ' | cut -d' ' -f4")
	expect(t, r, 0, sub+"77/24\n", "")
	assertSandboxClean(t, "")
}

// sandboxGuards lists the guard processes of sandbox name: the processes
// other than lxc-sandbox (pid sandbox) holding an open guard.json that
// names it. A guard forked by golxc's lxc-sandbox has the caller's
// environment; one exec'd has GOLXC_SANDBOX_GUARD=DIR in it: both hold
// the file open for its share lock.
func sandboxGuards(name string, sandbox int) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == sandbox {
			continue
		}
		fds, _ := os.ReadDir("/proc/" + e.Name() + "/fd")
		for _, fd := range fds {
			p, err := os.Readlink("/proc/" + e.Name() + "/fd/" + fd.Name())
			if err != nil || filepath.Base(p) != "guard.json" || !strings.HasPrefix(p, sandboxTop+"/") {
				continue
			}
			if st, _ := os.ReadFile(p); strings.Contains(string(st), `"Name":"`+name+`"`) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// TestSandboxGuardForked: golxc's lxc-sandbox starts its guard before the
// Go runtime starts instead of exec'ing golxc as one: the guard is its
// child, named sandbox-guard, in a session of its own, sharing its
// address space (no page tables copied), with nothing of the caller's but
// /dev/null as stdio, and was never exec'd (no GOLXC_SANDBOX_GUARD in its
// environment). Killed, lxc-sandbox leaves
// nothing: that guard cleans up as the exec'd one did.
func TestSandboxGuardForked(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "sand-gfork1"
	cmd := exec.Command(filepath.Join(binDir, "lxc-sandbox"), "-P", lp, "-n", name, "--", "/bin/sh", "-c", "while :; do sleep 1; done")
	out, err := cmd.StdoutPipe() // a caller's pipe the guard must not hold
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the sandbox to run", func() bool {
		r, _ := execBounded(0, nil, filepath.Join(binDir, "lxc-info"), "-P", lp, "-n", name, "-s", "-H")
		return r.stdout == "RUNNING\n"
	})
	guards := sandboxGuards(name, cmd.Process.Pid)
	if len(guards) != 1 {
		t.Fatalf("guards of %s: %v", name, guards)
	}
	g := strconv.Itoa(guards[0])
	comm, _ := os.ReadFile("/proc/" + g + "/comm")
	env, _ := os.ReadFile("/proc/" + g + "/environ")
	stat, _ := os.ReadFile("/proc/" + g + "/stat")
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	if string(comm) != "sandbox-guard\n" || strings.Contains(string(env), "GOLXC_SANDBOX_GUARD=") ||
		len(f) < 4 || f[1] != strconv.Itoa(cmd.Process.Pid) || f[3] != g {
		t.Errorf("guard %s: comm %q, parent and session %v, exec'd: %v; want sandbox-guard, a child of lxc-sandbox %d in its own session, not exec'd",
			g, comm, f[1:4], strings.Contains(string(env), "GOLXC_SANDBOX_GUARD="), cmd.Process.Pid)
	}
	// One address space (clone(CLONE_VM), no copy of lxc-sandbox's page
	// tables): kcmp(2) KCMP_VM says 0.
	const sysKcmp, kcmpVM = 312, 1
	if r, _, errno := syscall.Syscall6(sysKcmp, uintptr(cmd.Process.Pid), uintptr(guards[0]), kcmpVM, 0, 0, 0); errno != 0 || r != 0 {
		t.Errorf("the guard does not share lxc-sandbox's address space: kcmp %d, %v", r, errno)
	}
	for _, fd := range []string{"0", "1", "2"} {
		if p, _ := os.Readlink("/proc/" + g + "/fd/" + fd); p != "/dev/null" {
			t.Errorf("guard's fd %s is %q, want /dev/null", fd, p)
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	io.Copy(io.Discard, out) // end of file once no process holds the pipe
	cmd.Wait()
	assertClean(t, lp, name)
	assertSandboxClean(t, "")
	if _, err := os.Stat(filepath.Join(lp, name)); err == nil {
		t.Error("the killed sandbox's directory is left in the lxcpath")
	}
}

// TestSandboxTimerSlack: lxc-sandbox (the sandbox's monitor) starts with a
// coarse timer slack, so its Go runtime's sysmon thread, created before
// any Go code runs, keeps it and does not wake every 20 us while the
// monitor waits; the main thread and the sandbox's processes, its init and
// command, get the caller's slack back.
func TestSandboxTimerSlack(t *testing.T) {
	needRoot(t)
	own, err := os.ReadFile("/proc/self/timerslack_ns")
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(filepath.Join(binDir, "lxc-sandbox"), "--", "/bin/sh", "-c",
		"cat /proc/self/timerslack_ns /proc/1/timerslack_ns; read x; exit 0")
	in, out := startPiped(t, cmd)
	sc := bufio.NewScanner(out)
	var inside []string
	for len(inside) < 2 && sc.Scan() {
		inside = append(inside, sc.Text())
	}
	slacks := map[string]string{}
	tids, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", cmd.Process.Pid))
	for _, tid := range tids {
		b, _ := os.ReadFile("/proc/" + tid.Name() + "/timerslack_ns") // a thread's own: /proc/TID
		slacks[tid.Name()] = strings.TrimSpace(string(b))
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(own))
	if len(inside) != 2 || inside[0] != want || inside[1] != want {
		t.Errorf("timer slack of the command and of init %q, want the caller's %s", inside, want)
	}
	coarse := false
	for _, v := range slacks {
		coarse = coarse || v == "1000000"
	}
	if !coarse {
		t.Errorf("no thread of lxc-sandbox has the coarse timer slack 1000000 (sysmon's): %v", slacks)
	}
	if main := slacks[strconv.Itoa(cmd.Process.Pid)]; main != want {
		t.Errorf("lxc-sandbox's main thread has timer slack %s, want the caller's %s", main, want)
	}
	assertSandboxClean(t, "")
}

// TestSandboxStaleSwept: lxc-sandbox and its guard both killed leave the
// sandbox behind; the next lxc-sandbox finds it unguarded and removes it.
func TestSandboxStaleSwept(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "sand-stale1"
	cmd := exec.Command(filepath.Join(binDir, "lxc-sandbox"), "-P", lp, "-n", name, "--", "/bin/sh", "-c", "while :; do sleep 1; done")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the sandbox to run", func() bool {
		r, _ := execBounded(0, nil, filepath.Join(binDir, "lxc-info"), "-P", lp, "-n", name, "-s", "-H")
		return r.stdout == "RUNNING\n"
	})
	guards := sandboxGuards(name, cmd.Process.Pid)
	if len(guards) != 1 {
		t.Fatalf("guards of %s: %v", name, guards)
	}
	syscall.Kill(guards[0], syscall.SIGKILL)
	eventually(t, "the guard to go", func() bool { return len(sandboxGuards(name, cmd.Process.Pid)) == 0 })
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(sandboxLeftovers("")) == 0 || len(cgroupDirs(name)) == 0 {
		t.Fatal("nothing left behind without a guard: the test cannot fail")
	}
	expect(t, run(t, nil, "lxc-sandbox", "--", "true"), 0, "", "")
	assertClean(t, lp, name)
	assertSandboxClean(t, "")
	if _, err := os.Stat(filepath.Join(lp, name)); err == nil {
		t.Error("the stale sandbox's directory is left in the lxcpath")
	}
}

// TestSandboxConcurrent: sandboxes starting while others end share the
// runtime, lock and cgroup-record directories above their own; none
// fails and nothing is left.
func TestSandboxConcurrent(t *testing.T) {
	needRoot(t)
	const workers, rounds = 4, 4
	errs := make(chan string, workers*rounds)
	done := make(chan bool)
	for w := 0; w < workers; w++ {
		go func() {
			for i := 0; i < rounds; i++ {
				r, err := execBounded(0, nil, filepath.Join(binDir, "lxc-sandbox"), "--", "/bin/sh", "-c", "exit 3")
				if err != nil || r.code != 3 {
					errs <- r.String() + " " + strings.TrimSpace(r.stderr)
				}
			}
			done <- true
		}()
	}
	for w := 0; w < workers; w++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	assertSandboxClean(t, "")
}

// TestSandboxStrict: --strict drops LXC common.conf's list too.
func TestSandboxStrict(t *testing.T) {
	needRoot(t)
	capBnd := func(args ...string) uint64 {
		r := run(t, nil, "lxc-sandbox", append(args, "--", "/bin/sh", "-c", "grep CapBnd /proc/self/status | cut -f2")...)
		v, err := strconv.ParseUint(strings.TrimSpace(r.stdout), 16, 64)
		if r.code != 0 || err != nil {
			t.Fatalf("%v: %s", args, r)
		}
		return v
	}
	plain, strict := capBnd(), capBnd("--strict")
	for _, c := range []struct {
		name string
		bit  uint
	}{{"sys_rawio", 17}, {"sys_boot", 22}, {"mac_override", 32}, {"mac_admin", 33}} {
		if plain&(1<<c.bit) == 0 || strict&(1<<c.bit) != 0 {
			t.Errorf("%s: CapBnd %x without --strict, %x with", c.name, plain, strict)
		}
	}
	assertSandboxClean(t, "")
}

// TestSandboxDesktopX11: an X client inside lxc-sandbox --desktop reaches
// a real X server of the host (Debian's Xvfb, on a display it picks
// free), through the mapped /tmp/.X11-unix and the passed DISPLAY.
func TestSandboxDesktopX11(t *testing.T) {
	needRoot(t)
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		t.Skip("Xvfb missing (apt-get install xvfb)")
	}
	xdpyinfo, err := exec.LookPath("xdpyinfo")
	if err != nil {
		t.Skip("xdpyinfo missing (apt-get install x11-utils)")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// -displayfd: Xvfb takes the first free display and writes its number.
	srv := exec.Command(xvfb, "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "640x480x24")
	srv.ExtraFiles = []*os.File{w}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }) // TERM: Xvfb removes its lock and socket
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		t.Fatalf("Xvfb gave no display number: %v", err)
	}
	display := ":" + strings.TrimSpace(line)
	env := []string{"DISPLAY=" + display}
	res := run(t, env, "lxc-sandbox", "--desktop", "--", "/bin/sh", "-c", xdpyinfo+" | grep -E -o '^name of display: +:[0-9]+|[0-9]+x[0-9]+ pixels'")
	want := "name of display:    " + display + "\n640x480 pixels\n"
	expect(t, res, 0, want, "")
	// Without --desktop the display's socket is not there.
	res = run(t, env, "lxc-sandbox", "--", "/bin/sh", "-c", xdpyinfo+" >/dev/null 2>&1 || echo unreachable")
	expect(t, res, 0, "unreachable\n", "")
	assertSandboxClean(t, "")
}

// TestSandboxGuardNoGoAfterCleanEnd: after a sandbox cleaned up itself the
// guard exits in sandboxguard.c, before a Go runtime starts (GODEBUG's
// inittrace prints nothing); with anything else it is the Go guard, which
// validates its directory.
func TestSandboxGuardNoGoAfterCleanEnd(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "guard.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	guard := func(input string) (string, int) {
		cmd := exec.Command(filepath.Join(binDir, "golxc"), "lxc-sandbox")
		cmd.Env = []string{"GOLXC_SANDBOX_GUARD=" + dir, "GODEBUG=inittrace=1", "PATH=/usr/bin:/bin"}
		cmd.Stdin = strings.NewReader(input)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stderr.String(), code
	}
	if stderr, code := guard("done\n"); code != 0 || stderr != "" {
		t.Errorf("guard after a clean end: exit %d, stderr %q; want 0 and no Go runtime start", code, stderr)
	}
	stderr, code := guard("")
	if code == 0 || !strings.Contains(stderr, "init ") || !strings.Contains(stderr, "is not a sandbox of this host") {
		t.Errorf("guard after a killed sandbox: exit %d, stderr %q; want the Go guard refusing a directory outside the sandboxes", code, stderr)
	}
}

// TestSandboxGuardWaitsForKeptMonitor: what the C constructor read ("pid
// N" for a --keep sandbox) reaches the Go guard, which waits for that pid
// before it cleans up (no monitor.pid to fall back on here).
func TestSandboxGuardWaitsForKeptMonitor(t *testing.T) {
	needRoot(t)
	id := fmt.Sprintf("%06x", os.Getpid()&0xffffff)
	dir := filepath.Join(sandboxTop, id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	state := fmt.Sprintf(`{"ID":%q,"Name":"sand-guardwait","LXCPath":%q,"Named":false}`, id, t.TempDir())
	if err := os.WriteFile(filepath.Join(dir, "guard.json"), []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	monitor := exec.Command("sleep", "1.5")
	if err := monitor.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan time.Time, 1)
	go func() { monitor.Wait(); exited <- time.Now() }()
	guard := exec.Command(filepath.Join(binDir, "golxc"), "lxc-sandbox")
	guard.Env = []string{"GOLXC_SANDBOX_GUARD=" + dir, "PATH=/usr/bin:/bin"}
	guard.Stdin = strings.NewReader(fmt.Sprintf("pid %d\n", monitor.Process.Pid))
	out, err := guard.CombinedOutput()
	done := time.Now()
	if err != nil {
		t.Fatalf("guard: %v\n%s", err, out)
	}
	select {
	case at := <-exited:
		if done.Before(at) {
			t.Errorf("the guard ended %v before the monitor it was told to wait for", at.Sub(done))
		}
	default:
		t.Error("the guard ended while the monitor it was told to wait for still ran")
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("the guard left %s", dir)
	}
}

// TestSandboxCgroupsUnifiedOnly: root's sandbox without --name has its
// cgroups in the cgroup2 hierarchy only (no move into a v1 hierarchy and
// the RCU grace period it waits for); in the v1 hierarchies of a hybrid
// host its processes stay where the caller is. A named sandbox is a
// container like the others: lxc.payload.NAME in every hierarchy.
func TestSandboxCgroupsUnifiedOnly(t *testing.T) {
	needRoot(t)
	if !hostHasCgroup2() {
		t.Skip("needs a cgroup2 hierarchy")
	}
	own := cgroupLines(t, os.Getpid())
	for _, named := range []bool{false, true} {
		marker := fmt.Sprintf("%d.%d", 40+len(own), time.Now().UnixNano()%100000)
		args := []string{"--", "/bin/sleep", marker}
		if named {
			args = append([]string{"-P", lxcpath(t), "-n", "sand-cg1"}, args...)
		}
		cmd := exec.Command(filepath.Join(binDir, "lxc-sandbox"), args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var pid int
		eventually(t, "the sandbox's sleep to run", func() bool {
			pid = pidOfArgs("/bin/sleep", marker)
			return pid > 0
		})
		got := cgroupLines(t, pid)
		syscall.Kill(pid, syscall.SIGKILL)
		cmd.Wait()
		for h, p := range got {
			payload := strings.Contains(p, "lxc.payload.")
			switch {
			case h == "0" && !payload:
				t.Errorf("named=%v: cgroup2: %s, want the sandbox's lxc.payload cgroup", named, p)
			case h != "0" && named && !payload:
				t.Errorf("named=%v: hierarchy %s: %s, want lxc.payload.sand-cg1", named, h, p)
			case h != "0" && !named && p != own[h]:
				t.Errorf("named=%v: hierarchy %s: %s, want the caller's %s (no v1 cgroup for a throw-away sandbox)", named, h, p, own[h])
			}
		}
		assertSandboxClean(t, "")
	}
}

// cgroupLines maps /proc/PID/cgroup's hierarchy ids to paths.
func cgroupLines(t *testing.T, pid int) map[string]string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.SplitN(l, ":", 3)
		if len(f) == 3 {
			m[f[0]] = f[2]
		}
	}
	return m
}

func hostHasCgroup2() bool {
	b, _ := os.ReadFile("/proc/self/mountinfo")
	return strings.Contains(string(b), " - cgroup2 ")
}

// pidOfArgs finds a process whose command line is exactly args, 0 if none.
func pidOfArgs(args ...string) int {
	want := strings.Join(args, "\x00") + "\x00"
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); string(b) == want {
			return pid
		}
	}
	return 0
}

// startPiped starts cmd with pipes to its stdin and from its stdout.
func startPiped(t *testing.T, cmd *exec.Cmd) (io.WriteCloser, io.ReadCloser) {
	t.Helper()
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return in, out
}
