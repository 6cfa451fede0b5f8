package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keyCase: set setKey=value, read getKey, clear clearKey, read again.
type keyCase struct {
	setKey, value   string
	getKey, want    string
	clearKey, after string
}

func allKeyCases(t *testing.T) map[string]keyCase {
	inc := filepath.Join(t.TempDir(), "inc.conf")
	if err := os.WriteFile(inc, []byte("lxc.tty.max = 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOLXC_TEST_ENV", "hostval")
	s := func(k, v, want, after string) keyCase { return keyCase{k, v, k, want, k, after} }
	cases := map[string]keyCase{
		"lxc.arch":                       s("lxc.arch", "amd64", "x86_64", ""),
		"lxc.apparmor.profile":           s("lxc.apparmor.profile", "unconfined", "unconfined", ""),
		"lxc.apparmor.allow_incomplete":  s("lxc.apparmor.allow_incomplete", "1", "1", "0"),
		"lxc.apparmor.allow_nesting":     s("lxc.apparmor.allow_nesting", "1", "1", "0"),
		"lxc.apparmor.raw":               s("lxc.apparmor.raw", "mount fstype=proc,", "mount fstype=proc,\n", ""),
		"lxc.autodev.tmpfs.size":         s("lxc.autodev.tmpfs.size", "1000", "1000", "500000"),
		"lxc.autodev":                    s("lxc.autodev", "0", "0", "1"),
		"lxc.cap.drop":                   s("lxc.cap.drop", "sys_module mac_admin", "sys_module\nmac_admin\n", ""),
		"lxc.cap.keep":                   s("lxc.cap.keep", "sys_admin", "sys_admin\n", ""),
		"lxc.cgroup2":                    {"lxc.cgroup2.memory.max", "1G", "lxc.cgroup2", "lxc.cgroup2.memory.max = 1G\n", "lxc.cgroup2", ""},
		"lxc.cgroup.dir.monitor.pivot":   s("lxc.cgroup.dir.monitor.pivot", "pivot", "pivot", ""),
		"lxc.cgroup.dir.monitor":         s("lxc.cgroup.dir.monitor", "mon/x", "mon/x", ""),
		"lxc.cgroup.dir.container.inner": s("lxc.cgroup.dir.container.inner", "inner", "inner", ""),
		"lxc.cgroup.dir.container":       s("lxc.cgroup.dir.container", "pay/x", "pay/x", ""),
		"lxc.cgroup.dir":                 s("lxc.cgroup.dir", "a/b", "a/b", ""),
		"lxc.cgroup.relative":            s("lxc.cgroup.relative", "1", "1", "0"),
		"lxc.cgroup":                     {"lxc.cgroup.devices.allow", "c 1:3 rwm", "lxc.cgroup", "lxc.cgroup.devices.allow = c 1:3 rwm\n", "lxc.cgroup", ""},
		"lxc.console.buffer.size":        s("lxc.console.buffer.size", "auto", "131072", "0"),
		"lxc.console.logfile":            s("lxc.console.logfile", "/var/log/c.log", "/var/log/c.log", ""),
		"lxc.console.path":               s("lxc.console.path", "none", "none", ""),
		"lxc.console.rotate":             s("lxc.console.rotate", "1", "1", "0"),
		"lxc.console.size":               s("lxc.console.size", "5000", "8192", "0"),
		"lxc.sched.core":                 s("lxc.sched.core", "1", "1", "0"),
		"lxc.environment":                s("lxc.environment", "GOLXC_TEST_ENV", "GOLXC_TEST_ENV=hostval\n", ""),
		"lxc.ephemeral":                  s("lxc.ephemeral", "1", "1", "0"),
		"lxc.execute.cmd":                s("lxc.execute.cmd", "/bin/sh -c 'x # y'", "/bin/sh -c 'x # y'", ""),
		"lxc.group":                      s("lxc.group", "web\tdb", "web\ndb\n", ""),
		"lxc.hook.version":               s("lxc.hook.version", "1", "1", "0"),
		"lxc.hook":                       {"lxc.hook.stop", "/bin/true", "lxc.hook.stop", "/bin/true\n", "lxc.hook", ""},
		"lxc.idmap":                      s("lxc.idmap", "u 0 100000 65536", "u 0 100000 65536", ""),
		"lxc.include":                    {"lxc.include", inc, "lxc.tty.max", "3", "lxc.include", "3"},
		"lxc.init.cmd":                   s("lxc.init.cmd", "/sbin/init splash", "/sbin/init splash", ""),
		"lxc.init.gid":                   s("lxc.init.gid", "7", "7", "0"),
		"lxc.init.groups":                s("lxc.init.groups", "1,2,3", "1,2,3", ""),
		"lxc.init.uid":                   s("lxc.init.uid", "8", "8", "0"),
		"lxc.init.cwd":                   s("lxc.init.cwd", "/root", "/root", ""),
		"lxc.keyring.session":            s("lxc.keyring.session", "1", "1", "0"),
		"lxc.log.file":                   s("lxc.log.file", "/tmp/c.log", "/tmp/c.log", ""),
		"lxc.log.level":                  s("lxc.log.level", "3", "NOTICE", "NOTSET"),
		"lxc.log.syslog":                 s("lxc.log.syslog", "daemon", "daemon", ""),
		"lxc.monitor.unshare":            s("lxc.monitor.unshare", "1", "1", "0"),
		"lxc.monitor.signal.pdeath":      s("lxc.monitor.signal.pdeath", "SIGTERM", "15", "9"),
		"lxc.mount.auto":                 s("lxc.mount.auto", "cgroup:mixed proc:mixed sys:ro", "proc:mixed sys:ro cgroup:mixed", ""),
		"lxc.mount.entry":                s("lxc.mount.entry", "/lib lib none ro,bind 0 0", "/lib lib none ro,bind 0 0\n", ""),
		"lxc.mount.fstab":                s("lxc.mount.fstab", "/var/lib/lxc/c/fstab", "/var/lib/lxc/c/fstab", ""),
		"lxc.namespace.clone":            s("lxc.namespace.clone", "net uts", "uts\nnet\n", ""),
		"lxc.namespace.keep":             s("lxc.namespace.keep", "user", "user\n", ""),
		"lxc.time.offset.boot":           s("lxc.time.offset.boot", "2m", "120 s\n", "0 ns\n"),
		"lxc.time.offset.monotonic":      s("lxc.time.offset.monotonic", "7us", "7000ns\n", "0ns\n"),
		"lxc.net":                        {"lxc.net.0.type", "veth", "lxc.net", "veth\n", "lxc.net", ""},
		"lxc.no_new_privs":               s("lxc.no_new_privs", "1", "1", "0"),
		"lxc.prlimit":                    {"lxc.prlimit.nofile", "1024:unlimited", "lxc.prlimit", "lxc.prlimit.nofile = 1024:unlimited\n", "lxc.prlimit", ""},
		"lxc.pty.max":                    s("lxc.pty.max", "1024", "1024", "0"),
		"lxc.rootfs.managed":             s("lxc.rootfs.managed", "0", "0", "1"),
		"lxc.rootfs.mount":               s("lxc.rootfs.mount", "/mnt/r", "/mnt/r", ""),
		"lxc.rootfs.options":             s("lxc.rootfs.options", "idmap=container", "idmap=container", ""),
		"lxc.rootfs.path":                s("lxc.rootfs.path", "dir:/var/lib/lxc/c/rootfs", "/var/lib/lxc/c/rootfs", ""),
		"lxc.seccomp.allow_nesting":      s("lxc.seccomp.allow_nesting", "1", "1", "0"),
		"lxc.seccomp.notify.cookie":      s("lxc.seccomp.notify.cookie", "cookie", "cookie", ""),
		"lxc.seccomp.notify.proxy":       s("lxc.seccomp.notify.proxy", "unix:/run/proxy.sock", "/run/proxy.sock", ""),
		"lxc.seccomp.profile":            s("lxc.seccomp.profile", "/usr/share/lxc/config/common.seccomp", "/usr/share/lxc/config/common.seccomp", ""),
		"lxc.selinux.context.keyring":    s("lxc.selinux.context.keyring", "system_u:k", "system_u:k", ""),
		"lxc.selinux.context":            s("lxc.selinux.context", "system_u:c", "system_u:c", ""),
		"lxc.signal.halt":                s("lxc.signal.halt", "SIGUSR1", "10", "0"),
		"lxc.signal.reboot":              s("lxc.signal.reboot", "SIGTERM", "15", "0"),
		"lxc.signal.stop":                s("lxc.signal.stop", "SIGRTMIN+3", "37", "0"),
		"lxc.start.auto":                 s("lxc.start.auto", "1", "1", "0"),
		"lxc.start.delay":                s("lxc.start.delay", "5", "5", "0"),
		"lxc.start.order":                s("lxc.start.order", "-3", "-3", "0"),
		"lxc.tty.dir":                    s("lxc.tty.dir", "lxc", "lxc", ""),
		"lxc.tty.max":                    s("lxc.tty.max", "4", "4", "0"),
		"lxc.uts.name":                   s("lxc.uts.name", "web1", "web1", ""),
		"lxc.sysctl":                     {"lxc.sysctl.net.ipv4.ip_forward", "1", "lxc.sysctl", "lxc.sysctl.net.ipv4.ip_forward = 1\n", "lxc.sysctl", ""},
		"lxc.proc":                       {"lxc.proc.oom_score_adj", "10", "lxc.proc", "lxc.proc.oom_score_adj = 10\n", "lxc.proc", ""},
	}
	for _, h := range hookTypes {
		cases["lxc.hook."+h] = s("lxc.hook."+h, "/usr/share/lxc/hooks/x arg", "/usr/share/lxc/hooks/x arg\n", "")
	}
	cases["lxc.namespace.share."] = s("lxc.namespace.share.net", "other", "other", "(null)")
	cases["lxc.net."] = s("lxc.net.3.type", "phys", "phys", "")
	return cases
}

// TestEveryKey sets, reads, saves, reloads and clears every key of the table.
func TestEveryKey(t *testing.T) {
	cases := allKeyCases(t)
	for _, e := range table {
		if _, ok := cases[e.name]; !ok {
			t.Errorf("no test case for key %s", e.name)
		}
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := New()
			if err := c.Set(tc.setKey, tc.value); err != nil {
				t.Fatalf("Set: %v", err)
			}
			if got, err := c.Get(tc.getKey); err != nil || got != tc.want {
				t.Fatalf("Get(%s) = %q, %v; want %q", tc.getKey, got, err, tc.want)
			}
			wantText := tc.setKey + " = " + tc.value + "\n"
			if string(c.Text()) != wantText {
				t.Fatalf("Text = %q, want %q", c.Text(), wantText)
			}
			r := mustLoad(t, string(c.Text()))
			if dump(r) != dump(c) {
				t.Fatalf("reload differs:\n%s\nvs\n%s", dump(r), dump(c))
			}
			if err := c.Clear(tc.clearKey); err != nil {
				t.Fatalf("Clear: %v", err)
			}
			if got, _ := c.Get(tc.getKey); got != tc.after && tc.getKey != "lxc.net.3.type" {
				t.Fatalf("after Clear Get(%s) = %q, want %q", tc.getKey, got, tc.after)
			}
			if len(c.Text()) != 0 {
				t.Fatalf("Clear left text %q", c.Text())
			}
			// An empty value must reset the same way (except lxc.include).
			if tc.setKey == "lxc.include" {
				return
			}
			e := New()
			if err := e.LoadBytes("config", []byte(wantText+tc.clearKey+" =\n")); err != nil {
				if !strings.HasPrefix(tc.setKey, "lxc.net.") {
					t.Fatalf("empty value: %v", err)
				}
				return
			}
			if got, _ := e.Get(tc.getKey); got != tc.after && !strings.HasPrefix(tc.getKey, "lxc.net") {
				t.Fatalf("after empty value Get(%s) = %q, want %q", tc.getKey, got, tc.after)
			}
		})
	}
}

