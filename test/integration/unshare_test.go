package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// netDevs lists the network devices of the caller's namespace (sysfs would
// show those of the namespace that mounted it).
const netDevs = "awk -F: 'NR>2 {gsub(/ /, \"\", $1); print $1}' /proc/net/dev"

// TestUnshareMatchesLXC: lxc-unshare runs the command in the namespaces
// asked for, with LXC 5.0.2's results: output, exit 0 for a command that
// succeeded and 1 otherwise, the option checks' messages.
func TestUnshareMatchesLXC(t *testing.T) {
	needRoot(t)
	lxcUnshare := "/usr/bin/lxc-unshare"
	_, haveLXC := os.Stat(lxcUnshare)
	cases := []struct {
		args    []string
		code    int
		stdout  string
		errText string
	}{
		{[]string{"-s", "UTSNAME", "-H", "unshared", "--", "hostname"}, 0, "unshared\n", ""},
		{[]string{"-s", "UTSNAME", "--", "sh", "-c", "exit 3"}, 1, "", ""},
		{[]string{"-s", "USER", "-u", "0", "--", "sh", "-c", "id -u; cat /proc/self/uid_map"}, 0, "0\n         0          0          1\n", ""},
		{[]string{"-s", "USER", "--", "sh", "-c", "id -u; grep Cap /proc/self/status"}, 0,
			"65534\nCapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n", ""},
		{[]string{"-s", "PID", "--", "sh", "-c", "echo $$"}, 0, "1\n", ""},
		{[]string{"-s", "IPC|NETWORK", "--", "sh", "-c", netDevs}, 0, "lo\n", ""},
		{[]string{"-s", "PID"}, 1, "", "A command to execute in the new namespace is required"},
		{[]string{"--", "true"}, 1, "", "A namespace to execute command is required"},
		{[]string{"-s", "PID", "-H", "x", "--", "true"}, 1, "", "-H <hostname> needs -s UTSNAME option"},
		{[]string{"-s", "PID", "-M", "--", "true"}, 1, "", "-M needs -s MOUNT option"},
		{[]string{"-s", "PID", "-i", "lo", "--", "true"}, 1, "", "-i <interfacename> needs -s NETWORK option"},
		{[]string{"-s", "BOGUS", "--", "true"}, 1, "", "could not parse command line"},
		{[]string{"-s", "UTSNAME", "--", "/golxc-no-such-cmd"}, 1, "", "Failed to exec: '/golxc-no-such-cmd'"},
	}
	for _, c := range cases {
		got := run(t, nil, "lxc-unshare", c.args...)
		if got.code != c.code || got.stdout != c.stdout || !strings.Contains(got.stderr, c.errText) || (c.code == 0 && got.stderr != "") {
			t.Errorf("lxc-unshare %s: %s\nwant exit %d, stdout %q, stderr with %q", strings.Join(c.args, " "), got, c.code, c.stdout, c.errText)
		}
		if haveLXC == nil {
			want := runPath(t, nil, lxcUnshare, c.args...)
			if want.code != got.code || want.stdout != got.stdout || !strings.Contains(want.stderr, c.errText) {
				t.Errorf("lxc-unshare %s: LXC differs: %s", strings.Join(c.args, " "), want)
			}
		}
	}
}

// TestUnshareBeyondLXC: what LXC 5.0.2 gets wrong works here: -M gives the
// new namespaces a fresh /proc (LXC unmounts it and mounts nothing), and
// -u sets the uid without a new user namespace (LXC fails to write a map).
func TestUnshareBeyondLXC(t *testing.T) {
	needRoot(t)
	r := run(t, nil, "lxc-unshare", "-s", "PID|MOUNT", "-M", "--", "sh", "-c", "echo $$; ls /proc | grep -x 1; grep -c ' /dev/mqueue mqueue' /proc/mounts")
	if r.code != 0 || r.stdout != "1\n1\n1\n" {
		t.Errorf("-M: %s", r)
	}
	if r := run(t, nil, "lxc-unshare", "-s", "UTSNAME", "-u", "nobody", "--", "id", "-u"); r.code != 0 || r.stdout != "65534\n" {
		t.Errorf("-u without USER: %s", r)
	}
}

// TestUnshareInterfaceAndDaemon: -i moves a host device into the new
// network namespace before the command runs; -d returns at once, leaving
// the command running.
func TestUnshareInterfaceAndDaemon(t *testing.T) {
	needRoot(t)
	if out, err := exec.Command("ip", "link", "add", "gusv0", "type", "veth", "peer", "name", "gusv1").CombinedOutput(); err != nil {
		t.Fatalf("ip link add: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", "gusv1").Run() })
	r := run(t, nil, "lxc-unshare", "-s", "NETWORK", "-i", "gusv0", "--", "sh", "-c", netDevs+" | sort")
	if r.code != 0 || r.stdout != "gusv0\nlo\n" {
		t.Errorf("-i: %s", r)
	}
	mark := filepath.Join(t.TempDir(), "done")
	// Not through run: the command keeps run's output pipes open.
	cmd := exec.Command(filepath.Join(binDir, "lxc-unshare"), "-d", "-s", "UTSNAME", "--", "sh", "-c", "sleep 1; touch "+mark)
	t0 := time.Now()
	if err := cmd.Run(); err != nil || time.Since(t0) > 900*time.Millisecond {
		t.Errorf("-d did not return at once: %v after %v", err, time.Since(t0))
	}
	if _, err := os.Stat(mark); err == nil {
		t.Error("-d returned only after the command had finished")
	}
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(mark); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Error("the daemonized command never ran")
}
