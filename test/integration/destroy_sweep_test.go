package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vishvananda/netlink"
)

// TestDestroySweepsKilledMonitorNetwork: after kill -9 of the monitor and
// of init, with the container's network namespace kept alive by a
// process left in it, the host veth stays on the bridge; lxc-destroy
// removes it and the monitor's network record, as no start of the
// destroyed container will.
func TestDestroySweepsKilledMonitorNetwork(t *testing.T) {
	needRoot(t)
	br := netBridgeNamed(t, "netcg", "")
	lp := lxcpath(t)
	name := "netcgdestroy"
	busybox(t, lp, name, "lxc.net.0.type = veth", "lxc.net.0.link = "+br, "lxc.net.0.flags = up",
		"lxc.init.cmd = /bin/sleep 1000")
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	ports := bridgePorts(br)
	mons := monitors(lp, name)
	if len(ports) != 1 || len(mons) != 1 {
		t.Fatalf("ports %v, monitors %v", ports, mons)
	}
	veth := ports[0]
	if len(netRecords(t, lp, name)) != 1 {
		t.Fatalf("no network record of %s", name)
	}
	// A process left in the container's network namespace keeps it, and
	// with it the veth pair, after init dies.
	holder := exec.Command("nsenter", fmt.Sprintf("--net=/proc/%d/ns/net", pid), "sleep", "1000")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Process.Kill(); holder.Wait() })
	netns := func(pid int) string { l, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid)); return l }
	eventually(t, "the holder to enter the container's network namespace", func() bool {
		return netns(holder.Process.Pid) == netns(pid)
	})
	syscall.Kill(mons[0], syscall.SIGKILL)
	syscall.Kill(pid, syscall.SIGKILL)
	eventually(t, "the monitor and init to die", func() bool {
		return len(monitors(lp, name)) == 0 && !alive(pid)
	})
	if _, err := netlink.LinkByName(veth); err != nil {
		t.Fatalf("the host veth %s went with init, the namespace holder did not keep it: %v", veth, err)
	}
	mustRun(t, "lxc-destroy", "-P", lp, "-n", name)
	if _, err := netlink.LinkByName(veth); err == nil {
		t.Errorf("lxc-destroy left the host veth %s of the killed monitor", veth)
	}
	if recs := netRecords(t, lp, name); len(recs) != 0 {
		t.Errorf("lxc-destroy left the network record(s) %v", recs)
	}
}

// netRecords lists root's network records of lp/name.
func netRecords(t *testing.T, lp, name string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("/run/golxc/network", name+"-*.json"))
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil && strings.Contains(string(b), fmt.Sprintf("%q", filepath.Join(lp, name))) {
			out = append(out, f)
		}
	}
	return out
}
