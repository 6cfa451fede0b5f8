package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/testuser"
)

// setup builds the helper setuid root into a fresh directory under
// /var/tmp (on / here, which is not nosuid), with its quota file and
// database there, and makes a test bridge and a test user.
type fixture struct {
	bin, dir, bridge string
	user             testuser.User
}

func setup(t *testing.T, quota int) fixture {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	u := testuser.Create(t, "unstest4")
	dir, err := os.MkdirTemp("/var/tmp", "uns-usernic-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "lxc-user-nic")
	build := exec.Command("go", "build", "-tags", "osusergo,netgo", "-trimpath", "-o", bin,
		"-ldflags", fmt.Sprintf("-X main.usernetConf=%s/lxc-usernet -X main.nicsDB=%s/run/nics", dir, dir), ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	if err := os.Chmod(bin, 0o755|os.ModeSetuid); err != nil {
		t.Fatal(err)
	}
	var st syscall.Statfs_t
	syscall.Statfs(dir, &st)
	if st.Flags&0x2 != 0 { // ST_NOSUID
		t.Skipf("%s is mounted nosuid", dir)
	}
	os.WriteFile(filepath.Join(dir, "lxc-usernet"), []byte(fmt.Sprintf("# test\n%s veth unsbr0 %d\n", u.Name, quota)), 0o644)
	exec.Command("ip", "link", "del", "unsbr0").Run()
	if out, err := exec.Command("ip", "link", "add", "unsbr0", "type", "bridge").CombinedOutput(); err != nil {
		t.Fatalf("bridge: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", "unsbr0").Run() })
	return fixture{bin: bin, dir: dir, bridge: "unsbr0", user: u}
}

// netnsOf starts "unshare ARGS sleep" (as uid when non-nil) and returns
// its pid once it is in its own network namespace.
func netnsOf(t *testing.T, u *testuser.User, args ...string) int {
	t.Helper()
	cmd := exec.Command("unshare", append(args, "sleep", "600")...)
	cmd.Dir = "/"
	if u != nil {
		cmd.SysProcAttr = u.Cred()
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	mine, _ := os.Readlink("/proc/self/ns/net")
	for i := 0; i < 500; i++ {
		ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid))
		if ns != "" && ns != mine {
			return cmd.Process.Pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("unshare never entered its network namespace")
	return 0
}

// run runs the helper as the test user.
func (f fixture) run(t *testing.T, args ...string) testuser.Result {
	t.Helper()
	cmd := exec.Command(f.bin, args...)
	cmd.Dir = "/"
	cmd.SysProcAttr = f.user.Cred()
	return testuser.Run(t, cmd)
}

func (f fixture) db(t *testing.T) string {
	b, _ := os.ReadFile(filepath.Join(f.dir, "run", "nics"))
	return string(b)
}

// hostVeths lists the host's veth names made for the test user.
func hostVeths(u testuser.User) []string {
	m, _ := filepath.Glob(fmt.Sprintf("/sys/class/net/veth%d_*", u.UID))
	return m
}

var created = regexp.MustCompile(`^(eth\d+):(\d+):(veth\d+_[0-9A-Za-z]{4}):(\d+)\n$`)

// Within the quota each create gives a veth on the bridge with its peer
// in the user's namespace; the eleventh over a quota of ten is refused;
// delete removes the device and its record.
func TestCreateQuotaDelete(t *testing.T) {
	f := setup(t, 10)
	pid := netnsOf(t, &f.user, "-Urn")
	var hosts []string
	for i := 0; i < 10; i++ {
		r := f.run(t, "create", "/tmp/x", "uns-c1", fmt.Sprint(pid), "veth", "unsbr0", fmt.Sprintf("eth%d", i))
		m := created.FindStringSubmatch(r.Stdout)
		if r.Code != 0 || m == nil || m[1] != fmt.Sprintf("eth%d", i) {
			t.Fatalf("create %d: %+v", i, r)
		}
		master, _ := os.Readlink("/sys/class/net/" + m[3] + "/master")
		if filepath.Base(master) != "unsbr0" {
			t.Errorf("%s is not on unsbr0 (master %q)", m[3], master)
		}
		hosts = append(hosts, m[3])
	}
	inside, _ := exec.Command("nsenter", "-t", fmt.Sprint(pid), "-n", "ip", "-o", "link").Output()
	if !strings.Contains(string(inside), "eth9@") {
		t.Errorf("peer not in the user's namespace:\n%s", inside)
	}
	r := f.run(t, "create", "/tmp/x", "uns-c1", fmt.Sprint(pid), "veth", "unsbr0", "eth10")
	if r.Code != 1 || !strings.Contains(r.Stderr, "Quota reached") || len(hostVeths(f.user)) != 10 {
		t.Errorf("eleventh over a quota of ten: %+v (veths %d)", r, len(hostVeths(f.user)))
	}
	if n := strings.Count(f.db(t), "unstest4 veth unsbr0 veth"); n != 10 {
		t.Errorf("database has %d records:\n%s", n, f.db(t))
	}
	r = f.run(t, "delete", "/tmp/x", "uns-c1", fmt.Sprintf("/proc/%d/ns/net", pid), "veth", "unsbr0", hosts[0])
	if r.Code != 0 {
		t.Fatalf("delete: %+v", r)
	}
	if _, err := os.Stat("/sys/class/net/" + hosts[0]); err == nil {
		t.Errorf("%s still exists after delete", hosts[0])
	}
	if strings.Contains(f.db(t), hosts[0]) {
		t.Errorf("record of %s still there:\n%s", hosts[0], f.db(t))
	}
	// Its slot is free again.
	r = f.run(t, "create", "/tmp/x", "uns-c1", fmt.Sprint(pid), "veth", "unsbr0", "eth10")
	if r.Code != 0 {
		t.Errorf("create after delete: %+v", r)
	}
}

// CVE-2017-5985: a network namespace the caller does not own (root's,
// here) gets no device.
func TestCreateRefusesOthersNetns(t *testing.T) {
	f := setup(t, 10)
	pid := netnsOf(t, nil, "-n")
	r := f.run(t, "create", "/tmp/x", "uns-c1", fmt.Sprint(pid), "veth", "unsbr0", "eth0")
	if r.Code != 1 || !strings.Contains(r.Stderr, "may not modify netns") {
		t.Errorf("root's netns: %+v", r)
	}
	if v := hostVeths(f.user); len(v) != 0 {
		t.Errorf("veths left: %v", v)
	}
	inside, _ := exec.Command("nsenter", "-t", fmt.Sprint(pid), "-n", "ip", "-o", "link").Output()
	if strings.Count(string(inside), "\n") != 1 {
		t.Errorf("root's netns got a device:\n%s", inside)
	}
}

// CVE-2018-6556 (and the CVE-2022-47952 oracle): delete opens nothing
// but a network namespace file, and says the same for a file that
// exists, one that does not and one the caller cannot read.
func TestDeleteRefusesOtherPaths(t *testing.T) {
	f := setup(t, 10)
	netnsOf(t, &f.user, "-Urn")
	var msgs []string
	for _, p := range []string{"/etc/shadow", "/nonexistent", "/root", "/proc/self/ns/../status", "/dev/null"} {
		r := f.run(t, "delete", "/tmp/x", "uns-c1", p, "veth", "unsbr0", "vethX")
		if r.Code != 1 {
			t.Errorf("%s: %+v", p, r)
		}
		msgs = append(msgs, strings.Replace(r.Stderr, p, "PATH", 1))
	}
	for _, m := range msgs[1:] {
		if m != msgs[0] {
			t.Errorf("messages differ by path (an existence oracle):\n%q\n%q", msgs[0], m)
		}
	}
	// A network namespace of root's: an nsfs file, but the caller is
	// not privileged over it (or may not even open it).
	pid := netnsOf(t, nil, "-n")
	r := f.run(t, "delete", "/tmp/x", "uns-c1", fmt.Sprintf("/proc/%d/ns/net", pid), "veth", "unsbr0", "vethX")
	if r.Code != 1 || r.Stderr == "" {
		t.Errorf("root's netns: %+v", r)
	}
}
