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

// processesRunning lists the pids whose command line mentions marker.
func processesRunning(marker string) []string {
	var pids []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmdline), marker) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// After kill -9 of lxc-create alone (not its process group), the template
// and everything it started die too, so the next tool can remove the
// partial container and nothing writes into its directory again.
func TestKilledCreateKillsTemplateTree(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	tdir := t.TempDir()
	tmpl := filepath.Join(tdir, "lxc-misc-writer")
	started := filepath.Join(tdir, "started")
	// A background writer keeps touching the container directory; the
	// template itself waits.
	os.WriteFile(tmpl, []byte("#!/bin/sh\npath=${1#--path=}\n"+
		"(while :; do touch \"$path/still-written\" 2>/dev/null; sleep 0.05; done) &\n"+
		"touch "+started+"\nsleep 60\n"), 0o755)
	t.Cleanup(func() {
		for _, p := range processesRunning(tmpl) {
			if pid := atoi(p); pid > 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	cmd := exec.Command(filepath.Join(binDir, "lxc-create"), "-P", lp, "-n", "misc-killed", "-t", tmpl)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group: only lxc-create gets the SIGKILL
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the template to start", func() bool { _, err := os.Stat(started); return err == nil })
	if len(processesRunning(tmpl)) == 0 {
		t.Fatal("no template process found")
	}
	cmd.Process.Kill()
	cmd.Wait()
	eventually(t, "the template's processes to die with lxc-create", func() bool { return len(processesRunning(tmpl)) == 0 })

	dir := filepath.Join(lp, "misc-killed")
	if _, err := os.Stat(filepath.Join(dir, "partial")); err != nil {
		t.Fatalf("expected a stale partial marker: %v", err)
	}
	expect(t, run(t, nil, "lxc-ls", "-P", lp, "-1"), 0, "", "")
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the partial container was not removed: %v", err)
	}
	// Nothing recreates it afterwards.
	time.Sleep(200 * time.Millisecond)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("something still writes into %s after the create died", dir)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}
