package rootfs_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/config"
)

// statusField returns a field of /proc/self/status output.
func statusField(status, key string) string {
	for _, l := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func hostCapBnd(t *testing.T) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseUint(statusField(string(b), "CapBnd"), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCapDrop(t *testing.T) {
	dir := buildRootfs(t)
	spec := baseSpec(dir)
	spec.Caps = specFrom(t, "lxc.cap.drop = sys_module mac_admin mac_override sys_time").Caps
	out := mustRun(t, scenario{Spec: spec, Cmd: sh(`cat /proc/self/status`)})
	want := hostCapBnd(t) &^ (1<<16 | 1<<33 | 1<<32 | 1<<25)
	for _, k := range []string{"CapBnd", "CapEff", "CapPrm"} {
		if got := statusField(out, k); got != fmt.Sprintf("%016x", want) {
			t.Errorf("%s = %s, want %016x", k, got, want)
		}
	}
	if got := statusField(out, "CapAmb"); got != "0000000000000000" {
		t.Errorf("CapAmb = %s", got)
	}
}

func TestCapKeep(t *testing.T) {
	dir := buildRootfs(t)
	spec := baseSpec(dir)
	spec.Caps = specFrom(t, "lxc.cap.keep = sys_admin net_admin 7").Caps // 7 = setuid
	out := mustRun(t, scenario{Spec: spec, Cmd: sh(`cat /proc/self/status`)})
	want := fmt.Sprintf("%016x", uint64(1<<21|1<<12|1<<7))
	for _, k := range []string{"CapBnd", "CapEff"} {
		if got := statusField(out, k); got != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
}

func TestFinalSettings(t *testing.T) {
	dir := buildRootfs(t)
	spec := baseSpec(dir)
	spec.Prlimit = []config.Rlimit{{Name: "nofile", Soft: 1234, Hard: 2345}}
	spec.Sysctl = []config.KeyValue{{Key: "net.ipv4.ip_forward", Value: "1"}}
	spec.Init = config.InitSpec{UID: 1000, GID: 1001, Groups: []int{10, 20}, Cwd: "/tmp"}
	spec.NoNewPrivs = true
	out := mustRun(t, scenario{Spec: spec, Cmd: []string{"sh", "-c", `cat /proc/self/status; grep 'open files' /proc/self/limits; cat /proc/sys/net/ipv4/ip_forward; pwd; echo "$1"`, "sh", "argv-ok"}})
	for k, want := range map[string]string{
		"Uid": "1000\t1000\t1000\t1000", "Gid": "1001\t1001\t1001\t1001", "Groups": "10 20",
		"NoNewPrivs": "1", "CapEff": "0000000000000000",
	} {
		if got := statusField(out, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(out, "Max open files            1234                 2345") {
		t.Errorf("lxc.prlimit.nofile not applied:\n%s", out)
	}
	if !strings.HasSuffix(out, "1\n/tmp\nargv-ok\n") {
		t.Errorf("sysctl, cwd or argv wrong; output ends:\n%s", out[max(0, len(out)-80):])
	}
}

func TestExecFailures(t *testing.T) {
	dir := buildRootfs(t)
	r := run(t, scenario{Spec: baseSpec(dir), Cmd: []string{"no-such-command"}})
	if r.code != 5 || !strings.Contains(r.stderr, `NOTFOUND: executing "no-such-command"`) {
		t.Errorf("missing command: exit %d, stderr %q", r.code, r.stderr)
	}
}

// specFrom builds a Spec from config lines, as the monitor does.
func specFrom(t *testing.T, text string) *config.Spec {
	t.Helper()
	c := config.New()
	if err := c.LoadBytes("test.conf", []byte(text)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
