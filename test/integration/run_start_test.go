package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestStartForeground: -F runs the command with our stdio (no terminal)
// and, like LXC, exits 0 whatever the payload's status.
func TestStartForeground(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "fg1"
	busybox(t, lp, name)
	r := run(t, nil, "lxc-start", "-P", lp, "-n", name, "-F", "--", "/bin/sh", "-c", "echo hello from $(hostname); echo to-stderr >&2; exit 3")
	expect(t, r, 0, "hello from "+name+"\n", "to-stderr\n")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "STOPPED\n", "")
	assertClean(t, lp, name)
}

// TestStartPidfile: -p holds the monitor pid (no newline) and goes away
// when the container stops.
func TestStartPidfile(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "pidf1"
	busybox(t, lp, name)
	pf := filepath.Join(t.TempDir(), "c.pid")
	startRunning(t, lp, name, "-p", pf)
	b, err := os.ReadFile(pf)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(string(b))
	mon := monitors(lp, name)
	if err != nil || len(mon) != 1 || mon[0] != pid {
		t.Fatalf("pidfile %q, monitors %v", b, mon)
	}
	if st, _ := os.Stat(pf); st.Mode().Perm() != 0o600 {
		t.Errorf("pidfile mode %v, want 0600", st.Mode().Perm())
	}
	if ip := initPid(t, lp, name); ip == pid {
		t.Errorf("pidfile holds init's pid %d, want the monitor's", ip)
	}
	killStop(t, lp, name)
	eventually(t, "pidfile removal", func() bool { _, err := os.Stat(pf); return os.IsNotExist(err) })
	assertClean(t, lp, name)
}

// TestStartAlreadyRunning: the second start says so and exits 0; two
// concurrent starts leave exactly one monitor.
func TestStartAlreadyRunning(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "dup1"
	busybox(t, lp, name)
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	expect(t, run(t, nil, "lxc-start", "-P", lp, "-n", name), 0, "", "lxc-start: "+name+": Container is already running\n")
	if initPid(t, lp, name) != pid || len(monitors(lp, name)) != 1 {
		t.Fatal("second lxc-start disturbed the running container")
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)

	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		res := make([]result, 2)
		for i := range res {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				res[i] = run(t, nil, "lxc-start", "-P", lp, "-n", name)
			}(i)
		}
		wg.Wait()
		already := 0
		for _, r := range res {
			if r.code != 0 {
				t.Fatalf("concurrent lxc-start: %s", r)
			}
			if r.stderr == "lxc-start: "+name+": Container is already running\n" {
				already++
			} else if r.stderr != "" {
				t.Fatalf("concurrent lxc-start: %s", r)
			}
		}
		if already != 1 {
			t.Fatalf("round %d: exactly one start must report 'already running': %v", round, res)
		}
		mustRun(t, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "10")
		if m := monitors(lp, name); len(m) != 1 {
			t.Fatalf("round %d: monitors %v", round, m)
		}
		killStop(t, lp, name)
		assertClean(t, lp, name)
	}
}

// TestStartErrors: a start without a config, and a nonexistent rcfile.
func TestStartErrors(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	expect(t, run(t, nil, "lxc-start", "-P", lp, "-n", "nosuch"), 1, "", "lxc-start: No container config specified\n")
	r := run(t, nil, "lxc-start", "-P", lp, "-n", "nosuch", "-f", filepath.Join(lp, "missing.conf"))
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "missing.conf") {
		t.Fatalf("%s", r)
	}
}
