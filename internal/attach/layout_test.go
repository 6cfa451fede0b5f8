package attach

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/spawn"
)

// The freeze checks after a terminating signal use the layout the attach
// detected once: here a fake one in which the process is frozen (a
// fresh detection would see the real, thawed cgroup).
func TestFreezeCheckUsesTheAttachLayout(t *testing.T) {
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Wait()
	defer child.Process.Kill()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(child.Process.Pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	var path string
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			path = p
		}
	}
	if path == "" {
		t.Skip("no cgroup2 line in /proc/PID/cgroup")
	}
	mnt := t.TempDir()
	dir := filepath.Join(mnt, path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for f, v := range map[string]string{"cgroup.freeze": "1\n", "cgroup.events": "populated 1\nfrozen 1\n"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := cgroup.DetectFrom(cgroup.Sources{
		Mountinfo:  "30 1 0:26 / " + mnt + " rw,nosuid,nodev,noexec - cgroup2 cgroup2 rw\n",
		SelfCgroup: "0::" + path + "\n", InitCgroup: "0::/\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{Pid: child.Process.Pid, proc: &spawn.Process{Pid: child.Process.Pid}}
	p.cgroups.once.Do(func() { p.cgroups.l = l })
	if !p.abandonIfFrozen() {
		t.Error("the freeze check did not use the attach's layout")
	}
}
