package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// A monitor that never hibernates (lxc-execute, a daemon with
// GOLXC_HIBERNATE=0) forks init without locking its goroutine to a thread:
// init's parent-death signal is then tied to whichever runtime thread ran
// the fork, and must still fire when the monitor is killed. Several rounds:
// the thread differs from run to run.

// TestExecuteMonitorKilled: lxc-execute killed with SIGKILL takes the
// container's init with it, and the next execute of the container runs and
// leaves nothing behind.
func TestExecuteMonitorKilled(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	const name = "gunlock1"
	out, mnt := outDir(t)
	busybox(t, lp, name, mnt)
	for i := 0; i < 3; i++ {
		cmd := exec.Command(filepath.Join(binDir, "lxc-execute"), "-P", lp, "-n", name, "--", "/bin/sh", "-c",
			"echo up > /mnt/out/up.tmp && mv /mnt/out/up.tmp /mnt/out/up && cat >/dev/null")
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		readOut(t, out, "up")
		pid := initPid(t, lp, name)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		stdin.Close()
		eventually(t, "init to die with lxc-execute", func() bool { return !alive(pid) })
		expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "STOPPED\n", "")
		if err := os.Remove(filepath.Join(out, "up")); err != nil {
			t.Fatal(err)
		}
	}
	expect(t, run(t, nil, "lxc-execute", "-P", lp, "-n", name, "--", "/bin/true"), 0, "", "")
	assertClean(t, lp, name)
}

// TestUnhibernatedMonitorKilled: the same for lxc-start's daemonized
// monitor with hibernation off (it forks init unlocked too).
func TestUnhibernatedMonitorKilled(t *testing.T) {
	needRoot(t)
	t.Setenv("GOLXC_HIBERNATE", "0") // every tool the test runs inherits it
	lp := lxcpath(t)
	const name = "gunlock2"
	busybox(t, lp, name)
	for i := 0; i < 3; i++ {
		monitorKilled(t, lp, name)
	}
	startRunning(t, lp, name)
	killStop(t, lp, name)
	assertClean(t, lp, name)
}
