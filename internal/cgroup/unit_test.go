package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/config"
)

const hybridMountinfo = `22 1 0:20 / /sys rw,nosuid - sysfs sysfs rw
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
`

const hybridSelf = `9:name=systemd:/
6:freezer:/
4:memory:/process_api/abc
1:cpu:/
0::/
`

func TestDetectHybrid(t *testing.T) {
	l, err := DetectFrom(Sources{Mountinfo: hybridMountinfo, SelfCgroup: hybridSelf, InitCgroup: strings.ReplaceAll(hybridSelf, "/process_api/abc", "/")})
	if err != nil {
		t.Fatal(err)
	}
	if l.Mode != Hybrid {
		t.Fatalf("mode = %v, want hybrid", l.Mode)
	}
	var got []string
	for _, h := range l.Hierarchies {
		got = append(got, h.Name()+"@"+h.Mount)
	}
	want := []string{"name=systemd@/sys/fs/cgroup/systemd", "freezer@/sys/fs/cgroup/freezer",
		"memory@/sys/fs/cgroup/memory", "cpu@/sys/fs/cgroup/cpu", "unified@/sys/fs/cgroup/unified"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("hierarchies = %v\nwant %v", got, want)
	}
	if h := l.ForController("memory"); h == nil || h.Mount != "/sys/fs/cgroup/memory" {
		t.Fatalf("memory hierarchy = %+v", h)
	}
	if h := l.ForController("io"); h != nil {
		t.Fatalf("io is not mounted on this fake host, got %+v", h)
	}

	// Root, not relative: below init's cgroup. Relative: below our own.
	l.Euid = 0
	mem := l.ForController("memory")
	c := New(l, Options{Name: "c1"})
	if got := c.dir(mem, c.n.limit); got != "/sys/fs/cgroup/memory/lxc.payload.c1" {
		t.Fatalf("root payload dir = %s", got)
	}
	c = New(l, Options{Name: "c1", Relative: true})
	if got := c.dir(mem, c.n.limit); got != "/sys/fs/cgroup/memory/process_api/abc/lxc.payload.c1" {
		t.Fatalf("relative payload dir = %s", got)
	}
	l.Euid = 1000
	c = New(l, Options{Name: "c1"})
	if got := c.dir(mem, c.n.monitor); got != "/sys/fs/cgroup/memory/process_api/abc/lxc.monitor.c1" {
		t.Fatalf("unprivileged monitor dir = %s", got)
	}
}

func TestDetectUnifiedAndLegacy(t *testing.T) {
	mi := "30 22 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n"
	l, err := DetectFrom(Sources{Mountinfo: mi, SelfCgroup: "0::/user.slice/session-1.scope\n", InitCgroup: "0::/init.scope\n"})
	if err != nil {
		t.Fatal(err)
	}
	if l.Mode != Unified || len(l.Hierarchies) != 1 || !l.Hierarchies[0].Unified {
		t.Fatalf("layout = %+v", l)
	}
	if got := l.Hierarchies[0].InitPath; got != "/" {
		t.Fatalf("init path = %q, want / (init.scope pruned)", got)
	}
	if l.ForController("memory") != l.Hierarchies[0] {
		t.Fatalf("on pure v2 every controller lives in the unified hierarchy")
	}

	mi = "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	l, err = DetectFrom(Sources{Mountinfo: mi, SelfCgroup: "2:cpu,cpuacct:/\n0::/\n"})
	if err != nil {
		t.Fatal(err)
	}
	if l.Mode != Legacy || len(l.Hierarchies) != 1 || l.Hierarchies[0].Name() != "cpu,cpuacct" {
		t.Fatalf("layout = %+v (the unmounted v2 line must be skipped)", l.Hierarchies)
	}

	if _, err := DetectFrom(Sources{Mountinfo: "1 0 0:1 / / rw - ext4 /dev/sda rw\n", SelfCgroup: "0::/\n"}); err == nil {
		t.Fatal("no cgroup mounts must be an error")
	}
}

