package spawn

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

const createFlags = unix.CLONE_NEWUTS | unix.CLONE_NEWPID | unix.CLONE_NEWNS | unix.CLONE_NEWIPC | unix.CLONE_NEWNET

var testMap = []config.IDMap{{Type: 'u', NSID: 0, HostID: 100000, Range: 65536}}

// startReport starts the report stage and returns it with its report; the
// process is stopped and reaped at cleanup.
func startReport(t *testing.T, req Request) (*Process, report) {
	t.Helper()
	req.Stage = "test-report"
	req.Stderr = os.Stderr
	p, err := Start(req)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { stop(t, p) })
	var r report
	if err := Recv(p.Sync, &r); err != nil {
		t.Fatalf("Recv report: %v", err)
	}
	if r.Err != "" {
		t.Fatalf("stage: %s", r.Err)
	}
	return p, r
}

func stop(t *testing.T, p *Process) {
	Send(p.Sync, struct{}{})
	ws, err := p.Wait()
	p.Sync.Close()
	if err != nil || !ws.Exited() || ws.ExitStatus() != 0 {
		t.Errorf("stage pid %d: %v, %s", p.Pid, err, describe(ws))
	}
}

func selfNS(t *testing.T) map[string]string {
	m := map[string]string{}
	for _, n := range nsNames {
		link, err := os.Readlink("/proc/self/ns/" + n)
		if err != nil {
			t.Fatal(err)
		}
		m[n] = link
	}
	return m
}

func TestCreate(t *testing.T) {
	needRoot(t)
	host, _ := os.Hostname()
	p, r := startReport(t, Request{Mode: Create, CloneFlags: createFlags, CgroupFD: -1,
		Setsid: true, Pdeathsig: syscall.SIGKILL, Args: []string{"golxc-spawn-test"}})

	if r.Pid != 1 {
		t.Errorf("stage pid in its namespace = %d, want 1", r.Pid)
	}
	if r.Sid != r.Pid {
		t.Errorf("Setsid: sid %d, pid %d", r.Sid, r.Pid)
	}
	if r.Pdeathsig != int(syscall.SIGKILL) {
		t.Errorf("pdeathsig = %d, want SIGKILL", r.Pdeathsig)
	}
	if r.Hostname != "golxc-spawn-test" {
		t.Errorf("stage hostname %q", r.Hostname)
	}
	if now, _ := os.Hostname(); now != host {
		t.Errorf("host hostname changed from %q to %q", host, now)
	}
	self := selfNS(t)
	for _, n := range []string{"uts", "ipc", "net", "mnt", "pid"} {
		if r.NS[n] == self[n] {
			t.Errorf("%s namespace not new: %s", n, r.NS[n])
		}
	}
	for _, n := range []string{"user", "cgroup"} {
		if r.NS[n] != self[n] {
			t.Errorf("%s namespace changed without being asked: %s vs %s", n, r.NS[n], self[n])
		}
	}
	for _, kv := range r.Env {
		if strings.HasPrefix(kv, "_GOLXC_") {
			t.Errorf("stage environment still has %s", kv)
		}
	}
	if ppid := statField(t, p.Pid, "PPid"); ppid != strconv.Itoa(os.Getpid()) {
		t.Errorf("final process ppid %s, want us (%d)", ppid, os.Getpid())
	}
}

func TestCreateUserNS(t *testing.T) {
	needRoot(t)
	p, r := startReport(t, Request{Mode: Create, CloneFlags: createFlags | unix.CLONE_NEWUSER,
		UIDMap: testMap, GIDMap: testMap, CgroupFD: -1, Args: []string{"golxc-userns"}})
	if got := strings.Fields(r.UIDMap); strings.Join(got, " ") != "0 100000 65536" {
		t.Errorf("uid_map inside = %q", r.UIDMap)
	}
	if uid := statField(t, p.Pid, "Uid"); strings.Join(strings.Fields(uid), " ") != "100000 100000 100000 100000" {
		t.Errorf("host view Uid: %q", uid)
	}
	if gid := statField(t, p.Pid, "Gid"); !strings.HasPrefix(gid, "100000") {
		t.Errorf("host view Gid: %q", gid)
	}
	if r.NS["user"] == selfNS(t)["user"] {
		t.Errorf("user namespace not new")
	}
}

