package cmdsock

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startRealContainer creates and starts a busybox container with real LXC in
// a temp lxcpath (network "empty", no AppArmor) and tears it down afterwards.
func startRealContainer(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a real LXC container")
	}
	needLXC(t, "lxc-create", "lxc-start", "lxc-stop", "lxc-destroy")
	if _, err := os.Stat("/usr/share/lxc/templates/lxc-busybox"); err != nil {
		t.Skip("busybox template not installed")
	}
	lxcpath := t.TempDir()
	cleanLXCLocks(t, lxcpath)
	cleanLXCPivot(t)
	if _, stderr, code := lxcTool(t, "lxc-create", "-t", "busybox", "-P", lxcpath, "-n", name); code != 0 {
		t.Skipf("lxc-create -t busybox failed (exit %d): %s", code, stderr)
	}
	t.Cleanup(func() {
		lxcTool(t, "lxc-stop", "-P", lxcpath, "-n", name, "-k")
		lxcTool(t, "lxc-destroy", "-P", lxcpath, "-n", name)
	})
	cfgPath := filepath.Join(lxcpath, name, "config")
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	// No bridge on this host: drop the default veth network.
	cfg = regexp.MustCompile(`(?m)^lxc\.(net\.0\.\w+|apparmor\.profile) = .*$`).ReplaceAll(cfg, nil)
	cfg = append(cfg, "\nlxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\n"...)
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := lxcTool(t, "lxc-start", "-P", lxcpath, "-n", name); code != 0 {
		t.Fatalf("lxc-start exit %d: %s", code, stderr)
	}
	return lxcpath
}

func TestOurClientAgainstRealMonitor(t *testing.T) {
	const name = "golxc-cmdsock-real"
	lxcpath := startRealContainer(t, name)
	c, err := Dial(lxcpath, name)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.WaitStates([]State{RUNNING}, 10*time.Second)
	if err != nil || st != RUNNING {
		t.Fatalf("WaitStates RUNNING = %v, %v", st, err)
	}
	if st, err := c.State(); err != nil || st != RUNNING {
		t.Fatalf("State = %v, %v", st, err)
	}
	pid, err := c.InitPID()
	if err != nil || pid <= 1 {
		t.Fatalf("InitPID = %d, %v", pid, err)
	}
	info, _, _ := lxcTool(t, "lxc-info", "-P", lxcpath, "-n", name, "-p", "-H")
	if strings.TrimSpace(info) != strconv.Itoa(pid) {
		t.Fatalf("our InitPID %d, lxc-info says %q", pid, info)
	}
	if v, err := c.ConfigItem("lxc.uts.name"); err != nil || v != name {
		t.Fatalf("ConfigItem(lxc.uts.name) = %q, %v", v, err)
	}
	if v, err := c.ConfigItem("lxc.tty.max"); err != nil || v != "5" {
		t.Fatalf("ConfigItem(lxc.tty.max) = %q, %v", v, err)
	}
	if _, err := c.ConfigItem("lxc.no.such.key"); err == nil {
		t.Fatal("unknown key answered")
	}
	if cg, err := c.Cgroup("memory"); err != nil || !strings.Contains(cg, name) {
		t.Fatalf("Cgroup(memory) = %q, %v", cg, err)
	}
	if n, err := c.Name(); err != nil || n != name {
		t.Fatalf("Name = %q, %v", n, err)
	}
	if p, err := c.LXCPath(); err != nil || p != lxcpath {
		t.Fatalf("LXCPath = %q, %v", p, err)
	}
	if fl, err := c.CloneFlags(); err != nil || fl == 0 {
		t.Fatalf("CloneFlags = %x, %v", fl, err)
	}
	pidfd, err := c.InitPidFD()
	if err != nil {
		t.Fatalf("InitPidFD: %v", err)
	}
	pidfd.Close()
	tty, err := c.TTYFD(-1)
	if err != nil {
		t.Fatalf("TTYFD: %v", err)
	}
	if tty.Num < 1 || tty.Num > 5 {
		t.Fatalf("tty number %d", tty.Num)
	}
	tty.Close()
	names, err := ActiveNames(lxcpath)
	if err != nil || len(names) != 1 || names[0] != name {
		t.Fatalf("ActiveNames = %v, %v", names, err)
	}

	// STOP through our client, observed by our own state client.
	sub, err := c.Subscribe([]State{STOPPED})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if st, err := sub.Wait(30 * time.Second); err != nil || st != STOPPED {
		t.Fatalf("state client saw %v, %v", st, err)
	}
	if _, err := Dial(lxcpath, name); !errors.Is(err, ErrNotRunning) {
		// The monitor may need a moment to close its socket after STOPPED.
		waitFor(t, func() bool { return !IsRunning(lxcpath, name) })
	}
}
