package monitor

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
)

// rebootInit reboots the container on its first boot only.
const rebootInit = `#!/bin/sh
n=$(cat /facts/boots 2>/dev/null || echo 0)
n=$(expr $n + 1)
echo $n > /facts/boots
if [ $n = 1 ]; then reboot -f; sleep 100; fi
touch /facts/ready
while :; do sleep 1 & wait $!; done
`

func TestRebootRestartsContainer(t *testing.T) {
	c := newCT(t, "mon-reboot", "")
	must(t, os.WriteFile(filepath.Join(c.rootfs, "sbin/init"), []byte(rebootInit), 0o755))
	if _, err := Start(c.opts()); err != nil {
		t.Fatal(err)
	}
	c.fact("ready")
	if got := c.fact("boots"); got != "2" {
		t.Fatalf("boots = %s, want 2 (reboot(2) in the container restarts it)", got)
	}
	waitFor(t, "RUNNING after reboot", func() bool { return c.state() == cmdsock.RUNNING })
	cl := c.client()
	must(t, cl.Stop())
	c.waitStopped()
}

func monitorPid(t *testing.T, pidfile string) int {
	b, err := os.ReadFile(pidfile)
	must(t, err)
	pid, err := strconv.Atoi(string(b))
	must(t, err)
	return pid
}

func TestMonitorSIGTERMTearsDown(t *testing.T) {
	c := newCT(t, "mon-term", "")
	o := c.opts()
	o.PidFile = filepath.Join(c.lxcpath, "pid")
	if _, err := Start(o); err != nil {
		t.Fatal(err)
	}
	c.fact("ready")
	must(t, syscall.Kill(monitorPid(t, o.PidFile), syscall.SIGTERM))
	c.waitStopped()
	c.assertClean()
}

// A monitor killed outright must not leave a running container behind:
// the pdeath signal kills init and the abstract socket vanishes.
func TestMonitorDeathKillsInit(t *testing.T) {
	c := newCT(t, "mon-death", "")
	o := c.opts()
	o.PidFile = filepath.Join(c.lxcpath, "pid")
	if _, err := Start(o); err != nil {
		t.Fatal(err)
	}
	c.fact("ready")
	init := c.initPID()
	must(t, syscall.Kill(monitorPid(t, o.PidFile), syscall.SIGKILL))
	waitFor(t, "init death", func() bool { return !alive(init) })
	c.waitStopped()
	// Nobody is left to remove the cgroups (the next start would sweep
	// them); do it for the leak check of the cleanup. The killed tasks
	// keep them busy until the host's init has reaped them.
	waitFor(t, "stale cgroups to be removable", func() bool {
		for _, d := range cgroupDirs(c.name) {
			removeCgroupTree(d)
		}
		return len(cgroupDirs(c.name)) == 0
	})
	os.Remove(o.PidFile)
}

func removeCgroupTree(d string) {
	ents, _ := os.ReadDir(d)
	for _, e := range ents {
		if e.IsDir() {
			removeCgroupTree(filepath.Join(d, e.Name()))
		}
	}
	_ = syscall.Rmdir(d)
}