func TestJoin(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		name   string
		userns bool
		pidfd  bool
	}{
		{"pidfd", false, true},
		{"paths", false, false},
		{"userns-pidfd", true, true},
		{"userns-paths", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flags := uintptr(createFlags)
			req := Request{Mode: Create, CloneFlags: flags, CgroupFD: -1, Args: []string{"golxc-join-" + tc.name}}
			if tc.userns {
				flags |= unix.CLONE_NEWUSER
				req.CloneFlags, req.UIDMap, req.GIDMap = flags, testMap, testMap
			}
			target, tr := startReport(t, req)

			testNoPidfd = !tc.pidfd
			defer func() { testNoPidfd = false }()
			p, r := startReport(t, Request{Mode: Join, JoinPID: target.Pid, JoinFlags: flags, CgroupFD: -1})
			for _, n := range nsNames {
				if r.NS[n] != tr.NS[n] {
					t.Errorf("joined %s = %s, target %s", n, r.NS[n], tr.NS[n])
				}
			}
			if r.Hostname != tr.Hostname {
				t.Errorf("joined hostname %q, target %q", r.Hostname, tr.Hostname)
			}
			if nspid := strings.Fields(statField(t, p.Pid, "NSpid")); len(nspid) != 2 || nspid[1] == "1" {
				t.Errorf("joined process NSpid %v: want a second (non-init) pid in the target pid ns", nspid)
			}
			if tc.userns {
				if uid := statField(t, p.Pid, "Uid"); !strings.HasPrefix(uid, "100000") {
					t.Errorf("joined host view Uid: %q", uid)
				}
			}
		})
	}
}

// TestProtectedExe: whichever way ProtectedExe protects the binary (the
// read-only overlay, or the sealed memfd copy it falls back to), it is
// this very binary and nothing can write through it, neither through the
// returned file nor through /proc/PID/exe of a started stage; Start keeps
// no reference to it.
func TestProtectedExe(t *testing.T) {
	needRoot(t)
	for _, memfd := range []bool{false, true} {
		t.Run(map[bool]string{false: "overlay", true: "memfd"}[memfd], func(t *testing.T) {
			testNoOverlay = memfd
			defer func() { testNoOverlay = false }()
			exe, err := ProtectedExe()
			if err != nil {
				t.Fatal(err)
			}
			defer exe.Close()
			self, err := os.ReadFile("/proc/self/exe")
			if err != nil {
				t.Fatal(err)
			}
			if got, err := os.ReadFile(fmt.Sprintf("/proc/self/fd/%d", exe.Fd())); err != nil || !bytes.Equal(got, self) {
				t.Errorf("protected exe differs from /proc/self/exe (%v)", err)
			}
			if memfd {
				seals, err := unix.FcntlInt(exe.Fd(), unix.F_GET_SEALS, 0)
				if err != nil || seals&allSeals != allSeals {
					t.Errorf("seals %#x (%v), want %#x", seals, err, allSeals)
				}
			} else {
				var fs unix.Statfs_t
				if err := unix.Fstatfs(int(exe.Fd()), &fs); err != nil || fs.Type != unix.OVERLAYFS_SUPER_MAGIC {
					t.Errorf("not on overlayfs: type %#x, %v", fs.Type, err)
				}
			}
			noWrites(t, fmt.Sprintf("/proc/self/fd/%d", exe.Fd()))
			p, _ := startReport(t, Request{Mode: Create, CloneFlags: unix.CLONE_NEWUTS, CgroupFD: -1})
			exePath := fmt.Sprintf("/proc/%d/exe", p.Pid)
			if link, _ := os.Readlink(exePath); link == mustReadlink(t, "/proc/self/exe") {
				t.Errorf("%s is the host binary %s itself", exePath, link)
			}
			noWrites(t, exePath)
			// Start must not keep its reference: a monitor would pin it
			// for the container's lifetime.
			ents, _ := os.ReadDir("/proc/self/fd")
			for _, e := range ents {
				l, _ := os.Readlink("/proc/self/fd/" + e.Name())
				if (strings.Contains(l, "memfd:golxc") || l == "/"+filepath.Base(mustReadlink(t, "/proc/self/exe"))) && e.Name() != strconv.Itoa(int(exe.Fd())) {
					t.Errorf("fd %s -> %s still open after Start", e.Name(), l)
				}
			}
		})
	}
}

