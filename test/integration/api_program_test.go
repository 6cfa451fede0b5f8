package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Package lxc used by a program that is not golxc: examples/apidemo, its
// own module, built here with the Go toolchain and run against a temp
// lxcpath. Its helpers (monitor, init, attach stage) must run the golxc
// binary, never the program itself (issue 9 item 2: Start used to
// re-execute the caller, whose main started another monitor, and so on).

var apidemo struct {
	sync.Mutex
	built map[bool]string // cgo: path
}

// apidemoBinary builds examples/apidemo, with cgo (the default: the
// program links golxc's C stage, which must stay inert) or without (a
// static Go program; golxc's helpers need no C in the caller). Offline:
// its go.mod replaces golxc by this checkout and its go.sum holds the
// dependencies' sums.
func apidemoBinary(t *testing.T, cgo bool) string {
	t.Helper()
	apidemo.Lock()
	defer apidemo.Unlock()
	if p, ok := apidemo.built[cgo]; ok {
		return p
	}
	out := filepath.Join(binDir, map[bool]string{true: "apidemo", false: "apidemo-nocgo"}[cgo])
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = filepath.Join("..", "..", "examples", "apidemo")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOWORK=off",
		"CGO_ENABLED="+map[bool]string{true: "1", false: "0"}[cgo])
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build examples/apidemo (cgo %v): %v\n%s", cgo, err, b)
	}
	if apidemo.built == nil {
		apidemo.built = map[bool]string{}
	}
	apidemo.built[cgo] = out
	return out
}

// runDemo runs argv (the demo, or a command that execs it) with env (GOLXC_BINARY removed from ours first)
// and fails the test if a second copy of the demo binary ever runs: the
// demo re-executed as a helper. The copies are killed at once (they are
// in sessions of their own, so by pid, found by their executable).
func runDemo(t *testing.T, demo string, env []string, extra []*os.File, argv ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOLXC_BINARY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.ExtraFiles = extra
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", argv[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	nested := 0
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-time.After(20 * time.Millisecond):
			if pids := helpersOf(demo); len(pids) > 0 {
				nested = len(pids)
				killAll(demo)
				err = <-done
				break wait
			}
		}
	}
	if h := helpersOf(demo); len(h) > nested { // one started after the last look
		nested = len(h)
	}
	if nested > 0 {
		killAll(demo)
		t.Fatalf("%s was re-executed as a golxc helper (%d such processes); stderr: %s", filepath.Base(demo), nested, errb.String())
	}
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", argv[0], err)
	}
	return result{code, out.String(), errb.String()}
}

// processesOf lists the pids running the executable exe, with argv[0].
func processesOf(exe string) map[int]string {
	pids := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if l, _ := os.Readlink("/proc/" + e.Name() + "/exe"); l != exe {
			continue
		}
		argv, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		// A child between fork and exec shows exe and then, once its
		// exec of golxc completes, golxc's argv: the cmdline counts only
		// if exe is still the program after reading it.
		if l, _ := os.Readlink("/proc/" + e.Name() + "/exe"); l != exe {
			continue
		}
		arg0, _, _ := strings.Cut(string(argv), "\x00")
		pids[pid] = arg0
	}
	return pids
}

