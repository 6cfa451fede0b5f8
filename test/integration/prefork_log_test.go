package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// holdHook is a pre-start hook that creates in and then waits until go
// exists: the test acts while the start is in progress.
func holdHook(in, goOn string) string {
	return `lxc.hook.pre-start = /bin/sh -c "touch ` + in + `; while [ ! -e ` + goOn + ` ]; do sleep 0.1; done"`
}

// TestPreforkMonitorKeepsItsLog: a preforked lxc-start goes on as lxc-start
// for a moment after its monitor, the same process, reported RUNNING;
// what the monitor logs meanwhile (commands it serves, a stop) goes to the
// monitor's log, never through lxc-start's. The moment is made to last:
// lxc-start logs (-l TRACE, no -o) to its default file LXCPATH/NAME/NAME.log,
// made a FIFO whose pipe the test fills, so lxc-start blocks in its first
// line after the verdict; the monitor logs to lxc.log.file. (With -o both
// would log to the -o file, as LXC's monitor, a fork of lxc-start, does.)
func TestPreforkMonitorKeepsItsLog(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "pfk-log"
	dir := t.TempDir()
	in, goOn := filepath.Join(dir, "in"), filepath.Join(dir, "go")
	monLog := filepath.Join(t.TempDir(), "container.log")
	busybox(t, lp, name, "lxc.log.file = "+monLog, holdHook(in, goOn))

	toolLog := filepath.Join(lp, name, name+".log")
	if err := unix.Mkfifo(toolLog, 0o600); err != nil {
		t.Fatal(err)
	}
	// Both ends here: lxc-start's open never waits for a reader, and
	// whatever happens the test can drain or close it.
	fifo, err := unix.Open(toolLog, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Runs before busybox's cleanup: with nobody to read, a blocked
	// lxc-start gets EPIPE instead of hanging the stop.
	t.Cleanup(func() { unix.Close(fifo) })
	var toolLines bytes.Buffer
	drain := func() {
		b := make([]byte, 65536)
		for {
			n, err := unix.Read(fifo, b)
			if n <= 0 || err != nil {
				return
			}
			toolLines.Write(b[:n])
		}
	}

	errf, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errf.Close()
	cmd := exec.Command(filepath.Join(binDir, "lxc-start"), "-P", lp, "-n", name, "-l", "TRACE")
	cmd.Stdout, cmd.Stderr = errf, errf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited, done := make(chan error, 1), make(chan struct{})
	go func() { exited <- cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		os.WriteFile(goOn, nil, 0o644)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
		}
	})

	eventually(t, "the pre-start hook", func() bool { _, err := os.Stat(in); return err == nil })
	mons := monitors(lp, name)
	if len(mons) != 1 {
		t.Fatalf("monitors %v: lxc-start did not become the monitor", mons)
	}
	drain()
	// Fill the pipe: lxc-start's next line (its first after the verdict)
	// finds no room and waits.
	filler := bytes.Repeat([]byte("\n"), 65536)
	for {
		if n, err := unix.Write(fifo, filler); n <= 0 || err != nil {
			break
		}
	}
	if err := os.WriteFile(goOn, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// The monitor's last line before its verdict. lxc-start takes the
	// verdict within microseconds (its goroutine runs as soon as the
	// monitor's blocks on its hold) and then blocks on its full log, long
	// before the lxc-info below is even exec'd. (Go writes the FIFO
	// through its poller: no thread shows the blocked write in /proc.)
	eventually(t, "the monitor's RUNNING", func() bool {
		return strings.Contains(readFile(monLog), `Set container state to "RUNNING"`)
	})

	// lxc-start has not told its caller yet; the monitor serves commands.
	r, err := execBounded(20*time.Second, nil, filepath.Join(binDir, "lxc-info"), "-P", lp, "-n", name, "-s", "-H")
	if err != nil || strings.TrimSpace(r.stdout) != "RUNNING" {
		t.Errorf("lxc-info while lxc-start finishes: %v %s", err, r)
	}
	stop := make(chan error, 1)
	go func() {
		r, err := execBounded(60*time.Second, nil, filepath.Join(binDir, "lxc-stop"), "-P", lp, "-n", name, "-k")
		if err == nil && r.code != 0 {
			err = fmt.Errorf("lxc-stop -k: %s", r)
		}
		stop <- err
	}()
	const stopLine = "(stop command)"
	for i := 0; i < 200 && !strings.Contains(readFile(monLog), stopLine); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(readFile(monLog), "Processing command") || !strings.Contains(readFile(monLog), stopLine) {
		t.Errorf("the monitor's lines while lxc-start finished are not in its log %s:\n%s", monLog, readFile(monLog))
	}
	select {
	case err := <-exited:
		t.Fatalf("lxc-start exited (%v) while blocked on its log: the test proves nothing", err)
	default:
	}

	// Let lxc-start finish.
	var startErr error
wait:
	for {
		drain()
		select {
		case startErr = <-exited:
			break wait
		case <-time.After(20 * time.Millisecond):
		}
	}
	drain()
	if startErr != nil {
		t.Errorf("lxc-start: %v", startErr)
	}
	if err := <-stop; err != nil {
		t.Error(err)
	}
	eventually(t, "the monitor to exit", func() bool { return len(monitors(lp, name)) == 0 })
	assertClean(t, lp, name)

	tool := strings.TrimLeft(toolLines.String(), "\n")
	if !strings.Contains(tool, `Container is in "RUNNING" state`) {
		t.Errorf("lxc-start's own line after the verdict is missing from its log:\n%s", tool)
	}
	for _, monitorOnly := range []string{"Processing command", stopLine, `Set container state to "STOPPING"`, `Set container state to "STOPPED"`} {
		if strings.Contains(tool, monitorOnly) {
			t.Errorf("monitor line %q in lxc-start's log:\n%s", monitorOnly, tool)
		}
	}
	if !strings.Contains(readFile(monLog), `Set container state to "STOPPED"`) {
		t.Errorf("the monitor's stop is missing from its log:\n%s", readFile(monLog))
	}
	if b, _ := os.ReadFile(errf.Name()); len(b) > 0 {
		t.Errorf("lxc-start printed:\n%s", b)
	}
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}