func TestBadValues(t *testing.T) {
	bad := map[string][]string{
		"lxc.arch":                       {"vax"},
		"lxc.apparmor.allow_incomplete":  {"2", "yes"},
		"lxc.autodev":                    {"2"},
		"lxc.autodev.tmpfs.size":         {"big"},
		"lxc.cap.drop":                   {"SYS_ADMIN", "none", "cap_chown", "9999"},
		"lxc.cap.keep":                   {"bogus"},
		"lxc.cgroup.dir":                 {"/abs", "a/../b"},
		"lxc.cgroup.dir.container.inner": {"a/b", ".."},
		"lxc.console.buffer.size":        {"-5", "1KiB", "12xy"},
		"lxc.environment":                {"GOLXC_SURELY_UNSET_VAR"},
		"lxc.ephemeral":                  {"2"},
		"lxc.hook":                       {"/bin/true"},
		"lxc.hook.version":               {"2"},
		"lxc.idmap":                      {"b 0 1 1", "u 0 1", "u0 1 1 1", "u -1 1 1", "u 0 1 1 x"},
		"lxc.init.groups":                {"1,x"},
		"lxc.init.uid":                   {"-1", "root"},
		"lxc.log.level":                  {"9", "WARNING", "LXC_LOG_LEVEL_DEBUG", "1x"},
		"lxc.log.syslog":                 {"user"},
		"lxc.monitor.signal.pdeath":      {"KILL"},
		"lxc.mount.auto":                 {"proc:ro", "cgroup:foo"},
		"lxc.namespace.clone":            {"mount"},
		"lxc.namespace.share.bogus":      {"x"},
		"lxc.net":                        {"x"},
		"lxc.net.0.type":                 {"bridge"},
		"lxc.net.x.type":                 {"veth"},
		"lxc.net.0.veth.pair":            {"vp0"},
		"lxc.no_new_privs":               {"2"},
		"lxc.prlimit.nofile":             {"5 : 6 x", "abc", "unlimitedx"},
		"lxc.prlimit":                    {"5"},
		"lxc.sched.core":                 {"2"},
		"lxc.seccomp.notify.proxy":       {"/run/x", "unix:"},
		"lxc.signal.halt":                {"PWR", "SIGRTMIN-3", "SIGRTMIN+40", "-1", "SIGBOGUS"},
		"lxc.start.auto":                 {"2"},
		"lxc.start.delay":                {"-1"},
		"lxc.start.order":                {"first"},
		"lxc.sysctl.":                    {"1"},
		"lxc.time.offset.boot":           {"10", "-5ms", "5 days"},
		"lxc.tty.dir":                    {strings.Repeat("d", 256)},
		"lxc.uts.name":                   {strings.Repeat("a", 65)},
	}
	for key, vals := range bad {
		for _, v := range vals {
			c := New()
			err := c.Set(key, v)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("Set(%s, %q) = %v, want *ParseError", key, v, err)
				continue
			}
			if pe.Key != key || pe.Msg == "" || pe.Hint == "" {
				t.Errorf("Set(%s, %q): incomplete error %+v", key, v, pe)
			}
			if len(c.Text()) != 0 {
				t.Errorf("Set(%s, %q) appended %q despite the error", key, v, c.Text())
			}
		}
	}
}

