package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cgroupOf is the host directory of pid's cgroup for a v1 controller.
func cgroupOf(t *testing.T, pid int, controller string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.SplitN(l, ":", 3)
		if len(f) == 3 {
			for _, c := range strings.Split(f[1], ",") {
				if c == controller {
					return filepath.Join("/sys/fs/cgroup", controller, f[2])
				}
			}
		}
	}
	t.Fatalf("pid %d has no %s cgroup:\n%s", pid, controller, b)
	return ""
}

func readTrim(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestCgroupLimits: seed 002's lxc.cgroup.cpu.shares and lxc.utsname,
// a memory limit and pids.max read back from the payload cgroup; the
// monitor sits in lxc.monitor.NAME; lxc-info's figures come from there.
func TestCgroupLimits(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "cg1"
	busybox(t, lp, name,
		"lxc.cgroup.cpu.shares = 1234",
		"lxc.utsname = linux-voice",
		"lxc.cgroup.memory.limit_in_bytes = 64M",
		"lxc.cgroup.pids.max = 50")
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	cpu := cgroupOf(t, pid, "cpu")
	if filepath.Base(cpu) != "lxc.payload."+name {
		t.Fatalf("init's cpu cgroup %s, want lxc.payload.%s", cpu, name)
	}
	if got := readTrim(t, filepath.Join(cpu, "cpu.shares")); got != "1234" {
		t.Errorf("cpu.shares = %s", got)
	}
	mem := cgroupOf(t, pid, "memory")
	if got := readTrim(t, filepath.Join(mem, "memory.limit_in_bytes")); got != "67108864" {
		t.Errorf("memory.limit_in_bytes = %s", got)
	}
	if got := readTrim(t, filepath.Join(cgroupOf(t, pid, "pids"), "pids.max")); got != "50" {
		t.Errorf("pids.max = %s", got)
	}
	mon := monitors(lp, name)
	if len(mon) != 1 || filepath.Base(cgroupOf(t, mon[0], "cpu")) != "lxc.monitor."+name {
		t.Errorf("monitor %v is not in lxc.monitor.%s", mon, name)
	}
	// lxc-info's memory figure is the payload cgroup's usage.
	usage := mustRun(t, "lxc-info", "-P", lp, "-n", name, "-S", "-H").stdout
	if !strings.Contains(usage, "Memory use:     ") {
		t.Errorf("lxc-info -S -H: %s", usage)
	}
	uts, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/uts", pid))
	host, _ := os.Readlink("/proc/self/ns/uts")
	if uts == host {
		t.Fatal("no uts namespace")
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)

	// Inside: lxc.utsname is the hostname; a payload above the memory
	// limit is OOM-killed (128+9 through lxc-execute); pids.max holds.
	if r := run(t, nil, "lxc-execute", "-P", lp, "-n", name, "--", "/bin/hostname"); r.code != 0 || r.stdout != "linux-voice\n" {
		t.Errorf("lxc.utsname: %s", r)
	}
	r := run(t, nil, "lxc-execute", "-P", lp, "-n", name, "--", "/bin/awk", `BEGIN { s = "0123456789abcdef"; while (1) s = s s }`)
	if r.code != 137 {
		t.Errorf("a payload growing past 64M must be OOM-killed (137): %s", r)
	}
	forks := func(n int) result {
		return run(t, nil, "lxc-execute", "-P", lp, "-n", name, "--", "/bin/sh", "-c",
			fmt.Sprintf(`n=0; while [ $n -lt %d ]; do sleep 5 & n=$((n+1)); done; echo started $n`, n))
	}
	if r := forks(30); r.stdout != "started 30\n" {
		t.Errorf("30 processes under pids.max = 50: %s", r)
	}
	if r := forks(60); r.stdout == "started 60\n" || r.code == 0 {
		t.Errorf("pids.max = 50 did not stop the 60th process: %s", r)
	}
	assertClean(t, lp, name)
}

// TestCgroupDir: lxc.cgroup.dir places the payload and monitor below it.
func TestCgroupDir(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "cgdir1"
	busybox(t, lp, name, "lxc.cgroup.dir = golxc-it-"+name)
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	cpu := cgroupOf(t, pid, "cpu")
	if !strings.HasSuffix(cpu, "/golxc-it-"+name+"/lxc.payload."+name) && !strings.HasSuffix(cpu, "/golxc-it-"+name) {
		t.Errorf("init's cgroup %s is not below lxc.cgroup.dir", cpu)
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)
	// Like LXC, the monitor leaves through DIR/lxc.pivot, which stays (as
	// the top-level lxc.pivot does); nothing else may be left under DIR.
	var dirs []string
	filepath.WalkDir("/sys/fs/cgroup", func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "golxc-it-"+name {
			dirs = append(dirs, p)
			return filepath.SkipDir
		}
		return nil
	})
	if len(dirs) == 0 {
		t.Fatal("lxc.cgroup.dir was never created")
	}
	for _, d := range dirs {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if e.IsDir() && e.Name() != "lxc.pivot" {
				t.Errorf("left behind: %s/%s", d, e.Name())
			}
		}
		// The monitor's last threads may still be exiting: its
		// cmdline is gone (leftovers no longer sees it) before the
		// process leaves cgroup.procs.
		pivot := filepath.Join(d, "lxc.pivot", "cgroup.procs")
		eventually(t, pivot+" to empty (the monitor gone)", func() bool { return readTrim(t, pivot) == "" })
		os.Remove(filepath.Join(d, "lxc.pivot"))
		if err := os.Remove(d); err != nil {
			t.Errorf("remove %s: %v", d, err)
		}
	}
}
