package config

import (
	"strings"
	"testing"
)

func TestLegacyMappings(t *testing.T) {
	cases := []struct {
		line, key, want string
	}{
		{"lxc.utsname = old", "lxc.uts.name", "old"},
		{"lxc.id_map = u 0 100000 65536", "lxc.idmap", "u 0 100000 65536"},
		{"lxc.pts = 1024", "lxc.pty.max", "1024"},
		{"lxc.tty = 4", "lxc.tty.max", "4"},
		{"lxc.devttydir = lxc", "lxc.tty.dir", "lxc"},
		{"lxc.aa_profile = unconfined", "lxc.apparmor.profile", "unconfined"},
		{"lxc.aa_allow_incomplete = 1", "lxc.apparmor.allow_incomplete", "1"},
		{"lxc.se_context = system_u:x", "lxc.selinux.context", "system_u:x"},
		{"lxc.mount = /var/lib/lxc/c/fstab", "lxc.mount.fstab", "/var/lib/lxc/c/fstab"},
		{"lxc.seccomp = /p", "lxc.seccomp.profile", "/p"},
		{"lxc.console = none", "lxc.console.path", "none"},
		{"lxc.haltsignal = SIGUSR1", "lxc.signal.halt", "10"},
		{"lxc.rebootsignal = SIGTERM", "lxc.signal.reboot", "15"},
		{"lxc.stopsignal = SIGKILL", "lxc.signal.stop", "9"},
		{"lxc.syslog = daemon", "lxc.log.syslog", "daemon"},
		{"lxc.loglevel = DEBUG", "lxc.log.level", "DEBUG"},
		{"lxc.logfile = /tmp/l", "lxc.log.file", "/tmp/l"},
		{"lxc.init_cmd = /sbin/init", "lxc.init.cmd", "/sbin/init"},
		{"lxc.init_uid = 5", "lxc.init.uid", "5"},
		{"lxc.init_gid = 6", "lxc.init.gid", "6"},
		{"lxc.limit.nofile = 1024", "lxc.prlimit.nofile", "1024"},
		{"lxc.rootfs = /var/lib/lxc/c/rootfs", "lxc.rootfs.path", "/var/lib/lxc/c/rootfs"},
		{"lxc.network.0.type = veth", "lxc.net.0.type", "veth"},
		{"lxc.network.type = veth\nlxc.network.ipv4 = 10.0.3.5/24", "lxc.net.0.ipv4.address", "10.0.3.5/24"},
		{"lxc.network.0.type = veth\nlxc.network.0.ipv6 = fe80::1/64", "lxc.net.0.ipv6.address", "fe80::1/64"},
		{"lxc.network.type = veth\nlxc.network.ipv4.gateway = auto", "lxc.net.0.ipv4.gateway", "auto"},
		{"lxc.start.auto = 1", "lxc.start.auto", "1"},
	}
	for _, tc := range cases {
		warnings := captureWarnings(t)
		c := mustLoad(t, tc.line+"\n")
		if got, err := c.Get(tc.key); err != nil || got != tc.want {
			t.Errorf("%q: Get(%s) = %q, %v; want %q", tc.line, tc.key, got, err, tc.want)
		}
		if string(c.Text()) != tc.line+"\n" {
			t.Errorf("%q: legacy line rewritten in Text: %q", tc.line, c.Text())
		}
		if strings.HasPrefix(tc.line, "lxc.start") {
			if len(warnings()) != 0 {
				t.Errorf("current key warned: %v", warnings())
			}
			continue
		}
		w := warnings()
		if len(w) == 0 || !strings.Contains(w[0], "is an LXC 1.x key, read as") {
			t.Errorf("%q: warnings %v", tc.line, w)
		}
	}
}

func TestLegacyWarningOncePerKey(t *testing.T) {
	warnings := captureWarnings(t)
	mustLoad(t, "lxc.utsname = a\nlxc.utsname = b\nlxc.tty = 1\n")
	mustLoad(t, "lxc.utsname = c\n")
	w := warnings()
	want := []string{
		`config:1: "lxc.utsname" is an LXC 1.x key, read as "lxc.uts.name"; run lxc-update-config -c config to convert`,
		`config:3: "lxc.tty" is an LXC 1.x key, read as "lxc.tty.max"; run lxc-update-config -c config to convert`,
	}
	if strings.Join(w, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(w, "\n"), strings.Join(want, "\n"))
	}
}

func TestLegacyUnindexedNetworks(t *testing.T) {
	captureWarnings(t)
	c := mustLoad(t, `lxc.network.type = veth
lxc.network.link = br0
lxc.network.hwaddr = 00:16:3e:xx:xx:xx
lxc.network.type = macvlan
lxc.network.macvlan.mode = bridge
lxc.network.name = eth1
`)
	for k, want := range map[string]string{
		"lxc.net":                "veth\nmacvlan\n",
		"lxc.net.0.link":         "br0",
		"lxc.net.1.macvlan.mode": "bridge",
		"lxc.net.1.name":         "eth1",
	} {
		if got, _ := c.Get(k); got != want {
			t.Errorf("Get(%s) = %q, want %q", k, got, want)
		}
	}
	if hw, _ := c.Get("lxc.net.0.hwaddr"); strings.Contains(hw, "x") || !strings.Contains(string(c.Text()), "lxc.network.hwaddr = "+hw) {
		t.Errorf("legacy hwaddr not expanded in text: %q / %q", hw, c.Text())
	}
	if err := New().LoadBytes("config", []byte("lxc.network.link = br0\n")); err == nil {
		t.Error("unindexed network key before any type should fail")
	}
}