func TestNetSubkeys(t *testing.T) {
	cases := []struct {
		typ, sub, value, want, cleared string
	}{
		{"veth", "flags", "up", "up", ""},
		{"veth", "hwaddr", "00:16:3e:aa:bb:cc", "00:16:3e:aa:bb:cc", ""},
		{"veth", "ipv4.address", "10.0.3.5/24", "10.0.3.5/24", ""},
		{"veth", "ipv4.gateway", "10.0.3.1", "10.0.3.1", ""},
		{"veth", "ipv6.address", "2001:db8::5/64", "2001:db8::5/64", ""},
		{"veth", "ipv6.gateway", "auto", "auto", ""},
		{"veth", "link", "lxcbr0", "lxcbr0", ""},
		{"veth", "l2proxy", "1", "1", "0"},
		{"macvlan", "macvlan.mode", "bridge", "bridge", "private"},
		{"ipvlan", "ipvlan.mode", "l3s", "l3s", "l2"},
		{"ipvlan", "ipvlan.isolation", "vepa", "vepa", "bridge"},
		{"veth", "mtu", "1400", "1400", ""},
		{"veth", "name", "eth0", "eth0", ""},
		{"veth", "script.down", "/bin/down", "/bin/down", ""},
		{"veth", "script.up", "/bin/up", "/bin/up", ""},
		{"veth", "type", "phys", "phys", "empty"},
		{"vlan", "vlan.id", "100", "100", "0"},
		{"veth", "veth.mode", "router", "router", "bridge"},
		{"veth", "veth.n_rxqueues", "2", "2", ""},
		{"veth", "veth.n_txqueues", "3", "3", ""},
		{"veth", "veth.pair", "vethweb", "vethweb", ""},
		{"veth", "veth.ipv4.route", "10.1.0.0/16", "10.1.0.0/16", ""},
		{"veth", "veth.ipv6.route", "2001:db8:1::/48", "2001:db8:1::/48", ""},
		{"veth", "veth.vlan.id", "none", "-1", "0"},
		{"veth", "veth.vlan.tagged.id", "7", "7", ""},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		seen[tc.sub] = true
		key := "lxc.net.1." + tc.sub
		c := New()
		if err := c.Set("lxc.net.1.type", tc.typ); err != nil {
			t.Fatal(err)
		}
		if err := c.Set(key, tc.value); err != nil {
			t.Errorf("Set(%s): %v", key, err)
			continue
		}
		if got, err := c.Get(key); err != nil || got != tc.want {
			t.Errorf("Get(%s) = %q, %v; want %q", key, got, err, tc.want)
		}
		r := mustLoad(t, string(c.Text()))
		if dump(r) != dump(c) {
			t.Errorf("%s: reload differs", key)
		}
		if err := c.Clear(key); err != nil {
			t.Errorf("Clear(%s): %v", key, err)
		}
		if got, _ := c.Get(key); got != tc.cleared {
			t.Errorf("after Clear Get(%s) = %q, want %q", key, got, tc.cleared)
		}
		if strings.Contains(string(c.Text()), key) {
			t.Errorf("Clear(%s) left its line: %q", key, c.Text())
		}
	}
	for _, s := range netSubkeys {
		if !seen[s.name] {
			t.Errorf("no test case for lxc.net.N.%s", s.name)
		}
	}
}

