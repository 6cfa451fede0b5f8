package cgroup

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

// runDeviceProgram interprets the handful of opcodes CompileDeviceRules
// emits, on a bpf_cgroup_dev_ctx.
func runDeviceProgram(t *testing.T, p []bpfInsn, accessType, major, minor uint32) uint64 {
	t.Helper()
	var r [11]uint64
	ctx := [3]uint32{accessType, major, minor}
	for pc, steps := 0, 0; ; pc, steps = pc+1, steps+1 {
		if pc < 0 || pc >= len(p) || steps > 100000 {
			t.Fatalf("pc %d out of the program (len %d)", pc, len(p))
		}
		in := p[pc]
		dst, src := in.Regs&0xf, in.Regs>>4
		imm := uint64(int64(in.Imm))
		switch in.Code {
		case opLdxW:
			if src != rCtx || in.Off%4 != 0 || in.Off < 0 || in.Off > 8 {
				t.Fatalf("pc %d: bad context load", pc)
			}
			r[dst] = uint64(ctx[in.Off/4])
		case opMovImm:
			r[dst] = imm
		case opMovReg:
			r[dst] = r[src]
		case opAndImm:
			r[dst] &= imm
		case opRshImm:
			r[dst] >>= imm
		case opJa:
			pc += int(in.Off)
		case opJeqImm:
			if r[dst] == imm {
				pc += int(in.Off)
			}
		case opJneImm:
			if r[dst] != imm {
				pc += int(in.Off)
			}
		case opExit:
			return r[0]
		default:
			t.Fatalf("pc %d: unexpected opcode %#x", pc, in.Code)
		}
	}
}

func mustRules(t *testing.T, lines ...string) []DeviceRule {
	t.Helper()
	var out []DeviceRule
	for _, l := range lines {
		allow, v, ok := strings.Cut(l, " ")
		r, err := ParseDeviceRule(allow == "allow", v)
		if !ok || err != nil {
			t.Fatalf("rule %q: %v", l, err)
		}
		out = append(out, r)
	}
	return out
}

func TestDeviceProgramMatchesRules(t *testing.T) {
	def, err := DefaultDeviceRuleList()
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string][]DeviceRule{
		"default":   def,
		"empty":     nil,
		"nullonly":  mustRules(t, "deny a", "allow c 1:3 rwm"),
		"denyblock": mustRules(t, "deny b *:* m"),
		"override":  mustRules(t, "deny a", "allow c 1:* rw", "deny c 1:5 w", "allow b 7:0 r", "allow b 7:0 w"),
		"cleared":   mustRules(t, "deny c 1:3 rwm", "allow a", "deny c 1:9 r"),
		"wildtype":  mustRules(t, "deny a", "allow a 1:3 m", "allow a *:* r", "deny c 4:* r"),
		"lastclear": mustRules(t, "deny c 1:3 rwm", "allow c 1:3 r", "deny a"),
	}
	accesses := []string{"", "r", "w", "m", "rw", "rm", "wm", "rwm"}
	devs := [][2]uint32{{1, 3}, {1, 5}, {1, 9}, {4, 1}, {5, 2}, {7, 0}, {136, 4}, {10, 229}, {0, 0}, {1 << 20, 1 << 30}}
	for name, rules := range sets {
		p, err := CompileDeviceRules(rules)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, typ := range []byte{'c', 'b'} {
			for _, d := range devs {
				for _, acc := range accesses {
					tcode := uint32(devcgChar)
					if typ == 'b' {
						tcode = devcgBlock
					}
					got := runDeviceProgram(t, p, accessBits(acc)<<16|tcode, d[0], d[1]) == 1
					want := EvalDeviceRules(rules, typ, d[0], d[1], acc)
					if got != want {
						t.Errorf("%s: %c %d:%d %q: program says %v, rules say %v", name, typ, d[0], d[1], acc, got, want)
					}
				}
			}
		}
	}
}