func TestLegacyRootfsBackendAndIgnored(t *testing.T) {
	captureWarnings(t)
	c := mustLoad(t, "lxc.rootfs = /dev/vg/c\nlxc.rootfs.backend = lvm\nlxc.pivotdir = lxc_putold\nlxc.kmsg = 0\n")
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if s.Rootfs.Type != "lvm" || s.Rootfs.Path != "/dev/vg/c" {
		t.Errorf("rootfs = %+v", s.Rootfs)
	}
	c = mustLoad(t, "lxc.rootfs = overlayfs:/var/lib/lxc/base/rootfs:/var/lib/lxc/c/delta0\n")
	if s, _ := c.Spec(); s.Rootfs.Type != "overlayfs" || s.Rootfs.Path != "/var/lib/lxc/base/rootfs:/var/lib/lxc/c/delta0" {
		t.Errorf("overlay rootfs = %+v", s.Rootfs)
	}
}

const seedLegacyConfig = `# Template used to create this container: /usr/share/lxc/templates/lxc-download
# Parameters passed to the template: -d ubuntu -r xenial -a amd64
# For additional config options, please look at lxc.container.conf(5)

# Distribution configuration
lxc.arch = x86_64

# Container specific configuration
lxc.rootfs = /var/lib/lxc/seed/rootfs
lxc.rootfs.backend = dir
lxc.utsname = seed
lxc.id_map = u 0 100000 65536
lxc.id_map = g 0 100000 65536
lxc.tty = 4
lxc.pts = 1024
lxc.aa_profile = unconfined
lxc.haltsignal = SIGPWR
lxc.loglevel = 1
lxc.logfile = /var/log/lxc/seed.log
lxc.limit.nofile = 1024:4096
lxc.limit.core = unlimited
lxc.pivotdir = lxc_putold
lxc.kmsg = 0
#lxc.utsname = commented

# Network configuration
lxc.network.type = veth
lxc.network.link = lxcbr0
lxc.network.flags = up
lxc.network.hwaddr = 00:16:3e:12:34:56
lxc.network.ipv4 = 10.0.3.5/24
lxc.network.ipv4.gateway = 10.0.3.1
lxc.network.type = veth
lxc.network.link = br1
lxc.network.name = eth1
lxc.network.1.mtu = 1400
lxc.network.ipv6 = 2001:db8::5/64
`

func TestUpdateLegacy(t *testing.T) {
	captureWarnings(t)
	legacy := mustLoad(t, seedLegacyConfig)
	updated := UpdateLegacy([]byte(seedLegacyConfig))
	for _, bad := range []string{"lxc.utsname", "lxc.network", "lxc.id_map", "lxc.limit", "lxc.rootfs =", "lxc.pivotdir",
		"lxc.kmsg", "lxc.rootfs.backend", "lxc.tty =", "lxc.pts"} {
		if strings.Contains(string(updated), bad) {
			t.Errorf("converted text still has %q:\n%s", bad, updated)
		}
	}
	for _, want := range []string{"lxc.rootfs.path = dir:/var/lib/lxc/seed/rootfs\n", "lxc.net.0.ipv4.address = 10.0.3.5/24\n",
		"lxc.net.0.ipv4.gateway = 10.0.3.1\n", "lxc.net.1.link = br1\n", "lxc.net.1.mtu = 1400\n",
		"lxc.prlimit.nofile = 1024:4096\n", "#lxc.uts.name = commented\n", "# Network configuration\n\n"[:23]} {
		if !strings.Contains(string(updated), want) {
			t.Errorf("converted text lacks %q:\n%s", want, updated)
		}
	}
	warnings := captureWarnings(t)
	fresh := New()
	if err := fresh.LoadBytes("config", updated); err != nil {
		t.Fatalf("converted config does not load: %v\n%s", err, updated)
	}
	if w := warnings(); len(w) != 0 {
		t.Errorf("converted config still warns: %v", w)
	}
	if dump(fresh) != dump(legacy) {
		t.Errorf("converted config reads differently:\n%s\nvs legacy:\n%s", dump(fresh), dump(legacy))
	}
	if string(UpdateLegacy(updated)) != string(updated) {
		t.Error("UpdateLegacy is not idempotent")
	}
}

// A config read in LXC 1.x spelling and written anew has only LXC 5 names
// and the same values.
func TestModernizeText(t *testing.T) {
	captureWarnings(t)
	text := "# old\nlxc.network.type = veth\nlxc.network.link = lxcbr0\nlxc.network.flags = up\n" +
		"lxc.network.hwaddr = 00:16:3e:xx:xx:xx\nlxc.network.ipv4 = 10.0.3.5/24\n" +
		"lxc.network.type = empty\nlxc.id_map = u 0 100000 65536\nlxc.id_map = g 0 100000 65536\n" +
		"lxc.utsname = legacy\nlxc.rootfs = /srv/r\nlxc.pivotdir = x\nlxc.tty = 2\n"
	c := mustLoad(t, text)
	before := dump(c)
	c.ModernizeText()
	out := string(c.Text())
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		key, _, _ := strings.Cut(l, " ")
		if _, kind := legacyName(key, 0); kind != notLegacy {
			t.Errorf("legacy key left: %q\n%s", l, out)
		}
	}
	for _, want := range []string{"lxc.net.0.link = lxcbr0", "lxc.net.0.ipv4.address = 10.0.3.5/24", "lxc.net.1.type = empty",
		"lxc.idmap = g 0 100000 65536", "lxc.uts.name = legacy", "lxc.rootfs.path = dir:/srv/r", "lxc.tty.max = 2"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	again := mustLoad(t, out)
	if after := dump(again); after != before {
		t.Errorf("values changed:\nbefore %s\nafter %s", before, after)
	}
}