// helpersOf lists the processes running exe under another argv[0] than
// its path: exe executed as a helper ("[lxc monitor] ...", "[golxc
// init]"). A child the program forked and has not exec'd yet still shows
// the program's own argv.
func helpersOf(exe string) []int {
	var pids []int
	for pid, arg0 := range processesOf(exe) {
		if arg0 != exe {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killAll kills every process running exe until none is left.
func killAll(exe string) {
	for i := 0; i < 100; i++ {
		pids := processesOf(exe)
		if len(pids) == 0 {
			return
		}
		for pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAPIFromAnotherProgram: the demo creates, starts (daemonized
// monitor, the program returns), attaches (checks the command's output),
// stops and destroys a busybox container through package lxc, with
// GOLXC_BINARY naming the golxc under test.
func TestAPIFromAnotherProgram(t *testing.T) {
	needRoot(t)
	demo := apidemoBinary(t, true)
	golxc := filepath.Join(binDir, "golxc")
	env := []string{"GOLXC_BINARY=" + golxc}
	lp := lxcpath(t)
	name := "api-demo1"
	t.Cleanup(func() { killMonitors(t, lp, name) })

	// A descriptor the program leaks (no close-on-exec) must not stay
	// open in the monitor: that would hold e.g. a shell's $(...) for
	// the container's whole life. fd 3 is /dev/null, fd 4 the pipe.
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	null, _ := os.Open(os.DevNull)
	defer null.Close()
	r := runDemo(t, demo, env, []*os.File{null, wr}, demo, "-P", lp, "-n", name, "create", "start")
	wr.Close()
	if r.code != 0 || !strings.Contains(r.stdout, "start: ok") {
		t.Fatalf("apidemo create start: %s", r)
	}
	// The program returned; the container runs under a daemonized
	// monitor, as after lxc-start.
	if got := state(t, lp, name); got != "RUNNING" {
		t.Fatalf("state after the program returned: %q, want RUNNING", got)
	}
	mons := monitors(lp, name)
	if len(mons) != 1 {
		t.Fatalf("monitors of %s: %v, want one [lxc monitor] %s %s", name, mons, lp, name)
	}
	if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", mons[0])); exe != golxc {
		t.Errorf("the monitor runs %q, want %s", exe, golxc)
	}
	rd.SetReadDeadline(time.Now().Add(30 * time.Second))
	if n, err := rd.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("the program's leaked pipe is still open after it returned (read: %d, %v): the monitor inherited it", n, err)
	}

	r = runDemo(t, demo, env, nil, demo, "-P", lp, "-n", name, "attach", "stop", "destroy")
	if r.code != 0 {
		t.Fatalf("apidemo attach stop destroy: %s", r)
	}
	if want := name + " | sum=42 | \nattach: ok\nstop: ok\ndestroy: ok\n"; r.stdout != want {
		t.Errorf("apidemo attach stop destroy printed %q, want %q", r.stdout, want)
	}
	if _, err := os.Stat(filepath.Join(lp, name)); !os.IsNotExist(err) {
		t.Errorf("container directory after destroy: %v", err)
	}
	if left := leftovers(lp, name); len(left) > 0 {
		t.Errorf("left behind:\n  %s", strings.Join(left, "\n  "))
	}

	// The whole cycle in one process, as a program would do it, built
	// without cgo, naming golxc with lxc.SetGolxcBinary, which goes
	// before a (here wrong) $GOLXC_BINARY.
	static := apidemoBinary(t, false)
	name2 := "api-demo2"
	t.Cleanup(func() { killMonitors(t, lp, name2) })
	wrong := []string{"GOLXC_BINARY=" + filepath.Join(lp, "not-golxc")}
	r = runDemo(t, static, wrong, nil, static, "-P", lp, "-golxc", golxc, "-n", name2)
	if r.code != 0 || !strings.HasSuffix(r.stdout, "destroy: ok\n") {
		t.Fatalf("apidemo (all steps): %s", r)
	}
	if left := leftovers(lp, name2); len(left) > 0 {
		t.Errorf("left behind:\n  %s", strings.Join(left, "\n  "))
	}

	// lxc-execute's way: the monitor runs inside the program, the init
	// stage is golxc, the payload's exit status comes back.
	name3 := "api-demo3"
	t.Cleanup(func() { killMonitors(t, lp, name3) })
	r = runDemo(t, demo, env, nil, demo, "-P", lp, "-n", name3, "create", "execute", "destroy")
	if want := "create: ok\npayload ran\nexit status 7\nexecute: ok\ndestroy: ok\n"; r.code != 0 || r.stdout != want {
		t.Errorf("apidemo create execute destroy: %s\nwant stdout %q", r, want)
	}
	if left := leftovers(lp, name3); len(left) > 0 {
		t.Errorf("left behind:\n  %s", strings.Join(left, "\n  "))
	}
}

// TestAPIWithoutGolxcBinary: with no golxc to be found, Start fails with
// one line saying what to do, starts nothing and does not re-execute the
// program. The lookup's well-known directories are hidden by empty tmpfs
// mounts in a private mount namespace (util-linux unshare).
func TestAPIWithoutGolxcBinary(t *testing.T) {
	needRoot(t)
	demo := apidemoBinary(t, true)
	lp := lxcpath(t)
	name := "api-nobin"
	busybox(t, lp, name)

	t.Run("bad GOLXC_BINARY", func(t *testing.T) {
		bad := filepath.Join(lp, "no-golxc-here")
		r := runDemo(t, demo, []string{"GOLXC_BINARY=" + bad}, nil, demo, "-P", lp, "-n", name, "start")
		want := fmt.Sprintf("apidemo: start: %s: start the monitor: GOLXC_BINARY=%s: stat %s: no such file or directory: point it to the golxc binary or unset it\n", name, bad, bad)
		if r.code != 1 || r.stderr != want {
			t.Errorf("got %s\nwant exit 1, stderr %q", r, want)
		}
	})

	t.Run("not installed", func(t *testing.T) {
		unshare := "/usr/bin/unshare"
		if _, err := os.Stat(unshare); err != nil {
			t.Skip("util-linux unshare is missing")
		}
		hide := ""
		for _, d := range []string{"/usr/local/bin", "/usr/lib/golxc", "/usr/bin"} { // /usr/bin last: mount lives there
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				hide += "/usr/bin/mount -t tmpfs golxc-hidden " + d + " && "
			}
		}
		r := runDemo(t, demo, []string{"PATH=/nonexistent-golxc-path"}, nil, unshare, "--mount", "--propagation", "private",
			"/bin/sh", "-c", hide+`exec "$0" "$@"`, demo, "-P", lp, "-n", name, "start")
		want := "apidemo: start: " + name + ": start the monitor: golxc binary not found: install golxc (make install) or set GOLXC_BINARY to its path\n"
		if r.code != 1 || r.stderr != want {
			t.Errorf("got %s\nwant exit 1, stderr %q", r, want)
		}
	})
	if mons := monitors(lp, name); len(mons) != 0 {
		t.Errorf("monitors of %s after failed starts: %v", name, mons)
	}
	if got := state(t, lp, name); got != "STOPPED" {
		t.Errorf("state after failed starts: %q, want STOPPED", got)
	}
}
