package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A frozen container is killed (the kill thaws it), as with LXC.
func TestStopKillFrozen(t *testing.T) {
	needRoot(t)
	const name = "stop-fz1"
	lp := frozenBusybox(t, name)
	expect(t, runPathTimeout(t, 60*time.Second, nil, filepath.Join(binDir, "lxc-stop"), "-P", lp, "-n", name, "-k"), 0, "", "")
	assertClean(t, lp, name)
}

// The container's root freezes its own cgroup: the host's tools see
// FROZEN, attach obeys timeout's SIGTERM and lets go of the caller's
// output, and a kill still works.
func TestSelfFrozenContainer(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	const name = "stop-fz2"
	// The container keeps CAP_SYS_ADMIN: its cgroups are mounted only on
	// request (:force), as with LXC.
	busybox(t, lp, name, "lxc.mount.auto = cgroup:mixed:force")
	startRunning(t, lp, name)
	// The attached shell freezes itself with the container: give up on it
	// with a terminating signal, as `timeout` would.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "lxc-attach"), "-P", lp, "-n", name, "--",
		"sh", "-c", "echo FROZEN > /sys/fs/cgroup/freezer/freezer.state; echo thawed")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// A file, not a pipe: cmd.Wait must not wait for a frozen holder.
	attachErr, err := os.Create(filepath.Join(t.TempDir(), "attach.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer attachErr.Close()
	cmd.Stderr = attachErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for st := state(t, lp, name); st != "FROZEN"; st = state(t, lp, name) {
		if time.Now().After(deadline) {
			// Say why: the kernel's view, and what the attach said.
			fs, _ := os.ReadFile("/sys/fs/cgroup/freezer/lxc.payload." + name + "/freezer.state")
			tasks, _ := os.ReadFile("/sys/fs/cgroup/freezer/lxc.payload." + name + "/tasks")
			ps, _ := exec.Command("ps", "-eo", "pid,ppid,stat,wchan:32,args").Output()
			t.Fatalf("lxc-info still says %s after 10 s of a self-freeze; the kernel's freezer.state: %q, tasks: %q\nattach stderr: %s\nps:\n%s",
				st, strings.TrimSpace(string(fs)), strings.Fields(string(tasks)), readFile(attachErr.Name()), ps)
		}
		time.Sleep(50 * time.Millisecond)
	}
	r := runPathTimeout(t, 60*time.Second, nil, filepath.Join(binDir, "lxc-ls"), "-P", lp, "-f")
	if !strings.Contains(r.stdout, name+" FROZEN") {
		t.Fatalf("lxc-ls -f of a self-frozen container:\n%s", r)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	// EOF on the pipe: nothing (no frozen helper) holds the caller's stdout.
	b := make([]byte, 64)
	for {
		n, err := out.Read(b)
		if err != nil {
			break
		}
		if n > 0 && strings.Contains(string(b[:n]), "thawed") {
			t.Fatal("the attached shell ran on after freezing itself")
		}
	}
	cmd.Wait()
	if ctx.Err() != nil {
		t.Fatal("lxc-attach ignored SIGTERM while the container was frozen")
	}
	expect(t, runPathTimeout(t, 60*time.Second, nil, filepath.Join(binDir, "lxc-stop"), "-P", lp, "-n", name, "-k"), 0, "", "")
	assertClean(t, lp, name)
}
