package integration

import (
	"context"
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
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "lxc-info to report the self-frozen container FROZEN", func() bool {
		return state(t, lp, name) == "FROZEN"
	})
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
