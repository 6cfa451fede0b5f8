package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStartKilledWhileStarting: SIGTERM, SIGINT or SIGHUP to a daemonizing
// lxc-start while its container starts (a pre-start hook holds it) kills
// lxc-start by that signal, silently, and the monitor aborts the start
// once it sees that nobody waits for its result: nothing is left, no
// container runs. That is LXC 5.0.2's behaviour (observed with
// /usr/bin/lxc-start: exit 143/130/129, container STOPPED), on both paths:
// the preforked one, where the signal hits the C parent waiting for the
// verdict, and the exec'd monitor's.
func TestStartKilledWhileStarting(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "pfk-sig"
	dir := t.TempDir()
	in, goOn := filepath.Join(dir, "in"), filepath.Join(dir, "go")
	monLog := filepath.Join(t.TempDir(), "container.log")
	busybox(t, lp, name, "lxc.log.file = "+monLog, "lxc.log.level = DEBUG", holdHook(in, goOn))
	for _, mode := range startModes {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
			t.Run(mode.name+"/"+sig.String(), func(t *testing.T) {
				os.Remove(in)
				os.Remove(goOn)
				os.Remove(monLog)
				errf, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
				if err != nil {
					t.Fatal(err)
				}
				defer errf.Close()
				cmd := exec.Command(filepath.Join(binDir, "lxc-start"), "-P", lp, "-n", name)
				cmd.Env = append(os.Environ(), mode.env...)
				// Files, not pipes: Wait returns when lxc-start ends,
				// whatever the monitor holds.
				cmd.Stdout, cmd.Stderr = errf, errf
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				defer func() {
					os.WriteFile(goOn, nil, 0o644)
					if t.Failed() { // keep the next case independent
						run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k")
					}
				}()

				eventually(t, "the pre-start hook", func() bool { _, err := os.Stat(in); return err == nil })
				if m := monitors(lp, name); len(m) != 1 {
					t.Fatalf("monitors %v while the hook runs", m)
				}
				cmd.Process.Signal(sig)
				var werr error
				select {
				case werr = <-done:
				case <-time.After(30 * time.Second):
					t.Fatalf("lxc-start still runs 30 s after %v", sig)
				}
				var ws syscall.WaitStatus
				if ee, ok := werr.(*exec.ExitError); ok {
					ws, _ = ee.Sys().(syscall.WaitStatus)
				}
				if !ws.Signaled() || ws.Signal() != sig {
					t.Errorf("lxc-start after %v: %v, want killed by it", sig, werr)
				}
				// The start goes on until the monitor can tell.
				os.WriteFile(goOn, nil, 0o644)
				eventually(t, "the monitor to abort and exit", func() bool { return len(monitors(lp, name)) == 0 })
				if st := state(t, lp, name); st != "STOPPED" {
					t.Errorf("state %s after lxc-start died of %v", st, sig)
				}
				assertClean(t, lp, name)
				if b, _ := os.ReadFile(errf.Name()); len(b) > 0 {
					t.Errorf("lxc-start printed:\n%s", b)
				}
				if l := readFile(monLog); !strings.Contains(l, "waiting for the start result (lxc-start) is gone: aborting the start") {
					t.Errorf("the monitor's log does not say why it aborted:\n%s", l)
				}
			})
		}
	}
}
