package integration

import (
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestLifecycle: start (daemon by default), wait, info, ls, clean stop.
func TestLifecycle(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "life1"
	busybox(t, lp, name)
	expect(t, run(t, nil, "lxc-start", "-P", lp, "-n", name), 0, "", "")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "10"), 0, "", "")
	if m := monitors(lp, name); len(m) != 1 {
		t.Fatalf("want one monitor process titled [lxc monitor] %s %s, got %v", lp, name, m)
	}

	r := mustRun(t, "lxc-info", "-P", lp, "-n", name)
	full := regexp.MustCompile(`^Name:           ` + name + `\n` +
		`State:          RUNNING\n` +
		`PID:            (\d+)\n` +
		`CPU use:        \d+\.\d\d seconds\n` +
		`BlkIO use:      \d+(\.\d\d)? (bytes|KiB|MiB|GiB)\n` +
		`Memory use:     \d+(\.\d\d)? (bytes|KiB|MiB|GiB)\n` +
		`KMem use:       \d+(\.\d\d)? (bytes|KiB|MiB|GiB)\n$`)
	mm := full.FindStringSubmatch(r.stdout)
	if mm == nil {
		t.Fatalf("lxc-info output:\n%s", r.stdout)
	}
	pid, _ := strconv.Atoi(mm[1])
	if comm := procStatus(t, pid, "Name"); comm != "init" {
		t.Errorf("PID %d is %q, want busybox init", pid, comm)
	}
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s"), 0, "State:          RUNNING\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "RUNNING\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-p"), 0, "PID:            "+mm[1]+"\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-p", "-H"), 0, mm[1]+"\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-p", "-H"), 0,
		"State:          RUNNING\nPID:            "+mm[1]+"\n", "")
	raw := mustRun(t, "lxc-info", "-P", lp, "-n", name, "-S", "-H").stdout
	if !regexp.MustCompile(`^CPU use:        [1-9]\d*\nBlkIO use:      \d+\nMemory use:     [1-9]\d*\nKMem use:       \d+\n$`).MatchString(raw) {
		t.Fatalf("lxc-info -S -H:\n%s", raw)
	}

	ls := mustRun(t, "lxc-ls", "-P", lp, "-f", "-F", "NAME,STATE,PID").stdout
	if !regexp.MustCompile(`(?m)^` + name + ` +RUNNING +` + mm[1] + ` *$`).MatchString(ls) {
		t.Fatalf("lxc-ls -f:\n%s", ls)
	}
	expect(t, run(t, nil, "lxc-ls", "-P", lp, "--running", "-1"), 0, name+"\n", "")

	// The busybox template sets lxc.signal.halt = SIGUSR1: busybox init halts.
	waitBusyboxInit(t, pid)
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name), 0, "", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "STOPPED\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-p"), 0, "", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name), 0, "Name:           "+name+"\nState:          STOPPED\n", "")
	ls = mustRun(t, "lxc-ls", "-P", lp, "-f", "-F", "NAME,STATE,PID").stdout
	if !regexp.MustCompile(`(?m)^` + name + ` +STOPPED +- *$`).MatchString(ls) {
		t.Fatalf("lxc-ls -f after stop:\n%s", ls)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("init %d still exists after lxc-stop", pid)
	}
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name), 2, "", "lxc-stop: "+name+" is not running\n")
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", "nosuch"), 2, "", "lxc-stop: nosuch is not running\n")
	assertClean(t, lp, name)
}

func TestStopOptionValidation(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-k", "-t", "5"}, "-k doesn't allow timeouts"},
		{[]string{"-k", "--nokill"}, "-k can't be used with --nokill"},
		{[]string{"-k", "-r"}, "-k can't be used with -r"},
		{[]string{"--nolock"}, "--nolock may only be used with -k"},
		{[]string{"-t", "-2"}, "Invalid timeout"},
	} {
		r := run(t, nil, "lxc-stop", append([]string{"-n", "x"}, c.args...)...)
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, c.msg) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("lxc-stop %v: %s\nwant exit 1 and %q", c.args, r, c.msg)
		}
	}
}

// TestStopKillAndNowait: -k kills at once; -W sends the halt signal and
// returns without waiting.
func TestStopKillAndNowait(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "stopk1"
	busybox(t, lp, name)
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k"), 0, "", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "STOPPED\n", "")
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("init %d survived lxc-stop -k", pid)
	}
	assertClean(t, lp, name)

	startRunning(t, lp, name)
	waitBusyboxInit(t, initPid(t, lp, name))
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-W"), 0, "", "")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "STOPPED", "-t", "30"), 0, "", "")
	assertClean(t, lp, name)
}

// TestStopTimeoutKills: an init that ignores the halt signal is killed
// after -t; with --nokill lxc-stop gives up with exit 1.
func TestStopTimeoutKills(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "stopt1"
	// An init that ignores the template's halt signal (SIGUSR1).
	busybox(t, lp, name, `lxc.init.cmd = /bin/sh -c "trap '' USR1; while :; do sleep 1; done"`)
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-t", "1", "--nokill"), 1, "", "")
	if got := state(t, lp, name); got != "RUNNING" || initPid(t, lp, name) != pid {
		t.Fatalf("after --nokill the container must still run with init %d: %s", pid, got)
	}
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-t", "1"), 0, "", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "STOPPED\n", "")
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("init %d survived lxc-stop -t 1", pid)
	}
	assertClean(t, lp, name)
}

// TestReboot: lxc-stop -r restarts the container with a new init.
func TestReboot(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "reboot1"
	busybox(t, lp, name)
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	mon := monitors(lp, name)
	waitBusyboxInit(t, pid)
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-r"), 0, "", "")
	var pid2 int
	eventually(t, "a new init after reboot", func() bool {
		r := run(t, nil, "lxc-info", "-P", lp, "-n", name, "-p", "-H")
		pid2, _ = strconv.Atoi(strings.TrimSpace(r.stdout))
		return pid2 > 0 && pid2 != pid
	})
	mustRun(t, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "10")
	if got := state(t, lp, name); got != "RUNNING" {
		t.Fatalf("state after reboot: %s", got)
	}
	if m := monitors(lp, name); len(m) != 1 || m[0] != mon[0] {
		t.Errorf("reboot must keep the monitor %v, got %v", mon, m)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("old init %d still exists", pid)
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)
}

func TestWait(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "wait1"
	busybox(t, lp, name)
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "STOPPED"), 0, "", "")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "0"), 1, "", "")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "2"), 1, "", "")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", "nosuch", "-s", "RUNNING|STOPPED"), 0, "", "")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "running"), 1, "", "lxc-wait: invalid state 'running'\n")
	r := run(t, nil, "lxc-wait", "-P", lp, "-n", name)
	if r.code != 1 || !strings.Contains(r.stderr, "could not parse command line") {
		t.Fatalf("lxc-wait without -s: %s", r)
	}
	startRunning(t, lp, name)
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING|FROZEN", "-t", "5"), 0, "", "")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "FROZEN", "-t", "0"), 1, "", "")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "STOPPED", "-t", "1"), 1, "", "")
	waitBusyboxInit(t, initPid(t, lp, name))
	mustRun(t, "lxc-stop", "-P", lp, "-n", name, "-W")
	expect(t, run(t, nil, "lxc-wait", "-P", lp, "-n", name, "-s", "STOPPED", "-t", "30"), 0, "", "")
	assertClean(t, lp, name)
}