func TestCommands(t *testing.T) {
	c := newCT(t, "mon-cmds", "lxc.tty.max = 2\nlxc.console.logfile = CONSOLELOG\nlxc.console.buffer.size = 64K\n")
	cfg, _ := os.ReadFile(c.config)
	logf := filepath.Join(c.lxcpath, "console.log")
	must(t, os.WriteFile(c.config, []byte(strings.Replace(string(cfg), "CONSOLELOG", logf, 1)), 0o644))
	must(t, os.WriteFile(filepath.Join(c.rootfs, "sbin/init"), []byte(strings.Replace(initScript,
		"touch /facts/ready", "echo hello-console; touch /facts/ready", 1)), 0o755))
	if _, err := Start(c.opts()); err != nil {
		t.Fatal(err)
	}
	c.fact("ready")
	cl := c.client()
	pid := c.initPID()

	if name, err := cl.Name(); err != nil || name != c.name {
		t.Errorf("GetName = %q, %v", name, err)
	}
	if lp, err := cl.LXCPath(); err != nil || lp != c.lxcpath {
		t.Errorf("GetLXCPath = %q, %v", lp, err)
	}
	if v, err := cl.ConfigItem("lxc.uts.name"); err != nil || v != c.name {
		t.Errorf("GetConfigItem(lxc.uts.name) = %q, %v", v, err)
	}
	if flags, err := cl.CloneFlags(); err != nil || flags&unix.CLONE_NEWPID == 0 || flags&unix.CLONE_NEWUSER != 0 {
		t.Errorf("GetCloneFlags = %#x, %v", flags, err)
	}
	p, err := cl.Cgroup("memory")
	if err != nil || !strings.HasSuffix(p, "lxc.payload."+c.name) {
		t.Errorf("GetCgroup(memory) = %q, %v", p, err)
	}
	procCg, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	// Cloned into the cgroup2 payload (CLONE_INTO_CGROUP), never moved
	// there again: it must still be there.
	if _, err := os.Stat("/sys/fs/cgroup/unified"); err == nil || isUnifiedRoot() {
		if !strings.Contains(string(procCg), "\n0::/lxc.payload."+c.name) && !strings.HasPrefix(string(procCg), "0::/lxc.payload."+c.name) {
			t.Errorf("init is not in the cgroup2 payload:\n%s", procCg)
		}
	}
	if !strings.Contains(string(procCg), ":memory:"+p+"\n") {
		t.Errorf("GetCgroup(memory) %q does not match init's /proc/PID/cgroup:\n%s", p, procCg)
	}

	// Freeze and thaw through the freezer.
	must(t, cl.Freeze(-1))
	if st := c.state(); st != cmdsock.FROZEN {
		t.Errorf("state after freeze %s", st)
	}
	if fp, err := cl.Cgroup("freezer"); err == nil {
		b, _ := os.ReadFile("/sys/fs/cgroup/freezer" + fp + "/freezer.state")
		if strings.TrimSpace(string(b)) != "FROZEN" {
			t.Errorf("freezer.state = %q while FROZEN", b)
		}
	}
	must(t, cl.Unfreeze(-1))
	if st := c.state(); st != cmdsock.RUNNING {
		t.Errorf("state after unfreeze %s", st)
	}

	// The console log got the init's output.
	waitFor(t, "console log", func() bool {
		b, _ := os.ReadFile(logf)
		return strings.Contains(string(b), "hello-console")
	})
	ring, err := cl.ConsoleLog(cmdsock.ConsoleLogRequest{Read: true, ReadMax: 1 << 20})
	if err != nil || !strings.Contains(string(ring), "hello-console") {
		t.Errorf("CONSOLE_LOG ring = %q, %v", ring, err)
	}
	must(t, cl.Stop())
	c.waitStopped()
}

func TestHeldDuringSetup(t *testing.T) {
	for _, tc := range []struct {
		st   cmdsock.State
		cmd  cmdsock.Cmd
		held bool
	}{
		{cmdsock.RUNNING, cmdsock.Freeze, false},
		{cmdsock.FROZEN, cmdsock.GetInitPID, false},
		{cmdsock.STOPPED, cmdsock.GetInitPID, false},
		{cmdsock.STARTING, cmdsock.Stop, false},
		{cmdsock.ABORTING, cmdsock.Stop, false},
		{cmdsock.STARTING, cmdsock.Freeze, true},
		{cmdsock.STARTING, cmdsock.GetTTYFD, true},
		{cmdsock.ABORTING, cmdsock.Unfreeze, true},
		{cmdsock.STARTING, cmdsock.GetInitPID, true},
		{cmdsock.STARTING, cmdsock.GetInitPidFD, true},
		{cmdsock.ABORTING, cmdsock.GetCloneFlags, true},
	} {
		if held := heldDuringSetup(tc.st, tc.cmd); held != tc.held {
			t.Errorf("heldDuringSetup(%s, %s) = %v, want %v", tc.st, tc.cmd, held, tc.held)
		}
	}
}

// isUnifiedRoot: /sys/fs/cgroup itself is cgroup2 (a pure cgroup2 host).
func isUnifiedRoot() bool {
	var st unix.Statfs_t
	return unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}