func TestMountRootAndEscapes(t *testing.T) {
	ms, err := parseMountinfo(`40 30 0:37 /lxc.payload.x /sys/fs/cgroup/my\040dir rw - cgroup2 cgroup2 rw` + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if ms[0].Point != "/sys/fs/cgroup/my dir" || ms[0].Root != "/lxc.payload.x" {
		t.Fatalf("mount = %+v", ms[0])
	}
	h := &Hierarchy{Mount: "/sys/fs/cgroup", MountRoot: "/lxc.payload.x"}
	if got := h.Dir("/lxc.payload.x/sub"); got != "/sys/fs/cgroup/sub" {
		t.Fatalf("Dir = %s", got)
	}
	if got := h.Dir("/other"); got != "/sys/fs/cgroup/other" {
		t.Fatalf("Dir outside mount root = %s", got)
	}
	if _, err := parseMountinfo("garbage line\n"); err == nil {
		t.Fatal("malformed mountinfo must fail")
	}
}

func TestNaming(t *testing.T) {
	cases := []struct {
		o                          Options
		monitor, limit, inner, piv string
	}{
		{Options{Name: "c"}, "lxc.monitor.c", "lxc.payload.c", "", "lxc.pivot"},
		{Options{Name: "c", Dir: "/a/b/"}, "a/b/lxc.monitor.c", "a/b/lxc.payload.c", "", "a/b/lxc.pivot"},
		{Options{Name: "c", Pattern: "lxc/%n"}, "lxc/c/monitor", "lxc/c/payload", "", "lxc.pivot"},
		{Options{Name: "c", DirContainer: "p", DirMonitor: "m", DirInner: "in", DirPivot: "pv"}, "m", "p", "in", "pv/lxc.pivot"},
	}
	for _, tc := range cases {
		n := tc.o.naming()
		if n.monitor != tc.monitor || n.limit != tc.limit || n.inner != tc.inner || n.pivot != tc.piv {
			t.Errorf("%+v: naming = %+v", tc.o, n)
		}
		if n.retryable == (tc.o.DirContainer != "") {
			t.Errorf("%+v: retryable = %v", tc.o, n.retryable)
		}
	}
	if withSuffix("x", 0) != "x" || withSuffix("x", 7) != "x-7" {
		t.Fatal("withSuffix")
	}
	bad := []Options{
		{Name: "c", Dir: "d", DirContainer: "p", DirMonitor: "m"},
		{Name: "c", DirContainer: "p"},
		{Name: "c", Dir: "../escape"},
		{Name: ""},
		{Name: "a/b"},
	}
	for _, o := range bad {
		if err := o.check(); err == nil {
			t.Errorf("%+v: want an error", o)
		}
	}
}

// fakeUnified builds a pure v2 tree in a temp dir: the root has
// cgroup.controllers and an empty cgroup.subtree_control.
func fakeUnified(t *testing.T) (*Layout, string) {
	root := t.TempDir()
	for f, v := range map[string]string{"cgroup.controllers": "cpu memory pids\n", "cgroup.subtree_control": ""} {
		if err := os.WriteFile(filepath.Join(root, f), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := DetectFrom(Sources{Mountinfo: "30 22 0:27 / " + root + " rw - cgroup2 cgroup2 rw\n", SelfCgroup: "0::/\n", InitCgroup: "0::/init.scope\n"})
	if err != nil {
		t.Fatal(err)
	}
	return l, root
}

func TestFakeUnifiedCreateAndSuffix(t *testing.T) {
	l, root := fakeUnified(t)
	if !reflect.DeepEqual(l.Hierarchies[0].Controllers, []string{"cpu", "memory", "pids"}) {
		t.Fatalf("controllers = %v", l.Hierarchies[0].Controllers)
	}
	// A stale payload of the same name forces the -1 suffix.
	if err := os.Mkdir(filepath.Join(root, "lxc.payload.c1"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := New(l, Options{Name: "c1"})
	if err := c.createMonitorDirs(); err != nil {
		t.Fatal(err)
	}
	if err := c.CreatePayload(); err != nil {
		t.Fatal(err)
	}
	if c.Name() != "lxc.payload.c1-1" || c.monitor != "lxc.monitor.c1" {
		t.Fatalf("payload %q monitor %q", c.Name(), c.monitor)
	}
	if got := c.Paths()["unified"]; got != filepath.Join(root, "lxc.payload.c1-1") {
		t.Fatalf("Paths()[unified] = %s", got)
	}
	if got := c.Paths()["memory"]; got != filepath.Join(root, "lxc.payload.c1-1") {
		t.Fatalf("Paths()[memory] = %s (pure v2 maps controllers to unified)", got)
	}
	b, _ := os.ReadFile(filepath.Join(root, "cgroup.subtree_control"))
	if string(b) != "+cpu +memory +pids" {
		t.Fatalf("subtree_control = %q, want the controllers delegated", b)
	}
	// The pre-existing directory is not ours: still there.
	if _, err := os.Stat(filepath.Join(root, "lxc.payload.c1")); err != nil {
		t.Fatal(err)
	}
	// v1 keys are ignored with a warning on pure v2.
	var warned []string
	old := warnf
	warnf = func(f string, a ...any) { warned = append(warned, f) }
	defer func() { warnf = old }()
	if err := c.Apply([]config.KeyValue{{Key: "memory.limit_in_bytes", Value: "1"}}, nil); err != nil || len(warned) != 1 {
		t.Fatalf("Apply v1 on pure v2: err %v warnings %v", err, warned)
	}
	if _, err := c.PayloadFD(); err != nil {
		t.Fatalf("PayloadFD on v2: %v", err)
	}
}

func TestFakeExplicitDirExists(t *testing.T) {
	l, root := fakeUnified(t)
	if err := os.Mkdir(filepath.Join(root, "pay"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := New(l, Options{Name: "c1", DirContainer: "pay", DirMonitor: "mon"})
	err := c.CreatePayload()
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("explicit existing payload dir: err = %v", err)
	}
	// Inner leaf, on a fake v1 tree (a fake v2 one lacks the files the
	// kernel would create in the intermediate cgroup).
	pids := t.TempDir()
	l, err = DetectFrom(Sources{Mountinfo: "31 30 0:28 / " + pids + " rw - cgroup cgroup rw,pids\n", SelfCgroup: "8:pids:/\n"})
	if err != nil {
		t.Fatal(err)
	}
	c = New(l, Options{Name: "c1", DirContainer: "pay2", DirMonitor: "mon", DirInner: "inner"})
	if err := c.CreatePayload(); err != nil {
		t.Fatal(err)
	}
	if got := c.Paths()["pids"]; got != filepath.Join(pids, "pay2/inner") {
		t.Fatalf("payload = %s", got)
	}
	if got := c.LimitPaths()["pids"]; got != filepath.Join(pids, "pay2") {
		t.Fatalf("limit = %s", got)
	}
}

// A name free in one hierarchy but taken in another moves every
// hierarchy to the next suffix, removing only what was made.
func TestFakeLegacyCollisionAcrossHierarchies(t *testing.T) {
	l, root := fakeLegacy(t)
	pids, sd := filepath.Join(root, "pids"), filepath.Join(root, "systemd")
	if err := os.Mkdir(filepath.Join(sd, "lxc.payload.c1"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := New(l, Options{Name: "c1"})
	if err := c.CreatePayload(); err != nil {
		t.Fatal(err)
	}
	if c.Name() != "lxc.payload.c1-1" {
		t.Fatalf("payload = %s", c.Name())
	}
	if _, err := os.Stat(filepath.Join(pids, "lxc.payload.c1")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the attempt in pids must be undone: %v", err)
	}
	for _, d := range []string{filepath.Join(pids, "lxc.payload.c1-1"), filepath.Join(sd, "lxc.payload.c1-1"), filepath.Join(sd, "lxc.payload.c1")} {
		if _, err := os.Stat(d); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Paths()["name=systemd"]; got != filepath.Join(sd, "lxc.payload.c1-1") {
		t.Fatalf("Paths = %v", c.Paths())
	}
	if _, err := c.PayloadFD(); err == nil {
		t.Fatal("PayloadFD on a v1-only host must fail")
	}
}

func TestParsers(t *testing.T) {
	if got := parseBlkio("8:0 Read 10\n8:0 Write 20\n8:0 Sync 7\n8:0 Total 30\nTotal 30\n8:16 Read 2\n8:16 Total 5\nTotal 35\n"); got != (blkio{35, 12, 20}) {
		t.Errorf("blkio = %+v", got)
	}
	if got := parseIOStat("8:0 rbytes=100 wbytes=20 rios=3 wios=4 dbytes=9\n8:16 rbytes=1 wbytes=2 rios=1 wios=1\n"); got != (ioStat{101, 22, 9}) {
		t.Errorf("io.stat = %+v", got)
	}
	keyed := parseKeyed("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\nbogus\n")
	if keyed["usage_usec"] != 1500 || keyed["system_usec"] != 500 {
		t.Errorf("keyed = %v", keyed)
	}
	lines, err := parseProcCgroup("4:memory:/a/b\n0::/\n")
	if err != nil || len(lines) != 2 || lines[0].Controllers[0] != "memory" || lines[1].Controllers != nil {
		t.Errorf("proc cgroup = %+v %v", lines, err)
	}
	if _, err := parseProcCgroup("x:y\n"); err == nil {
		t.Error("malformed /proc/PID/cgroup must fail")
	}
	got := sortMemsw([]kv{{key: "memory.memsw.limit_in_bytes"}, {key: "cpu.shares"}, {key: "memory.limit_in_bytes"}})
	if got[0].key != "cpu.shares" || got[1].key != "memory.limit_in_bytes" || got[2].key != "memory.memsw.limit_in_bytes" {
		t.Errorf("sortMemsw = %v", got)
	}
	for _, k := range []string{"memory.max", "cpu.cfs_quota_us"} {
		if checkKey(k) != nil {
			t.Errorf("checkKey(%q) rejected", k)
		}
	}
	for _, k := range []string{"", "../memory.max", "memory", "a/b.c", ".x"} {
		if checkKey(k) == nil {
			t.Errorf("checkKey(%q) accepted", k)
		}
	}
}

func TestPayloadOf(t *testing.T) {
	cases := map[string]string{
		"/lxc.payload.c1":                       "/lxc.payload.c1",
		"/lxc.payload.c1/init.scope":            "/lxc.payload.c1",
		"/x/lxc.payload.c1-3/sub":               "/x/lxc.payload.c1-3",
		"/lxc.payload.c1/lxc.payload.c1/inside": "/lxc.payload.c1",
		"/lxc.payload.c10":                      "/lxc.payload.c10",
		"/custom/place":                         "/custom/place",
		"/lxc.payload.c1-x":                     "/lxc.payload.c1-x",
	}
	for in, want := range cases {
		if got := payloadOf(in, "c1"); got != want {
			t.Errorf("payloadOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeviceRules(t *testing.T) {
	for _, s := range DefaultDeviceRules() {
		r, err := ParseDeviceRule(true, s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if r.String() != s {
			t.Errorf("round trip %q -> %q", s, r.String())
		}
	}
	r, err := ParseDeviceRule(false, "c 136:* rw")
	if err != nil || r.Major != 136 || r.Minor != -1 || r.Access != "rw" || r.Allow {
		t.Errorf("rule = %+v %v", r, err)
	}
	for _, bad := range []string{"", "x 1:3 rwm", "c 1 rwm", "c a:3 rwm", "c 1:3 rwx", "c 1:3 rwm extra"} {
		if _, err := ParseDeviceRule(true, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