func TestKeys(t *testing.T) {
	c := New()
	keys := c.Keys("")
	if keys[0] != "lxc.arch" || keys[len(keys)-1] != "lxc.proc" || len(keys) != len(table)-2 {
		t.Fatalf("Keys(\"\") = %v", keys)
	}
	for _, k := range keys {
		if strings.HasSuffix(k, ".") {
			t.Errorf("Keys lists prefix entry %s", k)
		}
	}
	c = mustLoad(t, "lxc.net.0.type = veth\nlxc.net.1.type = empty\nlxc.net.2.type = macvlan\n")
	want := "type script.up script.down flags link name hwaddr mtu ipv6.address ipv6.gateway ipv4.address ipv4.gateway veth.pair veth.ipv4.route veth.ipv6.route veth.vlan.id"
	if got := strings.Join(c.Keys("lxc.net.0"), " "); got != want {
		t.Errorf("Keys(lxc.net.0) = %s", got)
	}
	if got := strings.Join(c.Keys("lxc.net.1"), " "); got != "type script.up script.down" {
		t.Errorf("Keys(lxc.net.1) = %s", got)
	}
	if got := c.Keys("lxc.net.2"); got[len(got)-1] != "macvlan.mode" {
		t.Errorf("Keys(lxc.net.2) = %v", got)
	}
	if c.Keys("lxc.net.7") != nil || c.Keys("lxc.cgroup") != nil {
		t.Error("Keys of an undefined device or other prefix should be nil")
	}
}

func TestIsSupported(t *testing.T) {
	for _, k := range []string{"lxc.uts.name", "lxc.cgroup.memory.max", "lxc.net.0.type", "lxc.utsname",
		"lxc.network.type", "lxc.network.0.link", "lxc.limit.nofile", "lxc.rootfs", "lxc.pivotdir"} {
		if !IsSupported(k) {
			t.Errorf("IsSupported(%s) = false", k)
		}
	}
	for _, k := range []string{"lxc.bogus", "lxc.uts", "foo.bar", "lxc.namespace.share"} {
		if IsSupported(k) {
			t.Errorf("IsSupported(%s) = true", k)
		}
	}
}
