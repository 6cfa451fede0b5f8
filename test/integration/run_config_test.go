package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// capBits parses a CapBnd/CapEff hex mask.
func capBits(t *testing.T, hex string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(hex, 16, 64)
	if err != nil {
		t.Fatalf("capability mask %q: %v", hex, err)
	}
	return v
}

// TestCapDrop: the template's lxc.cap.drop (sys_module mac_admin
// mac_override sys_time) is gone from init's bounding set, the rest stays.
func TestCapDrop(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "capd1"
	busybox(t, lp, name, "lxc.cap.drop = net_raw")
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	bnd := capBits(t, procStatus(t, pid, "CapBnd"))
	for _, c := range []struct {
		name string
		bit  uint
	}{{"sys_module", 16}, {"sys_time", 25}, {"mac_override", 32}, {"mac_admin", 33}, {"net_raw", 13}} {
		if bnd&(1<<c.bit) != 0 {
			t.Errorf("CapBnd %x still has %s", bnd, c.name)
		}
	}
	for _, c := range []struct {
		name string
		bit  uint
	}{{"chown", 0}, {"sys_admin", 21}, {"net_admin", 12}, {"kill", 5}} {
		if bnd&(1<<c.bit) == 0 {
			t.Errorf("CapBnd %x lost %s", bnd, c.name)
		}
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)
}

// TestCapKeep: only the kept capabilities remain.
func TestCapKeep(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "capk1"
	busybox(t, lp, name, "lxc.cap.drop =", "lxc.cap.keep = sys_admin kill")
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	if bnd := capBits(t, procStatus(t, pid, "CapBnd")); bnd != 1<<21|1<<5 {
		t.Errorf("CapBnd %x, want only sys_admin and kill (%x)", bnd, uint64(1<<21|1<<5))
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)
}

// TestInitSettings: lxc.init.cmd/cwd/uid/gid, lxc.environment,
// lxc.prlimit.*, lxc.sysctl.*, lxc.signal.halt; checked inside and on
// the host.
func TestInitSettings(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "init1"
	out, entry := outDir(t)
	os.Chmod(out, 0o777)
	busybox(t, lp, name, entry,
		"lxc.environment = GREETING=hello world",
		"lxc.init.cwd = /tmp",
		"lxc.init.uid = 1000",
		"lxc.init.gid = 1001",
		"lxc.prlimit.nofile = 123:456",
		"lxc.prlimit.nproc = 5000",
		"lxc.sysctl.net.ipv4.ip_forward = 1",
		"lxc.sysctl.kernel.msgmax = 12345",
		// kernel.* sysctls need a writable /proc/sys, as with LXC.
		"lxc.mount.auto =",
		"lxc.mount.auto = proc:rw sys:ro",
		"lxc.signal.halt = SIGUSR2",
		`lxc.init.cmd = /bin/sh -c "trap 'echo halted > /mnt/out/halt.tmp; mv /mnt/out/halt.tmp /mnt/out/halt; exit 0' USR2; `+
			`{ echo cwd=$(pwd); echo id=$(id -u):$(id -g); echo env=$GREETING; echo container=$container; ulimit -n; `+
			`cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax; } > /mnt/out/f.tmp; mv /mnt/out/f.tmp /mnt/out/facts; while :; do sleep 1; done"`,
	)
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	facts := readOut(t, out, "facts")
	expectLines(t, facts, "cwd=/tmp", "id=1000:1001", "env=hello world", "container=lxc", "123", "1", "12345")
	if uid := procStatus(t, pid, "Uid"); uid != "1000\t1000\t1000\t1000" {
		t.Errorf("init Uid: %q", uid)
	}
	if gid := procStatus(t, pid, "Gid"); gid != "1001\t1001\t1001\t1001" {
		t.Errorf("init Gid: %q", gid)
	}
	limits, _ := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if !strings.Contains(string(limits), "Max open files            123                  456                  files") {
		t.Errorf("lxc.prlimit.nofile not applied:\n%s", limits)
	}
	if !strings.Contains(string(limits), "Max processes             5000                 5000                 processes") {
		t.Errorf("lxc.prlimit.nproc not applied:\n%s", limits)
	}
	if b, _ := os.ReadFile("/proc/sys/kernel/msgmax"); strings.TrimSpace(string(b)) == "12345" {
		t.Errorf("lxc.sysctl leaked to the host's ipc namespace")
	}
	// lxc.signal.halt = SIGUSR2 reaches init's trap; it exits cleanly.
	waitCatches(t, pid, syscall.SIGUSR2)
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-t", "30", "--nokill"), 0, "", "")
	if got := readOut(t, out, "halt"); got != "halted\n" {
		t.Errorf("halt signal: %q", got)
	}
	// With proc:mixed only net.* is writable: one line naming the key.
	r := run(t, nil, "lxc-execute", "-P", lp, "-n", name, "-s", "lxc.mount.auto=proc:mixed", "--", "/bin/true")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "lxc.sysctl.kernel.msgmax: /proc/sys/kernel/msgmax is read-only") {
		t.Errorf("sysctl under proc:mixed: %s", r)
	}
	assertClean(t, lp, name)
}