// Spot checks of the semantics itself, so the comparison above cannot
// agree on a wrong answer.
func TestEvalDeviceRules(t *testing.T) {
	def, _ := DefaultDeviceRuleList()
	cases := []struct {
		rules []DeviceRule
		typ   byte
		maj   uint32
		min   uint32
		acc   string
		want  bool
	}{
		{def, 'c', 1, 3, "rw", true},
		{def, 'c', 136, 7, "rw", true},
		{def, 'b', 7, 0, "r", false},
		{def, 'b', 7, 0, "m", true},
		{def, 'c', 4, 1, "rw", false},
		{nil, 'b', 7, 0, "rwm", true},
		{mustRules(t, "deny b *:* m"), 'b', 8, 0, "m", false},
		{mustRules(t, "deny b *:* m"), 'b', 8, 0, "rw", true},
		{mustRules(t, "deny a", "allow c 1:3 r", "allow c 1:3 w"), 'c', 1, 3, "rw", true},
		{mustRules(t, "allow c 1:3 rwm", "deny c 1:3 w"), 'c', 1, 3, "rw", false},
		{mustRules(t, "allow c 1:3 rwm", "deny c 1:3 w"), 'c', 1, 3, "r", true},
		{mustRules(t, "deny c 1:3 rwm", "allow a"), 'c', 1, 3, "rwm", true},
	}
	for i, c := range cases {
		if got := EvalDeviceRules(c.rules, c.typ, c.maj, c.min, c.acc); got != c.want {
			t.Errorf("case %d: %c %d:%d %s = %v, want %v", i, c.typ, c.maj, c.min, c.acc, got, c.want)
		}
	}
	if DeviceDefault(def) || !DeviceDefault(nil) {
		t.Error("DeviceDefault: want deny for LXC's allowlist, allow for no rules")
	}
	if _, err := CompileDeviceRules([]DeviceRule{{Type: 'c', Major: 1 << 40, Minor: 0, Access: "r"}}); err == nil {
		t.Error("a major beyond 32 bits compiled")
	}
}

// bpfCgroup makes a throw-away cgroup in the v2 hierarchy with rules
// attached. Tests skip without a cgroup2 mount.
func bpfCgroup(t *testing.T, rules []DeviceRule) string {
	t.Helper()
	l := needRoot(t)
	u := l.Unified()
	if u == nil {
		t.Skip("needs a cgroup2 hierarchy")
	}
	dir := filepath.Join(u.Mount, testName()+"-devbpf")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Remove(dir); err != nil {
			t.Errorf("remove test cgroup: %v", err)
		}
	})
	if err := AttachDeviceRules(dir, rules); err != nil {
		t.Fatal(err)
	}
	return dir
}

// probeDevices runs a shell born in cgroup dir (CLONE_INTO_CGROUP) that
// tries each action and prints "NAME ok|EPERM|other: MSG". Actions:
// "open PATH" (read-write open) and "mknod PATH b|c MAJ MIN".
func probeDevices(t *testing.T, dir string, actions ...string) map[string]string {
	t.Helper()
	var script strings.Builder
	for _, a := range actions {
		fmt.Fprintf(&script, `if out=$( { %s; } 2>&1 ); then echo "%s|ok"; else case $out in *"not permitted"*) echo "%s|EPERM";; *) echo "%s|other: $out";; esac; fi
`, probeCmd(a), a, a, a)
	}
	cg, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer cg.Close()
	cmd := exec.Command("/bin/sh", "-c", script.String())
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(cg.Fd())}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("probe shell: %v: %s", err, stderr.String())
	}
	res := map[string]string{}
	for _, ln := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		k, v, _ := strings.Cut(ln, "|")
		res[k] = v
	}
	return res
}

func probeCmd(a string) string {
	f := strings.Fields(a)
	if f[0] == "open" {
		return "exec 3<>" + f[1]
	}
	return "mknod " + strings.Join(f[1:], " ")
}

func checkProbes(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	t.Logf("probes: %q", got)
	for k, w := range want {
		g := got[k]
		if w == "EPERM" && g != "EPERM" || w != "EPERM" && g == "EPERM" {
			t.Errorf("%s: %s, want %s", k, g, w)
		}
	}
}

