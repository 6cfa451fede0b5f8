package integration

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestIsolation: init has its own uts, pid, mnt, ipc, net and cgroup
// namespaces (seen from the host), is PID 1 inside, sees lxc.uts.name as
// its hostname and the container's rootfs as /.
func TestIsolation(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "iso1"
	out, entry := outDir(t)
	busybox(t, lp, name, entry, "lxc.uts.name = isohost",
		`lxc.init.cmd = /bin/sh -c "{ echo pid=$$; echo host=$(hostname); echo ppid=$PPID; test -e /etc/inittab && echo rootfs=busybox; test -e /mnt/out && echo out=yes; } > /mnt/out/facts.tmp; mv /mnt/out/facts.tmp /mnt/out/facts; exec sleep 1000"`)
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	for _, ns := range []string{"uts", "pid", "mnt", "ipc", "net", "cgroup"} {
		host, err1 := os.Readlink("/proc/self/ns/" + ns)
		cont, err2 := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
		if err1 != nil || err2 != nil || host == cont {
			t.Errorf("%s namespace not isolated: host %s container %s (%v %v)", ns, host, cont, err1, err2)
		}
	}
	// The user namespace is the host's without lxc.idmap.
	host, _ := os.Readlink("/proc/self/ns/user")
	if cont, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", pid)); cont != host {
		t.Errorf("user namespace %s without lxc.idmap, want the host's %s", cont, host)
	}
	facts := readOut(t, out, "facts")
	if facts != "pid=1\nhost=isohost\nppid=0\nrootfs=busybox\nout=yes\n" {
		t.Errorf("facts from inside:\n%s", facts)
	}
	if h, _ := os.Hostname(); h == "isohost" {
		t.Errorf("the container changed the host's hostname")
	}
	// The container's mounts are not visible on the host.
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mi), out) {
		t.Errorf("container bind mount of %s leaked into the host mount namespace", out)
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)
}