// TestSignalStop: lxc-stop -k sends lxc.signal.stop.
func TestSignalStop(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "sigs1"
	out, entry := outDir(t)
	busybox(t, lp, name, entry, "lxc.signal.stop = SIGTERM",
		`lxc.init.cmd = /bin/sh -c "trap 'echo term > /mnt/out/s.tmp; mv /mnt/out/s.tmp /mnt/out/sig; exit 0' TERM; while :; do sleep 1; done"`)
	startRunning(t, lp, name)
	waitCatches(t, initPid(t, lp, name), syscall.SIGTERM)
	expect(t, run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k"), 0, "", "")
	if got := readOut(t, out, "sig"); got != "term\n" {
		t.Errorf("lxc.signal.stop: %q", got)
	}
	assertClean(t, lp, name)
}

// TestIDMap: with lxc.idmap, root of the container is uid/gid 100000 on
// the host, and uid 0 inside.
func TestIDMap(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "idmap1"
	busybox(t, lp, name, "lxc.idmap = u 0 100000 65536", "lxc.idmap = g 0 100000 65536",
		`lxc.init.cmd = /bin/sh -c "while :; do sleep 1; done"`)
	// The mapped root must reach and own its rootfs, as with LXC.
	os.Chmod(lp, 0o755)
	rootfs := filepath.Join(lp, name, "rootfs")
	filepath.Walk(rootfs, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		st := info.Sys().(*syscall.Stat_t)
		return os.Lchown(p, 100000+int(st.Uid), 100000+int(st.Gid))
	})
	os.Chown(filepath.Join(lp, name), 100000, 100000)
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	if uid := procStatus(t, pid, "Uid"); uid != "100000\t100000\t100000\t100000" {
		t.Errorf("init Uid on the host: %q", uid)
	}
	if gid := procStatus(t, pid, "Gid"); gid != "100000\t100000\t100000\t100000" {
		t.Errorf("init Gid on the host: %q", gid)
	}
	m, _ := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", pid))
	if strings.Join(strings.Fields(string(m)), " ") != "0 100000 65536" {
		t.Errorf("uid_map: %q", m)
	}
	host, _ := os.Readlink("/proc/self/ns/user")
	if cont, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", pid)); cont == host {
		t.Errorf("lxc.idmap without a user namespace")
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)
}

// TestEphemeral: lxc.ephemeral = 1 destroys the container when it stops.
func TestEphemeral(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "eph1"
	busybox(t, lp, name, "lxc.ephemeral = 1")
	startRunning(t, lp, name)
	killStop(t, lp, name)
	eventually(t, "the ephemeral container's removal", func() bool {
		_, err := os.Stat(filepath.Join(lp, name))
		return os.IsNotExist(err)
	})
	expect(t, run(t, nil, "lxc-ls", "-P", lp, "-1"), 0, "", "")
	assertClean(t, lp, name)
}
