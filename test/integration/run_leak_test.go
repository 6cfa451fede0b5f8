package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// lockHeld reports whether someone holds the container's disk lock
// (/run/lxc/lock/LXCPATH/.NAME, an OFD or flock lock).
func lockHeld(t *testing.T, lp, name string) bool {
	t.Helper()
	f, err := os.OpenFile(filepath.Join("/run/lxc/lock", lp, "."+name), os.O_RDWR, 0)
	if os.IsNotExist(err) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lk := unix.Flock_t{Type: unix.F_WRLCK}
	if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_GETLK, &lk); err != nil {
		t.Fatal(err)
	}
	if lk.Type != unix.F_UNLCK {
		return true
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return true
	}
	unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return false
}

// TestStartStopCyclesLeakNothing: 100 start/stop cycles leave no cgroups,
// mounts, processes, sockets, fds or held lock.
func TestStartStopCyclesLeakNothing(t *testing.T) {
	needRoot(t)
	if testing.Short() {
		t.Skip("100 cycles; skipped with -short")
	}
	lp := lxcpath(t)
	name := "cycle1"
	busybox(t, lp, name)
	fds := countFDs(t)
	pids := map[int]bool{}
	for i := 0; i < 100; i++ {
		mustRun(t, "lxc-start", "-P", lp, "-n", name, "-d")
		mustRun(t, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "10")
		pids[initPid(t, lp, name)] = true
		mustRun(t, "lxc-stop", "-P", lp, "-n", name, "-k")
	}
	if len(pids) != 100 {
		t.Errorf("100 boots gave %d distinct init pids", len(pids))
	}
	assertClean(t, lp, name)
	for pid := range pids {
		if unix.Kill(pid, 0) == nil {
			if b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup"); strings.Contains(string(b), "lxc.payload."+name) {
				t.Errorf("init %d of an old boot is still alive", pid)
			}
		}
	}
	if n := countFDs(t); n != fds {
		t.Errorf("the test process has %d fds, had %d before the cycles", n, fds)
	}
	if lockHeld(t, lp, name) {
		t.Error("the container lock is still held")
	}
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "STOPPED\n", "")
}
