package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// criuWorks says whether criu can run at all on this kernel (`criu
// check`); the test then takes the full path or the error path.
func criuWorks(t *testing.T) bool {
	t.Helper()
	path, err := exec.LookPath("criu")
	if err != nil {
		if _, err := os.Stat("/usr/sbin/criu"); err != nil {
			t.Skip("criu is not installed (apt-get install criu)")
		}
		path = "/usr/sbin/criu"
	}
	return exec.Command(path, "check").Run() == nil
}

// oneLine fails unless stderr is exactly one line holding every want.
func oneLine(t *testing.T, r result, want ...string) {
	t.Helper()
	if r.code != 1 || strings.Count(strings.TrimRight(r.stderr, "\n"), "\n") != 0 {
		t.Fatalf("want exit 1 and one line: %s", r)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q lacks %q", r.stderr, w)
		}
	}
}

// TestCheckpointOptions: LXC's refused combinations, one line each.
func TestCheckpointOptions(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "ckopt")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "-D is required"},
		{[]string{"-D", "/tmp/x", "-r", "-s"}, "-s not compatible with -r"},
		{[]string{"-D", "/tmp/x", "-F"}, "-d/-F are restore options"},
		{[]string{"-D", "/tmp/x", "-r", "-p"}, "-p not compatible with -r"},
	} {
		oneLine(t, run(t, nil, "lxc-checkpoint", append([]string{"-P", lp, "-n", "ckopt"}, c.args...)...), c.want)
	}
	oneLine(t, run(t, nil, "lxc-checkpoint", "-P", lp, "-n", "ckopt", "-D", t.TempDir()), "ckopt not running, not checkpointing")
	oneLine(t, run(t, nil, "lxc-checkpoint", "-P", lp, "-n", "cknosuch", "-D", t.TempDir()), "cknosuch is not defined")
}

// TestCheckpointRestore: a busybox container whose payload counts is
// checkpointed and stopped, restored, and the count goes on from where it
// was. Where criu cannot run on this kernel, the checkpoint fails with
// one line giving criu's own reason, the container keeps running, and a
// restore fails the same way leaving nothing behind.
func TestCheckpointRestore(t *testing.T) {
	needRoot(t)
	works := criuWorks(t)
	lp := lxcpath(t)
	name := "ckpt1"
	hostDir, entry := outDir(t)
	busybox(t, lp, name, entry,
		"lxc.init.cmd = /bin/sh -c 'i=0; while :; do i=$((i+1)); echo $i > /mnt/out/n.tmp; mv /mnt/out/n.tmp /mnt/out/n; sleep 0.1; done'")
	startRunning(t, lp, name)
	count := func() int {
		b, _ := os.ReadFile(filepath.Join(hostDir, "n"))
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return n
	}
	eventually(t, "the payload to count", func() bool { return count() > 2 })
	ck := filepath.Join(t.TempDir(), "ck")

	if works {
		mustRun(t, "lxc-checkpoint", "-P", lp, "-n", name, "-D", ck, "-s")
		if s := state(t, lp, name); s != "STOPPED" {
			t.Fatalf("after lxc-checkpoint -s: %s", s)
		}
		at := count()
		time.Sleep(300 * time.Millisecond)
		if count() != at {
			t.Fatal("the payload still counts after the checkpoint stopped the container")
		}
		mustRun(t, "lxc-checkpoint", "-P", lp, "-n", name, "-D", ck, "-r")
		mustRun(t, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "10")
		eventually(t, "the restored payload to count on", func() bool { return count() > at+2 })
		killStop(t, lp, name)
		assertClean(t, lp, name)
		return
	}

	r := run(t, nil, "lxc-checkpoint", "-P", lp, "-n", name, "-D", ck, "-s")
	oneLine(t, r, name+": criu ", " dump failed on kernel ", "criu's log: "+ck+"/dump.log")
	// The reason is criu's last error line from its log.
	b, err := os.ReadFile(filepath.Join(ck, "dump.log"))
	if err != nil {
		t.Fatalf("criu wrote no log: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	last := lines[len(lines)-1]
	if i := strings.Index(last, "): "); i >= 0 {
		last = strings.TrimSuffix(last[i+3:], ".")
	}
	if !strings.Contains(r.stderr, last) {
		t.Errorf("the error does not give criu's reason %q: %s", last, r.stderr)
	}
	if s := state(t, lp, name); s != "RUNNING" {
		t.Fatalf("a failed checkpoint -s left the container %s", s)
	}
	at := count()
	eventually(t, "the payload to go on counting", func() bool { return count() > at })

	killStop(t, lp, name)
	assertClean(t, lp, name)
	oneLine(t, run(t, nil, "lxc-checkpoint", "-P", lp, "-n", name, "-D", ck, "-r"), "holds no checkpoint (no inventory.img)")
	// A directory that looks like a checkpoint gets as far as criu: its
	// failure is one line and the monitor, cgroups and console it made go.
	if err := os.WriteFile(filepath.Join(ck, "inventory.img"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r = run(t, nil, "lxc-checkpoint", "-P", lp, "-n", name, "-D", ck, "-r")
	oneLine(t, r, " restore failed on kernel ", "criu's log: "+ck+"/restore.log")
	if s := state(t, lp, name); s != "STOPPED" {
		t.Errorf("after a failed restore: %s", s)
	}
	assertClean(t, lp, name)
}