func mustReadlink(t *testing.T, p string) string {
	t.Helper()
	l, err := os.Readlink(p)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// noWrites checks that no way of opening p lets a write through.
func noWrites(t *testing.T, p string) {
	t.Helper()
	before, _ := os.ReadFile(p)
	for _, flag := range []int{os.O_WRONLY, os.O_RDWR, os.O_WRONLY | os.O_TRUNC, os.O_WRONLY | os.O_APPEND, os.O_RDONLY} {
		f, err := os.OpenFile(p, flag, 0)
		if err != nil {
			continue
		}
		_, werr := f.WriteAt([]byte("x"), 0)
		if flag&os.O_APPEND != 0 {
			_, werr = f.Write([]byte("x"))
		}
		f.Close()
		if werr == nil {
			t.Errorf("wrote to %s (open flag %#x)", p, flag)
		}
	}
	if after, _ := os.ReadFile(p); !bytes.Equal(before, after) {
		t.Errorf("%s changed", p)
	}
}

// TestPrepare checks that Prepare runs after the user ns exists and before
// the other namespaces are unshared.
func TestPrepare(t *testing.T) {
	needRoot(t)
	self := selfNS(t)
	var seen map[string]string
	startReport(t, Request{Mode: Create, CloneFlags: createFlags | unix.CLONE_NEWUSER | unix.CLONE_NEWCGROUP,
		UIDMap: testMap, GIDMap: testMap, CgroupFD: -1,
		Prepare: func(pid int) error {
			seen = map[string]string{}
			for _, n := range []string{"user", "net", "cgroup"} {
				seen[n], _ = os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, n))
			}
			return nil
		}})
	if seen == nil {
		t.Fatal("Prepare was not called")
	}
	if seen["user"] == self["user"] {
		t.Errorf("Prepare ran before the user ns was unshared")
	}
	if seen["net"] != self["net"] || seen["cgroup"] != self["cgroup"] {
		t.Errorf("Prepare ran after net/cgroup were unshared: %v", seen)
	}
}

