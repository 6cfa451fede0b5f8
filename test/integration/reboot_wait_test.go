package integration

import (
	"os"
	"syscall"
	"testing"
)

// TestRebootWaitsForNewBoot: lxc-stop -r returns once the container runs
// again (liblxc's reboot2), with golxc's tool and with LXC's against a
// golxc monitor. LXC's registers a state client with 2 in the RUNNING slot
// only; the monitor once took that for a watcher and sent it the exit
// record first, so LXC's lxc-stop -r exited 1.
func TestRebootWaitsForNewBoot(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	name := "rebootw1"
	busybox(t, lp, name)
	startRunning(t, lp, name)
	defer assertClean(t, lp, name)
	defer killStop(t, lp, name)
	reboot := func(who string, stop func() result) {
		t.Helper()
		pid := initPid(t, lp, name)
		waitBusyboxInit(t, pid)
		if r := stop(); r.code != 0 {
			t.Fatalf("%s lxc-stop -r: %s", who, r)
		}
		// No waiting here: lxc-stop -r returned, so the new boot runs.
		if got := state(t, lp, name); got != "RUNNING" {
			t.Fatalf("after %s lxc-stop -r: %s", who, got)
		}
		if now := initPid(t, lp, name); now == pid {
			t.Fatalf("%s lxc-stop -r returned with the old init %d", who, pid)
		}
		if syscall.Kill(pid, 0) == nil {
			t.Fatalf("old init %d still exists after %s lxc-stop -r", pid, who)
		}
	}
	reboot("golxc's", func() result { return run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-r", "-t", "30") })
	if _, err := os.Stat("/usr/bin/lxc-stop"); err != nil {
		t.Logf("LXC is not installed: LXC's lxc-stop -r not tried")
		return
	}
	cleanLXCRunFiles(t, lp)
	reboot("LXC's", func() result { return runPath(t, nil, "/usr/bin/lxc-stop", "-P", lp, "-n", name, "-r", "-t", "30") })
}
