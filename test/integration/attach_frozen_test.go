package integration

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// An attach to an already-frozen container cannot get in; `timeout`'s
// SIGTERM must end it, the caller's stdout must see EOF (no helper left
// frozen holding it, as LXC 5.0.2 leaves one) and no attach process may
// stay in the container's cgroups.
func TestAttachAlreadyFrozen(t *testing.T) {
	needRoot(t)
	const name = "stop-fz3"
	lp := frozenBusybox(t, name)

	cmd := exec.Command("timeout", "-s", "TERM", "3", filepath.Join(binDir, "lxc-attach"), "-P", lp, "-n", name, "--", "echo", "ran")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() { b, _ := io.ReadAll(out); got <- string(b) }()
	select {
	case s := <-got:
		if s != "" {
			t.Errorf("the attach into a frozen container printed %q", s)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the caller's stdout got no EOF 30 s after timeout's SIGTERM: a helper still holds it; left: %v", attachHelpers(name))
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 124 {
			t.Errorf("timeout lxc-attach: %v (want exit 124, killed by the SIGTERM)\nstderr:\n%s", err, errb.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("lxc-attach did not end 30 s after timeout's SIGTERM")
	}
	if left := attachHelpers(name); len(left) > 0 {
		t.Errorf("attach helpers left in the frozen container's cgroups: %v", left)
	}
	if st := state(t, lp, name); st != "FROZEN" {
		t.Errorf("the container is %s after the abandoned attach, want FROZEN", st)
	}
	mustRun(t, "lxc-unfreeze", "-P", lp, "-n", name)
	expect(t, run(t, nil, "lxc-attach", "-P", lp, "-n", name, "--", "echo", "ran"), 0, "ran\n", "")
}

// attachHelpers lists the "[golxc attach]" processes in NAME's cgroups.
func attachHelpers(name string) []string {
	var left []string
	for _, dir := range cgroupDirs(name) {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.Name() != "cgroup.procs" {
				return nil
			}
			b, _ := os.ReadFile(p)
			for _, pid := range strings.Fields(string(b)) {
				if c, err := os.ReadFile("/proc/" + pid + "/cmdline"); err == nil && strings.HasPrefix(string(c), "[golxc attach]") {
					left = append(left, pid+" in "+filepath.Dir(p))
				}
			}
			return nil
		})
	}
	return left
}

// A container that stops while an attach is on its way in is reported as
// stopped, not as ENOENT on its namespaces. The attach is held at the door
// by freezing the container; the kill thaws it, and the helper races
// init's death. Whatever the race, the outcome is one of: the attach
// failed because the container stopped (one line saying so, exit 1); the
// command ran before the container died (exit 0); or it was exec'd and
// then killed with the container (137: its status, as LXC reports it). A
// helper killed before it ran the command is the first case, never a
// silent 137 or a bare errno.
func TestAttachContainerStopsMeanwhile(t *testing.T) {
	needRoot(t)
	const name = "wex-stopmid"
	lp := frozenBusybox(t, name)

	logf := filepath.Join(t.TempDir(), "attach.log")
	cmd := exec.Command(filepath.Join(binDir, "lxc-attach"), "-P", lp, "-n", name, "-l", "NOTICE", "-o", logf, "--", "echo", "ran")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	eventually(t, "the attach helper to wait in the frozen container", func() bool { return len(attachHelpers(name)) > 0 })
	mustRun(t, "lxc-stop", "-P", lp, "-n", name, "-k")
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("lxc-attach did not end 30 s after its container was killed")
	}
	code := cmd.ProcessState.ExitCode()
	log, _ := os.ReadFile(logf)
	execd := strings.Contains(string(log), "Exec'ing")
	stopped := "lxc-attach: " + name + ": Failed to attach: the container stopped during the attach: container is not running\n"
	switch {
	case code == 1 && errb.String() == stopped && out.String() == "":
	case code == 0 && errb.String() == "" && out.String() == "ran\n":
		t.Log("the command ran before the container died")
	case code == 137 && errb.String() == "" && out.String() == "" && execd:
		t.Log("the command was exec'd, then killed with its container")
	default:
		t.Fatalf("attach to a container killed meanwhile: exit %d (the stage reached exec: %v)\nstdout: %q\nstderr: %q\nlog:\n%s", code, execd, out.String(), errb.String(), log)
	}
	if left := attachHelpers(name); len(left) > 0 {
		t.Errorf("attach helpers left: %v", left)
	}
}
