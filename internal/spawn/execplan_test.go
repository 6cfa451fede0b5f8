package spawn

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/seccomp"
)

// The C executor of exec plans (nsexec/execplan.c), driven the way attach
// drives it but without a container: the final process joins no namespace
// (our own pid, no flags) and runs the plan.

type planResult struct {
	stdout, stderr string
	code           int
	report         string // the executor's last packet on the sync socket
}

// runPlan starts a plan-executing process with extra as its fd 3 and
// stdin as its standard input, sends the plan with fresh pipes as its
// stdout and stderr, and waits.
func runPlan(t *testing.T, plan []byte, stdin string, extra *os.File) planResult {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (the executor sets ids and capabilities)")
	}
	req := Request{Mode: Join, JoinPID: os.Getpid(), Stage: "test-plan", ExecPlan: true, CgroupFD: -1, Env: []string{}}
	if extra != nil {
		req.ExtraFiles = []*os.File{extra}
	}
	return runPlanWith(t, req, plan, stdin)
}

// runPlanWith starts req's process, sends it plan with pipes as its
// streams (stdin written to the first), and collects what it printed,
// its exit code (128+N on a signal) and its last report packet.
func runPlanWith(t *testing.T, req Request, plan []byte, stdin string) planResult {
	t.Helper()
	p, err := Start(req)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	inR, inW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	err = SendPlan(p.Sync, plan, inR, outW, errW)
	defer p.Sync.Close()
	inR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		p.Signal(unix.SIGKILL)
		p.Wait()
		t.Fatalf("send plan: %v", err)
	}
	go func() { io.WriteString(inW, stdin); inW.Close() }()
	var out, serr bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&serr, errR); close(done) }()
	io.Copy(&out, outR)
	<-done
	ws, err := p.Wait()
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	code := ws.ExitStatus()
	if ws.Signaled() {
		code = 128 + int(ws.Signal())
	}
	// The executor is reaped: its end is closed, so this read ends.
	buf := make([]byte, 4096)
	n, _, _, _, _ := unix.Recvmsg(int(p.Sync.Fd()), buf, nil, 0)
	return planResult{out.String(), serr.String(), code, string(buf[:max(n, 0)])}
}

const testPath = "/usr/sbin:/usr/bin:/sbin:/bin"

func TestExecPlanRunsCommand(t *testing.T) {
	secret, err := os.CreateTemp(t.TempDir(), "golxc-host-secret-")
	if err != nil {
		t.Fatal(err)
	}
	defer secret.Close()
	var p nsexec.Plan
	p.Ident("golxc-test", "c1", false, -1, 0)
	p.Stdio()
	p.Chdir("/golxc-no-such-dir") // falls back to /
	p.DropBounding([]nsexec.Cap{{Num: unix.CAP_SYS_MODULE, Name: "sys_module"}})
	p.SetIDs(65534, 65534, []int{65534})
	p.NoDump()
	p.NoNewPrivs()
	p.CloseOnExecFrom(3)
	p.Exec([]string{"sh", "-c", `pwd; echo "$FOO"; id -u; id -G; grep -E '^(NoNewPrivs|CapBnd)' /proc/self/status; ls -l /proc/$$/fd; cat`},
		[]string{"FOO=bar baz", "PATH=" + testPath}, 65534, "/nonexistent")
	r := runPlan(t, p.Bytes(), "from stdin\n", secret)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q, stdout %q", r.code, r.stderr, r.stdout)
	}
	if r.report != `{"Exec":true}` {
		t.Errorf("report %q, want the exec announced", r.report)
	}
	lines := strings.Split(r.stdout, "\n")
	for i, want := range []string{"/", "bar baz", "65534", "65534"} {
		if i >= len(lines) || lines[i] != want {
			t.Errorf("line %d: got %q, want %q (stdout %q)", i, lines[min(i, len(lines)-1)], want, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "NoNewPrivs:\t1") {
		t.Errorf("no_new_privs not set: %q", r.stdout)
	}
	m := regexp.MustCompile(`CapBnd:\s+([0-9a-f]+)`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no CapBnd in %q", r.stdout)
	}
	if bnd, _ := strconv.ParseUint(m[1], 16, 64); bnd&(1<<unix.CAP_SYS_MODULE) != 0 || bnd&(1<<unix.CAP_SYS_ADMIN) == 0 {
		t.Errorf("bounding set %x: want sys_module dropped, sys_admin kept", bnd)
	}
	if strings.Contains(r.stdout, filepath.Base(secret.Name())) {
		t.Errorf("the host's fd 3 crossed the exec:\n%s", r.stdout)
	}
	if !strings.HasSuffix(r.stdout, "from stdin\n") {
		t.Errorf("stdin not installed: %q", r.stdout)
	}
}

func TestExecPlanExecErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "golxc-noexec"), []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, cmd, path string
		quiet           bool
		want            string
	}{
		{"missing", "golxc-no-such-cmd", testPath, false, `golxc-test: c1: No such file or directory - Failed to exec "golxc-no-such-cmd"` + "\n"},
		{"quiet", "golxc-no-such-cmd", testPath, true, ""},
		{"not executable", "golxc-noexec", "/nonexistent:" + dir, false, `golxc-test: c1: Permission denied - Failed to exec "golxc-noexec"` + "\n"},
		{"default PATH", "golxc-noexec", "", false, `golxc-test: c1: Permission denied - Failed to exec "golxc-noexec"` + "\n"},
		{"slash", "./golxc-no-such-cmd", testPath, false, `golxc-test: c1: No such file or directory - Failed to exec "./golxc-no-such-cmd"` + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p nsexec.Plan
			p.Ident("golxc-test", "c1", c.quiet, -1, 0)
			p.Stdio()
			env := []string{}
			if c.path != "" {
				env = append(env, "PATH="+c.path)
			}
			p.Exec([]string{c.cmd}, env, 0, dir)
			r := runPlan(t, p.Bytes(), "", nil)
			if r.code != 127 || r.stderr != c.want || r.report != `{"Exec":true}` {
				t.Errorf("exit %d, stderr %q, report %q; want 127, %q, the exec announced", r.code, r.stderr, r.report, c.want)
			}
		})
	}
}

