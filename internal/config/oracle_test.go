package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// oracleCases are configs whose get_config_item results are compared with
// LXC 5.0.2's own (lxc-info -c KEY -H) when LXC is installed.
var oracleCases = []struct {
	lines []string
	keys  []string
}{
	{[]string{`lxc.uts.name = "hi"`, "lxc.arch = amd64", "lxc.ephemeral = 1", "lxc.start.auto = 1",
		"lxc.start.delay = 0x10", "lxc.start.order = -5", "lxc.group = a b", "lxc.group = c"},
		[]string{"lxc.uts.name", "lxc.arch", "lxc.ephemeral", "lxc.start.auto", "lxc.start.delay", "lxc.start.order", "lxc.group"}},
	{[]string{"lxc.arch = armhf", "lxc.tty.max = 010", "lxc.pty.max = 1024", "lxc.tty.dir = lxc"},
		[]string{"lxc.arch", "lxc.tty.max", "lxc.pty.max", "lxc.tty.dir", "lxc.log.level", "lxc.autodev",
			"lxc.keyring.session", "lxc.monitor.signal.pdeath", "lxc.rootfs.managed", "lxc.console.buffer.size",
			"lxc.autodev.tmpfs.size", "lxc.time.offset.boot", "lxc.signal.halt", "lxc.net", "lxc.cgroup", "lxc.prlimit",
			"lxc.mount.auto", "lxc.idmap", "lxc.hook.pre-start", "lxc.init.uid", "lxc.init.groups", "lxc.namespace.clone"}},
	{[]string{"lxc.cap.drop = sys_module mac_admin", "lxc.cap.drop = 12"}, []string{"lxc.cap.drop", "lxc.cap.keep"}},
	{[]string{"lxc.cap.keep = sys_admin none chown"}, []string{"lxc.cap.drop", "lxc.cap.keep"}},
	{[]string{"lxc.cap.drop = SYS_ADMIN"}, []string{"lxc.cap.drop"}},
	{[]string{"lxc.cap.drop = none"}, []string{"lxc.cap.drop"}},
	{[]string{"lxc.cap.drop = sys_admin", "lxc.cap.keep = chown"}, []string{"lxc.cap.drop"}},
	{[]string{"lxc.signal.halt = SIGRTMIN+3", "lxc.signal.reboot = sigrtmax-2", "lxc.signal.stop = SIGIOT"},
		[]string{"lxc.signal.halt", "lxc.signal.reboot", "lxc.signal.stop"}},
	{[]string{"lxc.signal.halt = PWR"}, []string{"lxc.signal.halt"}},
	{[]string{"lxc.signal.halt = SIGRTMIN-3"}, []string{"lxc.signal.halt"}},
	{[]string{"lxc.signal.halt = 100"}, []string{"lxc.signal.halt"}},
	{[]string{"lxc.mount.auto = cgroup:mixed proc:mixed sys:ro"}, []string{"lxc.mount.auto"}},
	{[]string{"lxc.mount.auto = cgroup:force proc:rw"}, []string{"lxc.mount.auto"}},
	{[]string{"lxc.mount.auto = cgroup2 cgroup-full:ro", "lxc.mount.auto = sys shmounts:/a:/b"}, []string{"lxc.mount.auto"}},
	{[]string{"lxc.mount.auto = bogus"}, []string{"lxc.mount.auto"}},
	{[]string{"lxc.net.0.type = veth", "lxc.net.0.ipv4.address = 10.0.0.1/24", "lxc.net.0.ipv4.address = 10.0.0.2/24 10.0.0.255",
		"lxc.net.0.ipv4.address = 1.2.3.200", "lxc.net.0.ipv4.address = 1.2.3.150", "lxc.net.0.ipv6.address = fe80::1",
		"lxc.net.0.ipv6.address = 2001:db8::1/200", "lxc.net.0.ipv4.gateway = dev", "lxc.net.0.ipv6.gateway = fe80::1",
		"lxc.net.0.link = abcdefghijklmnopq", "lxc.net.0.flags = down", "lxc.net.0.veth.vlan.id = none",
		"lxc.net.0.veth.vlan.tagged.id = 5", "lxc.net.0.veth.ipv4.route = 1.2.3.0/24", "lxc.net.0.veth.n_rxqueues = 4",
		"lxc.net.0.mtu = abc", "lxc.net.0.name = eth0", "lxc.net.0.script.up = /bin/true", "lxc.net.0.l2proxy = 1",
		"lxc.net.2.type = macvlan", "lxc.net.3.type = ipvlan", "lxc.net.1.type = vlan", "lxc.net.1.vlan.id = 0x10",
		"lxc.net.4.name = x"},
		[]string{"lxc.net", "lxc.net.0.ipv4.address", "lxc.net.0.ipv6.address", "lxc.net.0.ipv4.gateway", "lxc.net.0.ipv6.gateway",
			"lxc.net.0.link", "lxc.net.0.flags", "lxc.net.0.veth.vlan.id", "lxc.net.0.veth.vlan.tagged.id",
			"lxc.net.0.veth.ipv4.route", "lxc.net.0.veth.ipv6.route", "lxc.net.0.veth.n_rxqueues", "lxc.net.0.veth.n_txqueues",
			"lxc.net.0.mtu", "lxc.net.0.name", "lxc.net.0.script.up", "lxc.net.0.l2proxy", "lxc.net.0.veth.mode", "lxc.net.0.hwaddr",
			"lxc.net.2.macvlan.mode", "lxc.net.3.ipvlan.mode", "lxc.net.3.ipvlan.isolation", "lxc.net.1.vlan.id",
			"lxc.net.4.type", "lxc.net.0.macvlan.mode", "lxc.net.9.type", "lxc.net.0", "lxc.net.x.type"}},
	{[]string{"lxc.net.0.veth.pair = vp0"}, []string{"lxc.net"}},
	{[]string{"lxc.net.0.type = veth", "lxc.net.5.link ="}, []string{"lxc.net"}},
	{[]string{"lxc.net.0.type = veth", "lxc.net.0.link = br0", "lxc.net.0.type = macvlan"}, []string{"lxc.net.0.link", "lxc.net.0.macvlan.mode"}},
	{[]string{"lxc.net.0.type = veth", "lxc.net.0 ="}, []string{"lxc.net"}},
	{[]string{"lxc.net.01.type = phys"}, []string{"lxc.net.1.type"}},
	{[]string{"lxc.net.0.type = bogus"}, []string{"lxc.net"}},
	{[]string{"lxc.net.0.type = veth", "lxc.net.0.ipv4.address = 1.2.3.4/33"}, []string{"lxc.net"}},
	{[]string{"lxc.net.0.type = empty"}, []string{"lxc.net.0.name"}},
	{[]string{"lxc.idmap = u 0 100000 65536", "lxc.idmap =    g   0x10\t1   1  "}, []string{"lxc.idmap"}},
	{[]string{"lxc.idmap = u 0 100000"}, []string{"lxc.idmap"}},
	{[]string{"lxc.idmap = b 0 1 1"}, []string{"lxc.idmap"}},
	{[]string{"lxc.prlimit.nofile = 10", "lxc.prlimit.as = unlimited", "lxc.prlimit.nofile = 5:6", "lxc.prlimit.core = :"},
		[]string{"lxc.prlimit", "lxc.prlimit.nofile", "lxc.prlimit.as"}},
	{[]string{"lxc.prlimit.nofile = 5 : 6 x"}, []string{"lxc.prlimit"}},
	{[]string{"lxc.sysctl.net.a = 1", "lxc.sysctl.kernel.b = 2", "lxc.sysctl.net.a = 3", "lxc.proc.oom_score_adj = 1",
		"lxc.proc.x = 2", "lxc.proc.oom_score_adj = 3"},
		[]string{"lxc.sysctl", "lxc.sysctl.net.a", "lxc.proc", "lxc.proc.oom_score_adj"}},
	{[]string{"lxc.cgroup.memory.limit_in_bytes = 1", "lxc.cgroup.memory.limit_in_bytes = 2", "lxc.cgroup2.memory.max = 1",
		"lxc.cgroup.dir = a/b", "lxc.cgroup.relative = 1"},
		[]string{"lxc.cgroup", "lxc.cgroup2", "lxc.cgroup.memory.limit_in_bytes", "lxc.cgroup2.memory.max", "lxc.cgroup.dir",
			"lxc.cgroup.relative"}},
	{[]string{"lxc.cgroup.dir = /abs"}, []string{"lxc.cgroup.dir"}},
	{[]string{"lxc.cgroup.dir.container.inner = a/b"}, []string{"lxc.cgroup.dir"}},
	{[]string{"lxc.namespace.clone = uts net mnt user pid ipc cgroup time", "lxc.namespace.share.net = other"},
		[]string{"lxc.namespace.clone", "lxc.namespace.keep", "lxc.namespace.share.net", "lxc.namespace.share.uts"}},
	{[]string{"lxc.namespace.clone = mount"}, []string{"lxc.namespace.clone"}},
	{[]string{"lxc.namespace.clone = net", "lxc.namespace.keep = uts"}, []string{"lxc.namespace.clone"}},
	{[]string{"lxc.hook.pre-start = /a b", "lxc.hook.pre-start = /c", "lxc.hook.version = 1"},
		[]string{"lxc.hook.pre-start", "lxc.hook.stop", "lxc.hook.version", "lxc.hook"}},
	{[]string{"lxc.hook = x"}, []string{"lxc.hook.stop"}},
	{[]string{"lxc.hook.version = 2"}, []string{"lxc.hook.version"}},
	{[]string{"lxc.seccomp.notify.proxy = unix:@abs", "lxc.seccomp.notify.cookie = c", "lxc.seccomp.profile = /p",
		"lxc.seccomp.allow_nesting = 1"},
		[]string{"lxc.seccomp.notify.proxy", "lxc.seccomp.notify.cookie", "lxc.seccomp.profile", "lxc.seccomp.allow_nesting"}},
	{[]string{"lxc.seccomp.notify.proxy = /run/x"}, []string{"lxc.seccomp.notify.proxy"}},
	{[]string{"lxc.init.groups = 1, 2", "lxc.init.groups = 3", "lxc.init.cmd = /sbin/init x", "lxc.init.cwd = /tmp",
		"lxc.init.uid = 5", "lxc.init.gid = 6", "lxc.execute.cmd = a # b"},
		[]string{"lxc.init.groups", "lxc.init.cmd", "lxc.init.cwd", "lxc.init.uid", "lxc.init.gid", "lxc.execute.cmd"}},
	{[]string{"lxc.init.groups = 1,x"}, []string{"lxc.init.groups"}},
	{[]string{"lxc.environment = HOME", "lxc.environment = A=B"}, []string{"lxc.environment"}},
	{[]string{"lxc.environment = GOLXC_SURELY_UNSET_VAR"}, []string{"lxc.environment"}},
	{[]string{"lxc.time.offset.boot = 1h", "lxc.time.offset.monotonic = 5ms"}, []string{"lxc.time.offset.boot", "lxc.time.offset.monotonic"}},
	{[]string{"lxc.time.offset.boot = 10"}, []string{"lxc.time.offset.boot"}},
	{[]string{"lxc.time.offset.boot = -5ms"}, []string{"lxc.time.offset.boot"}},
	{[]string{"lxc.log.level = warn", "lxc.log.syslog = LOCAL3", "lxc.log.file = /tmp/x.log"},
		[]string{"lxc.log.level", "lxc.log.syslog", "lxc.log.file"}},
	{[]string{"lxc.log.level = WARNING"}, []string{"lxc.log.level"}},
	{[]string{"lxc.log.level = 9"}, []string{"lxc.log.level"}},
	{[]string{"lxc.log.syslog = user"}, []string{"lxc.log.syslog"}},
	{[]string{"lxc.console.buffer.size = 3 mb", "lxc.console.size = 5000", "lxc.console.path = none",
		"lxc.console.logfile = /tmp/c.log", "lxc.console.rotate = 1"},
		[]string{"lxc.console.buffer.size", "lxc.console.size", "lxc.console.path", "lxc.console.logfile", "lxc.console.rotate"}},
	{[]string{"lxc.console.buffer.size = 2m"}, []string{"lxc.console.buffer.size"}},
	{[]string{"lxc.console.buffer.size = 12xy"}, []string{"lxc.console.buffer.size"}},
	{[]string{"lxc.console.size = auto"}, []string{"lxc.console.size"}},
	{[]string{"lxc.rootfs.path = overlay:/a:/b", "lxc.rootfs.mount = /m", "lxc.rootfs.options = ro", "lxc.rootfs.managed = 0"},
		[]string{"lxc.rootfs.path", "lxc.rootfs.mount", "lxc.rootfs.options", "lxc.rootfs.managed"}},
	{[]string{"lxc.autodev = 0", "lxc.autodev.tmpfs.size =", "lxc.monitor.unshare = 2", "lxc.monitor.signal.pdeath = 0",
		"lxc.no_new_privs = 1", "lxc.sched.core = 1", "lxc.keyring.session = 1"},
		[]string{"lxc.autodev", "lxc.autodev.tmpfs.size", "lxc.monitor.unshare", "lxc.monitor.signal.pdeath", "lxc.no_new_privs",
			"lxc.sched.core", "lxc.keyring.session"}},
	{[]string{"lxc.apparmor.profile = unconfined", "lxc.apparmor.allow_incomplete = 1", "lxc.apparmor.allow_nesting = 1",
		"lxc.apparmor.raw = mount,", "lxc.selinux.context = x", "lxc.selinux.context.keyring = y"},
		[]string{"lxc.apparmor.profile", "lxc.apparmor.allow_incomplete", "lxc.apparmor.allow_nesting", "lxc.apparmor.raw",
			"lxc.selinux.context", "lxc.selinux.context.keyring"}},
	{[]string{"lxc.ephemeral = 2"}, []string{"lxc.ephemeral"}},
	{[]string{"lxc.mount.entry = /a b none bind 0 0", "lxc.mount.fstab = /f"}, []string{"lxc.mount.entry", "lxc.mount.fstab"}},
	{[]string{"lxc.uts.name = " + strings.Repeat("a", 65)}, []string{"lxc.uts.name"}},
	{[]string{"lxc.include = /nonexistent-golxc-dir/", "lxc.uts.name = after"}, []string{"lxc.uts.name", "lxc.include"}},
	{[]string{"lxc.include = /nonexistent-golxc-file"}, []string{"lxc.uts.name"}},
	{[]string{"  lxc.uts.name=  'q'  ", "\tlxc.arch\t=\tx86", "lxc.uts.name"}, []string{"lxc.uts.name"}},
	{[]string{"lxc.bogus.key = 1"}, []string{"lxc.uts.name"}},
	{[]string{"lxc.utsname = legacy"}, []string{"lxc.uts.name"}},
}

