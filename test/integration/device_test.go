package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/cmdsock"
)

// devicesList is the container's v1 devices cgroup list, "" when the host
// has no v1 devices hierarchy.
func devicesList(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup/devices/lxc.payload."+name, "devices.list"))
	if err != nil {
		return ""
	}
	return string(b)
}

// TestDeviceNode: lxc-device add creates the host's device node in the
// running container (missing directories too) and allows it in its
// devices cgroup; del removes and denies it. A symlink the container
// plants on the path cannot send the node to the host.
func TestDeviceNode(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "dev-one")
	startRunning(t, lp, "dev-one")
	mustRun(t, "lxc-device", "-P", lp, "-n", "dev-one", "add", "/dev/zero", "/dev/sub/dz")
	r := mustRun(t, "lxc-attach", "-P", lp, "-n", "dev-one", "--", "sh", "-c", "ls -l /dev/sub/dz && head -c 4 /dev/sub/dz | od -An -c")
	if !strings.Contains(r.stdout, "1,   5") || !strings.Contains(r.stdout, `\0  \0  \0  \0`) {
		t.Errorf("node in the container: %s", r)
	}
	if l := devicesList(t, "dev-one"); l != "" && !strings.Contains(l, "c 1:5 rwm") && !strings.Contains(l, "a *:* rwm") {
		t.Errorf("devices cgroup does not allow 1:5 after add:\n%s", l)
	}
	mustRun(t, "lxc-device", "-P", lp, "-n", "dev-one", "d", "/dev/zero", "/dev/sub/dz") // a prefix of del
	if r := run(t, nil, "lxc-attach", "-P", lp, "-n", "dev-one", "--", "ls", "/dev/sub/dz"); r.code == 0 {
		t.Errorf("node still there after del: %s", r)
	}
	if l := devicesList(t, "dev-one"); strings.Contains(l, "c 1:5 rwm") {
		t.Errorf("1:5 still allowed after del:\n%s", l)
	}

	// The container points /dev/esc at an absolute path; resolved on
	// the host, the node would land in the host's directory.
	hostDir := t.TempDir()
	mustRun(t, "lxc-attach", "-P", lp, "-n", "dev-one", "--", "sh", "-c", "mkdir -p "+hostDir+" && ln -s "+hostDir+" /dev/esc")
	mustRun(t, "lxc-device", "-P", lp, "-n", "dev-one", "add", "/dev/zero", "/dev/esc/dz")
	if _, err := os.Lstat(filepath.Join(hostDir, "dz")); err == nil {
		t.Fatalf("the device node was created on the host through the container's symlink")
	}
	if r := run(t, nil, "lxc-attach", "-P", lp, "-n", "dev-one", "--", "test", "-c", hostDir+"/dz"); r.code != 0 {
		t.Errorf("node not created inside the container's own %s: %s", hostDir, r)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"frob", "/dev/zero"}, "lxc-device: Error: Please use add or del (Please see --help output)\n"},
		{nil, "lxc-device: Error: no command given (Please see --help output)\n"},
	} {
		r := run(t, nil, "lxc-device", append([]string{"-P", lp, "-n", "dev-one"}, c.args...)...)
		expect(t, r, 1, "", c.want)
	}
	r = run(t, nil, "lxc-device", "-P", lp, "-n", "dev-none", "add", "/dev/zero")
	expect(t, r, 1, "", "lxc-device: Container dev-none is not running\n")
	if r := run(t, nil, "lxc-device", "-P", lp, "-n", "dev-one", "add", "/etc/passwd"); r.code != 1 || !strings.Contains(r.stderr, "not a character or block device") {
		t.Errorf("a regular file: %s", r)
	}
}