// TestExecPlanShell: no command runs the uid's login shell from
// /etc/passwd (here the host's, as no mount namespace is joined), or
// /bin/sh for a uid without an entry.
func TestExecPlanShell(t *testing.T) {
	want := passwdShell(t, 0)
	for uid, shell := range map[int]string{0: want, 424242: "/bin/sh"} {
		var p nsexec.Plan
		p.Ident("golxc-test", "c1", false, -1, 0)
		p.Stdio()
		p.Exec(nil, []string{"PATH=" + testPath}, uid, testPath)
		r := runPlan(t, p.Bytes(), "echo \"$0\"\n", nil)
		if r.code != 0 || strings.TrimSpace(r.stdout) != shell {
			t.Errorf("uid %d: exit %d, stdout %q, stderr %q; want shell %s", uid, r.code, r.stdout, r.stderr, shell)
		}
	}
}

func passwdShell(t *testing.T, uid int) string {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Split(sc.Text(), ":")
		if len(fl) >= 7 && fl[2] == strconv.Itoa(uid) && fl[6] != "" {
			return fl[6]
		}
	}
	return "/bin/sh"
}

func TestExecPlanSeccompAndLog(t *testing.T) {
	prog, err := seccomp.CompileText("test-policy", []byte("2\ndenylist\nmkdir errno 1\nmkdirat errno 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(t.TempDir(), "plan.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	target := filepath.Join(t.TempDir(), "d")
	var p nsexec.Plan
	p.Ident("golxc-test", "c1", false, 3, 0) // TRACE
	p.Stdio()
	p.NoNewPrivs()
	p.Seccomp(true, "test-policy", prog.Filter)
	p.Exec([]string{"mkdir", target}, []string{"PATH=" + testPath}, 0, testPath)
	r := runPlan(t, p.Bytes(), "", logf)
	if r.code == 0 || !strings.Contains(r.stderr, "Operation not permitted") {
		t.Errorf("mkdir under the filter: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(target); err == nil {
		t.Errorf("%s was created despite the filter", target)
	}
	b, _ := os.ReadFile(logf.Name())
	line := regexp.MustCompile(`(?m)^golxc-test c1 \d{14}\.\d{3} INFO     nsexec - execplan\.c:load_seccomp:\d+ - Loaded seccomp policy test-policy: \d+ BPF instructions$`)
	if !line.Match(b) {
		t.Errorf("log lacks the seccomp line in LXC's format:\n%s", b)
	}
	if !strings.Contains(string(b), `NOTICE   nsexec - execplan.c:exec_cmd:`) {
		t.Errorf("log lacks the exec line:\n%s", b)
	}
}

// TestExecPlanRejectsGarbage: a packet that is not a plan ends the process
// with exit 1 before anything runs.
func TestExecPlanRejectsGarbage(t *testing.T) {
	for name, plan := range map[string][]byte{
		"bad magic": []byte("not a plan at all"),
		"truncated": (func() []byte {
			var p nsexec.Plan
			p.Exec([]string{"true"}, nil, 0, testPath)
			b := p.Bytes()
			return b[:len(b)-3]
		})(),
		"no exec": (func() []byte { var p nsexec.Plan; p.NoDump(); return p.Bytes() })(),
	} {
		r := runPlan(t, plan, "", nil)
		if r.code != 1 || !strings.HasPrefix(r.report, `{"Err":"exec plan: malformed `) {
			t.Errorf("%s: exit %d, report %q; want 1 and the error reported (%+v)", name, r.code, r.report, r)
		}
	}
}

// TestExecPlanReportsFailures: a step failing before the caller's streams
// are installed is reported for the caller to print (our stderr is not
// the caller's yet, and the message must be valid JSON whatever it holds);
// one failing after them is printed here and reported as done so.
func TestExecPlanReportsFailures(t *testing.T) {
	var before nsexec.Plan
	before.Ident("golxc-test", "c1", false, -1, 0)
	before.SetCTTY(99) // not a tty: fails
	before.Stdio()
	before.Exec([]string{"true"}, nil, 0, testPath)
	r := runPlan(t, before.Bytes(), "", nil)
	var rep struct{ Err string }
	if err := json.Unmarshal([]byte(r.report), &rep); err != nil || r.code != 1 || r.stderr != "" ||
		rep.Err != "make the pty the controlling terminal: Bad file descriptor" {
		t.Errorf("before stdio: exit %d, stderr %q, report %q (%v); want 1, nothing printed, the error reported", r.code, r.stderr, r.report, err)
	}

	var after nsexec.Plan
	after.Ident("golxc-test", "c1", false, -1, 0)
	after.Stdio()
	after.SetCTTY(99)
	after.Exec([]string{"true"}, nil, 0, testPath)
	r = runPlan(t, after.Bytes(), "", nil)
	if r.code != 1 || r.report != `{"Failed":true}` ||
		r.stderr != "golxc-test: c1: make the pty the controlling terminal: Bad file descriptor\n" {
		t.Errorf("after stdio: exit %d, stderr %q, report %q; want 1, the error printed, Failed reported", r.code, r.stderr, r.report)
	}
}
