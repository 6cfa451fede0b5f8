package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestMonitorKilled: a monitor killed with SIGKILL takes its init with
// it (the parent-death signal), no tool hangs on what it left, and the
// next start of the container removes the cgroups the dead monitor could
// not, so that after it stops nothing is left. Run for busybox init
// (setuid in the template's rootfs) and for a plain shell init, several
// times: the signal used to be lost whenever the init stage had exec'd
// from another thread than the main one.
func TestMonitorKilled(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "killmon1"
	cfg := busybox(t, lp, name)
	for i := 0; i < 3; i++ {
		monitorKilled(t, lp, name)
	}
	appendConfig(t, cfg, `lxc.init.cmd = /bin/sh -c "while :; do sleep 1; done"`)
	for i := 0; i < 3; i++ {
		monitorKilled(t, lp, name)
	}
}

func monitorKilled(t *testing.T, lp, name string) {
	t.Helper()
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	mon := monitors(lp, name)
	if len(mon) != 1 {
		t.Fatalf("monitors %v", mon)
	}
	syscall.Kill(mon[0], syscall.SIGKILL)
	eventually(t, "the monitor to go", func() bool { return len(monitors(lp, name)) == 0 })
	eventually(t, "init to die with its monitor", func() bool { return !alive(pid) })
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "STOPPED\n", "")
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name), 2, "", "lxc-stop: "+name+" is not running\n")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "STOPPED", "-t", "5"), 0, "", "")
	if lockHeld(t, lp, name) {
		t.Error("the dead monitor's lock is still held")
	}

	startRunning(t, lp, name)
	pid = initPid(t, lp, name)
	if cg := filepath.Base(cgroupOf(t, pid, "cpu")); cg != "lxc.payload."+name {
		t.Errorf("restarted init is in %s: the dead monitor's lxc.payload.%s was not cleaned up", cg, name)
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)
}

// alive: pid exists and is not a zombie (a killed init waits to be reaped
// by the host's init).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