// TestDeviceInterface: lxc-device moves a host network device into the
// container under a new name, and back out under another.
func TestDeviceInterface(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "dev-net")
	startRunning(t, lp, "dev-net")
	if out, err := exec.Command("ip", "link", "add", "gdvt0", "type", "veth", "peer", "name", "gdvt1").CombinedOutput(); err != nil {
		t.Fatalf("ip link add: %v %s", err, out)
	}
	t.Cleanup(func() {
		for _, n := range []string{"gdvt0", "gdvt1", "gdvt2"} {
			exec.Command("ip", "link", "del", n).Run()
		}
	})
	exec.Command("ip", "link", "set", "gdvt0", "up").Run()
	mustRun(t, "lxc-device", "-P", lp, "-n", "dev-net", "add", "gdvt0", "eth5")
	if r := run(t, nil, "lxc-attach", "-P", lp, "-n", "dev-net", "--", "ip", "link", "show", "eth5"); r.code != 0 {
		t.Fatalf("eth5 not in the container: %s", r)
	}
	if err := exec.Command("ip", "link", "show", "gdvt0").Run(); err == nil {
		t.Fatal("gdvt0 still on the host after add")
	}
	mustRun(t, "lxc-device", "-P", lp, "-n", "dev-net", "del", "eth5", "gdvt2")
	if err := exec.Command("ip", "link", "show", "gdvt2").Run(); err != nil {
		t.Fatal("gdvt2 not back on the host after del")
	}
	if r := run(t, nil, "lxc-attach", "-P", lp, "-n", "dev-net", "--", "ip", "link", "show", "eth5"); r.code == 0 {
		t.Errorf("eth5 still in the container: %s", r)
	}
}

// TestDeviceRuleCgroup2: the monitor extends the container's cgroup2 eBPF
// device program on request (LXC's ADD_BPF_DEVICE_CGROUP, what lxc-device
// and the API use on a cgroup2 host): a device the config denies becomes
// usable, and a new deny takes effect, without restarting the container.
func TestDeviceRuleCgroup2(t *testing.T) {
	needRoot(t)
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err != nil {
		if _, err := os.Stat("/sys/fs/cgroup/unified/cgroup.procs"); err != nil {
			t.Skip("no cgroup2 hierarchy")
		}
	}
	lp := lxcpath(t)
	busybox(t, lp, "dev-bpf", "lxc.cgroup2.devices.deny = c 1:5 rwm")
	startRunning(t, lp, "dev-bpf")
	readZero := func() result {
		return run(t, nil, "lxc-attach", "-P", lp, "-n", "dev-bpf", "--", "sh", "-c", "head -c 1 /dev/zero | wc -c")
	}
	if r := readZero(); r.code == 0 && r.stdout == "1\n" {
		t.Fatalf("the config's cgroup2 deny of 1:5 does not hold: %s", r)
	}
	cl, err := cmdsock.Dial(lp, "dev-bpf")
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.AddDeviceRule(cmdsock.DeviceItem{Type: 'c', Major: 1, Minor: 5, Access: "rwm", Allow: true}); err != nil {
		t.Fatalf("add allow: %v", err)
	}
	if r := readZero(); r.code != 0 || r.stdout != "1\n" {
		t.Fatalf("/dev/zero still denied after the allow: %s", r)
	}
	if err := cl.AddDeviceRule(cmdsock.DeviceItem{Type: 'c', Major: 1, Minor: 5, Access: "r", Allow: false}); err != nil {
		t.Fatalf("add deny: %v", err)
	}
	if r := readZero(); r.code == 0 && r.stdout == "1\n" {
		t.Fatalf("/dev/zero still readable after the deny: %s", r)
	}
	bad := cmdsock.DeviceItem{Type: 'c', Access: "rwm"}.Bytes()[:39]
	resp, err := cl.Do(&cmdsock.Request{Cmd: cmdsock.AddBPFDeviceCgroup, Data: bad})
	if err != nil || resp.Ret != -22 {
		t.Errorf("a short item: %+v %v, want -EINVAL", resp, err)
	}
}