func TestAgainstLXC(t *testing.T) {
	if _, err := os.Stat("/usr/bin/lxc-info"); err != nil {
		t.Skip("lxc-info (LXC oracle) not installed")
	}
	SetWarner(func(string) {})
	t.Cleanup(func() { SetWarner(nil) })
	for i, tc := range oracleCases {
		dir := t.TempDir()
		// LXC's lxc-info takes its lock under /run/lxc/lock/LXCPATH; the
		// parent of a t.TempDir() belongs to this test.
		t.Cleanup(func() { os.RemoveAll(filepath.Join("/run/lxc/lock", filepath.Dir(dir))) })
		if err := os.Mkdir(filepath.Join(dir, "c"), 0o755); err != nil {
			t.Fatal(err)
		}
		text := "# oracle case\n" + strings.Join(tc.lines, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(dir, "c", "config"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		c := New()
		loadErr := c.LoadBytes("config", []byte(text))
		legacy := strings.Contains(text, "lxc.utsname")
		for _, k := range tc.keys {
			out, err := exec.Command("/usr/bin/lxc-info", "-P", dir, "-n", "c", "-c", k, "-H").CombinedOutput()
			lxcFailed := err != nil
			if legacy {
				if !lxcFailed {
					t.Errorf("case %d: LXC accepted a legacy key", i)
				}
				continue // golxc accepts legacy keys on purpose
			}
			if lxcFailed != (loadErr != nil) {
				t.Errorf("case %d %q: LXC load failed=%v, golxc load error=%v", i, tc.lines, lxcFailed, loadErr)
				break
			}
			if lxcFailed {
				break
			}
			got, gerr := c.Get(k)
			lxcInvalid := strings.HasSuffix(string(out), k+" invalid\n")
			if lxcInvalid != (gerr != nil) {
				t.Errorf("case %d key %s: LXC invalid=%v output %q, golxc err=%v got %q", i, k, lxcInvalid, out, gerr, got)
				continue
			}
			if gerr != nil {
				continue
			}
			want := string(out)
			if k == "lxc.net.0.hwaddr" {
				continue
			}
			if got+"\n" != want {
				t.Errorf("case %d key %s: golxc %q, LXC %q", i, k, got+"\n", want)
			}
		}
	}
}