func TestWaitSignal(t *testing.T) {
	needRoot(t)
	p, err := Start(Request{Mode: Create, CloneFlags: unix.CLONE_NEWPID, CgroupFD: -1, Stage: "test-exit", Args: []string{"7"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Sync.Close()
	ws, err := p.Wait()
	if err != nil || !ws.Exited() || ws.ExitStatus() != 7 {
		t.Errorf("Wait = %s, %v; want exit 7", describe(ws), err)
	}
	if err := p.Signal(syscall.SIGTERM); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Signal after Wait = %v, want ErrProcessDone", err)
	}

	p, err = Start(Request{Mode: Create, CloneFlags: unix.CLONE_NEWNS, CgroupFD: -1, Stage: "test-report"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Sync.Close()
	if p.PidFD() < 0 {
		t.Errorf("no pidfd on a kernel that has them")
	}
	if err := p.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if ws, err := p.Wait(); err != nil || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("Wait after SIGKILL = %s, %v", describe(ws), err)
	}
}

func TestErrorsLeaveNothing(t *testing.T) {
	needRoot(t)
	dead := deadPid(t)
	fdsBefore, kidsBefore := countFDs(t), children(t)
	for _, tc := range []struct {
		name string
		req  Request
		want string
		c    bool // the error comes from the C stage
	}{
		{"join dead pid", Request{Mode: Join, JoinPID: dead, JoinFlags: unix.CLONE_NEWNET}, "pidfd_open(pid " + strconv.Itoa(dead), false},
		{"join dead pid by path", Request{Mode: Join, JoinPID: dead, JoinFlags: unix.CLONE_NEWNET}, fmt.Sprintf("stat(/proc/%d/ns/net): no such file or directory", dead), true},
		{"overlapping map", Request{Mode: Create, CloneFlags: unix.CLONE_NEWUSER | unix.CLONE_NEWNET,
			UIDMap: []config.IDMap{{NSID: 0, HostID: 100000, Range: 10}, {NSID: 5, HostID: 200000, Range: 10}}, GIDMap: testMap}, "uid_map", false},
		{"root unmapped", Request{Mode: Create, CloneFlags: unix.CLONE_NEWUSER | unix.CLONE_NEWPID,
			UIDMap: []config.IDMap{{NSID: 1, HostID: 100000, Range: 1}}, GIDMap: []config.IDMap{{NSID: 1, HostID: 100000, Range: 1}}}, "spawn: setresgid(0): invalid argument", true},
		{"prepare fails", Request{Mode: Create, CloneFlags: unix.CLONE_NEWNET,
			Prepare: func(int) error { return errors.New("spawn-test: prepare refused") }}, "spawn-test: prepare refused", false},
		{"unknown stage", Request{Mode: Create, Stage: "no-such-stage"}, `stage "no-such-stage" is not registered`, false},
		{"bad flags", Request{Mode: Create, CloneFlags: unix.CLONE_VM}, "non-namespace bits", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testNoPidfd = strings.HasSuffix(tc.name, "by path")
			defer func() { testNoPidfd = false }()
			if tc.req.Stage == "" {
				tc.req.Stage = "test-report"
			}
			tc.req.CgroupFD = -1
			p, err := Start(tc.req)
			if err == nil {
				stop(t, p)
				t.Fatalf("Start succeeded, want error containing %q", tc.want)
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "spawn") {
				t.Errorf("error %q: want one line containing %q", msg, tc.want)
			}
			var se *StageError
			if errors.As(err, &se) != tc.c {
				t.Errorf("error %q: from the C stage = %v, want %v", msg, !tc.c, tc.c)
			}
		})
	}
	if after := countFDs(t); after != fdsBefore {
		t.Errorf("open fds: %d before, %d after", fdsBefore, after)
	}
	if after := children(t); len(after) != len(kidsBefore) {
		t.Errorf("children: %v before, %v after", kidsBefore, after)
	}
}

func TestStageEnvRefusedOutsideSpawn(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"_GOLXC_STAGE=test-report", "was not started by golxc's namespace stage"},
		{"_GOLXC_NSEXEC=abc", "invalid _GOLXC_NSEXEC=abc"},
		{"_GOLXC_NSEXEC=1", "invalid _GOLXC_NSEXEC=1"},
		{"_GOLXC_NSEXEC=999", "read bootstrap message: Bad file descriptor"},
	} {
		cmd := execSelf(tc.env)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(interface{ ExitCode() int }); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), tc.want) {
			t.Errorf("%s: %v, output %q; want exit 1 and %q", tc.env, err, out, tc.want)
		}
	}
}

// statField returns a field of /proc/<pid>/status.
func statField(t *testing.T, pid int, key string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in /proc/%d/status", key, pid)
	return ""
}

func deadPid(t *testing.T) int {
	cmd := execSelf()
	cmd.Args = append(cmd.Args, "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func countFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// children lists the pids whose parent is this process.
func children(t *testing.T) []int {
	var kids []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		if f := strings.Fields(rest); len(f) > 1 && f[1] == strconv.Itoa(os.Getpid()) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			kids = append(kids, pid)
		}
	}
	return kids
}