func devTestDir(t *testing.T) string {
	t.Helper()
	d := filepath.Join("/dev", testName()+"-nodes")
	if err := os.Mkdir(d, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

func TestRootDeviceProgramAllowlist(t *testing.T) {
	dir := bpfCgroup(t, mustRules(t, "deny a", "allow c 1:3 rwm"))
	nodes := devTestDir(t)
	got := probeDevices(t, dir, "open /dev/null", "open /dev/zero", "mknod "+nodes+"/blk b 7 0", "mknod "+nodes+"/nul c 1 3")
	checkProbes(t, got, map[string]string{
		"open /dev/null": "ok", "open /dev/zero": "EPERM",
		"mknod " + nodes + "/blk b 7 0": "EPERM", "mknod " + nodes + "/nul c 1 3": "ok",
	})
	if got["open /dev/null"] != "ok" {
		t.Errorf("open /dev/null: %s", got["open /dev/null"])
	}
}

func TestRootDeviceProgramDenylist(t *testing.T) {
	dir := bpfCgroup(t, mustRules(t, "deny b *:* m"))
	nodes := devTestDir(t)
	got := probeDevices(t, dir, "mknod "+nodes+"/blk b 7 0", "mknod "+nodes+"/chr c 1 5", "open /dev/zero", "open /dev/loop0")
	checkProbes(t, got, map[string]string{
		"mknod " + nodes + "/blk b 7 0": "EPERM", "mknod " + nodes + "/chr c 1 5": "ok",
		"open /dev/zero": "ok", "open /dev/loop0": "ok",
	})
}

func TestRootDeviceProgramDefaults(t *testing.T) {
	def, err := DefaultDeviceRuleList()
	if err != nil {
		t.Fatal(err)
	}
	dir := bpfCgroup(t, def)
	nodes := devTestDir(t)
	// Nodes made beforehand (outside the cgroup): a pts number and a
	// block device the defaults let the container create but not open.
	for _, n := range []struct {
		name     string
		mode     uint32
		maj, min uint32
	}{{"pts5", syscall.S_IFCHR, 136, 5}, {"loop0", syscall.S_IFBLK, 7, 0}, {"mem", syscall.S_IFCHR, 1, 1}} {
		if err := syscall.Mknod(filepath.Join(nodes, n.name), n.mode|0o600, int(n.maj<<8|n.min)); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{}
	for _, p := range []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/console", "/dev/ptmx", nodes + "/pts5"} {
		want["open "+p] = "ok" // not EPERM: /dev/tty without a terminal is ENXIO, pts5 may not exist (EIO)
	}
	want["open /dev/loop0"] = "EPERM"
	want["open "+nodes+"/loop0"] = "EPERM"
	want["open "+nodes+"/mem"] = "EPERM"
	want["mknod "+nodes+"/blk b 8 0"] = "ok"
	actions := make([]string, 0, len(want))
	for k := range want {
		actions = append(actions, k)
	}
	got := probeDevices(t, dir, actions...)
	checkProbes(t, got, want)
	if got["open /dev/null"] != "ok" || got["open /dev/zero"] != "ok" {
		t.Errorf("null/zero: %q %q", got["open /dev/null"], got["open /dev/zero"])
	}
}

// Replacing the program (Apply after CreatePayload) leaves exactly one.
func TestRootDeviceProgramReplace(t *testing.T) {
	dir := bpfCgroup(t, mustRules(t, "deny a"))
	if err := AttachDeviceRules(dir, mustRules(t, "deny a", "allow c 1:3 rwm", "allow c 1:5 rwm")); err != nil {
		t.Fatal(err)
	}
	cg, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(cg)
	ids, err := attachedDevicePrograms(cg)
	if err != nil || len(ids) != 1 {
		t.Fatalf("attached programs after replace: %v %v", ids, err)
	}
	got := probeDevices(t, dir, "open /dev/zero", "open /dev/full")
	checkProbes(t, got, map[string]string{"open /dev/zero": "ok", "open /dev/full": "EPERM"})
}

// lxc.cgroup2.devices.* through Apply (hybrid or pure v2): enforced in the
// unified payload cgroup, on top of whatever v1 allows.
func TestRootApplyCgroup2Devices(t *testing.T) {
	l := needRoot(t)
	u := l.Unified()
	if u == nil {
		t.Skip("needs a cgroup2 hierarchy")
	}
	c := newContainer(t, l, Options{})
	err := c.Apply(nil, []config.KeyValue{{Key: "devices.deny", Value: "a"}, {Key: "devices.allow", Value: "c 1:3 rwm"}})
	if err != nil {
		t.Fatal(err)
	}
	got := probeDevices(t, c.lim[u], "open /dev/null", "open /dev/zero")
	checkProbes(t, got, map[string]string{"open /dev/null": "ok", "open /dev/zero": "EPERM"})
	if got["open /dev/null"] != "ok" {
		t.Errorf("open /dev/null: %s", got["open /dev/null"])
	}
	if err := c.Apply(nil, []config.KeyValue{{Key: "devices.allow", Value: "c 1:3 rwm x"}}); err == nil ||
		!strings.Contains(err.Error(), "lxc.cgroup2.devices.allow") {
		t.Errorf("bad rule: %v", err)
	}
}

// On a pure cgroup2 host CreatePayload attaches LXC's default rules. This
// host is hybrid, so the test uses a pure-v2 view of its v2 hierarchy.
func TestRootCreatePayloadDefaultDevicesV2(t *testing.T) {
	l := needRoot(t)
	u := l.Unified()
	if u == nil {
		t.Skip("needs a cgroup2 hierarchy")
	}
	v2 := &Layout{Mode: Unified, Hierarchies: []*Hierarchy{u}, Euid: l.Euid}
	c := newContainer(t, v2, Options{})
	got := probeDevices(t, c.lim[u], "open /dev/null", "open /dev/zero", "open /dev/loop0")
	checkProbes(t, got, map[string]string{"open /dev/null": "ok", "open /dev/zero": "ok", "open /dev/loop0": "EPERM"})
	// The config's own rules replace the defaults.
	if err := c.Apply(nil, []config.KeyValue{{Key: "devices.deny", Value: "a"}, {Key: "devices.allow", Value: "c 1:3 rwm"}}); err != nil {
		t.Fatal(err)
	}
	got = probeDevices(t, c.lim[u], "open /dev/null", "open /dev/zero")
	checkProbes(t, got, map[string]string{"open /dev/null": "ok", "open /dev/zero": "EPERM"})
}

// With OwnDeviceRules (lxc-sandbox: a layout's UnifiedView and its own
// devices.deny) CreatePayload attaches no default program: Apply attaches
// the configuration's, the only one, and it is in force.
func TestRootOwnDeviceRulesOneProgram(t *testing.T) {
	l := needRoot(t)
	v2, ok := l.UnifiedView()
	if !ok {
		t.Skip("needs a cgroup2 hierarchy")
	}
	u := v2.Unified()
	c := newContainer(t, v2, Options{OwnDeviceRules: true})
	if n := len(attachedOn(t, c.lim[u])); n != 0 {
		t.Fatalf("%d device programs on the payload before Apply, want none (the configuration's replaces the defaults)", n)
	}
	if err := c.Apply(nil, []config.KeyValue{{Key: "devices.deny", Value: "b *:* rwm"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(attachedOn(t, c.lim[u])); n != 1 {
		t.Fatalf("%d device programs after Apply, want 1", n)
	}
	dev := devTestDir(t)
	got := probeDevices(t, c.lim[u], "mknod "+dev+"/blk b 7 0", "open /dev/null")
	checkProbes(t, got, map[string]string{"mknod " + dev + "/blk b 7 0": "EPERM", "open /dev/null": "ok"})
}

func attachedOn(t *testing.T, dir string) []uint32 {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	ids, err := attachedDevicePrograms(fd)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
