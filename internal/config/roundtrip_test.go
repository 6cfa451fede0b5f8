package config

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// busyboxConfig is what lxc-create -t busybox writes (reference §7.1).
const busyboxConfig = `# Template used to create this container: /usr/share/lxc/templates/lxc-busybox
# Parameters passed to the template:
# For additional config options, please look at lxc.container.conf(5)

# Uncomment the following line to support nesting containers:
#lxc.include = /usr/share/lxc/config/nesting.conf
# (Be aware this has security implications)

lxc.net.0.type = empty
lxc.rootfs.path = dir:/var/lib/lxc/ref-bb/rootfs
lxc.signal.halt = SIGUSR1
lxc.signal.reboot = SIGTERM
lxc.uts.name = "ref-bb"
lxc.autodev = 1
lxc.tty.max = 5
lxc.pty.max = 1
lxc.cap.drop = sys_module mac_admin mac_override sys_time

# When using LXC with apparmor, uncomment the next line to run unconfined:
#lxc.apparmor.profile = unconfined

lxc.mount.auto = cgroup:mixed proc:mixed sys:ro
lxc.mount.entry = shm dev/shm tmpfs defaults,create=dir 0 0
lxc.mount.entry = mqueue dev/mqueue mqueue defaults,optional,create=dir 0 0
lxc.mount.entry = /lib lib none ro,bind 0 0
lxc.mount.entry = /usr/lib usr/lib none ro,bind 0 0
lxc.mount.entry = /lib64 lib64 none ro,bind 0 0
lxc.mount.entry = /usr/lib64 usr/lib64 none ro,bind 0 0
lxc.mount.entry = /sys/kernel/security sys/kernel/security none ro,bind,optional 0 0
`

func TestRoundTripBusybox(t *testing.T) {
	c := mustLoad(t, busyboxConfig)
	if want := strings.ReplaceAll(busyboxConfig, "\n\n", "\n"); string(c.Text()) != want {
		t.Errorf("Text:\n%s\nwant:\n%s", c.Text(), want)
	}
	if r := mustLoad(t, string(c.Text())); dump(r) != dump(c) {
		t.Error("reload differs")
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if s.UTSName != "ref-bb" || s.Signals.Halt != syscall.SIGUSR1 || s.Signals.Reboot != syscall.SIGTERM ||
		s.TTYMax != 5 || s.PTYMax != 1 || !s.Autodev || len(s.MountEntries) != 7 ||
		s.Rootfs.Type != "dir" || s.Rootfs.Path != "/var/lib/lxc/ref-bb/rootfs" || s.Rootfs.Raw != "dir:/var/lib/lxc/ref-bb/rootfs" ||
		s.Caps != (Caps{Set: 1<<16 | 1<<33 | 1<<32 | 1<<25}) || len(s.Net) != 1 || s.Net[0].Type != "empty" || s.Net[0].Name != "lo" {
		t.Errorf("spec = %+v", s)
	}
	if s.MountAuto.Proc != "mixed" || s.MountAuto.Sys != "ro" || s.MountAuto.Cgroup != (CgroupMount{Mode: "mixed"}) ||
		strings.Join(s.MountAuto.Tokens, " ") != "proc:mixed sys:ro cgroup:mixed" {
		t.Errorf("mount.auto = %+v", s.MountAuto)
	}
}

func TestRoundTripDownloadWithIncludes(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "common.conf"), `# Default configuration shared by all containers
lxc.tty.dir = lxc
lxc.pty.max = 1024
lxc.tty.max = 4
lxc.cap.drop = mac_admin mac_override sys_time sys_module sys_rawio
lxc.hook.clone = /usr/share/lxc/hooks/clonehostname
lxc.cgroup.devices.deny = a
lxc.cgroup.devices.allow = c *:* m
lxc.cgroup2.devices.deny = a
lxc.mount.auto = cgroup:mixed proc:mixed sys:mixed
lxc.include = `+filepath.Join(dir, "common.conf.d")+`/
`)
	writeFile(t, filepath.Join(dir, "common.conf.d", "00-lxcfs.conf"), "lxc.hook.mount = /usr/share/lxcfs/lxc.mount.hook\n")
	writeFile(t, filepath.Join(dir, "debian.common.conf"), "lxc.include = "+filepath.Join(dir, "common.conf")+"\nlxc.tty.dir =\n")
	top := `# Template used to create this container: /usr/share/lxc/templates/lxc-download
# Parameters passed to the template: -d debian -r bookworm -a amd64
# For additional config options, please look at lxc.container.conf(5)

# Uncomment the following line to support nesting containers:
#lxc.include = /usr/share/lxc/config/nesting.conf
# (Be aware this has security implications)


# Distribution configuration
lxc.include = ` + filepath.Join(dir, "debian.common.conf") + `
lxc.arch = linux64

# Container specific configuration
lxc.apparmor.profile = generated
lxc.apparmor.allow_nesting = 1
lxc.rootfs.path = dir:/var/lib/lxc/deb/rootfs
lxc.uts.name = deb

# Network configuration
lxc.net.0.type = veth
lxc.net.0.link = lxcbr0
lxc.net.0.flags = up
lxc.net.0.hwaddr = 00:16:3e:xx:xx:xx
`
	c := mustLoad(t, top)
	text := string(c.Text())
	if strings.Contains(text, "xx:xx") || strings.Contains(text, "devices.deny") {
		t.Errorf("Text = %s", text)
	}
	hw, _ := c.Get("lxc.net.0.hwaddr")
	if want := strings.ReplaceAll(strings.ReplaceAll(top, "\n\n", "\n"), "00:16:3e:xx:xx:xx", hw); text != strings.ReplaceAll(want, "\n\n", "\n") {
		t.Errorf("Text:\n%s\nwant:\n%s", text, want)
	}
	r := mustLoad(t, text)
	if dump(r) != dump(c) {
		t.Error("reload differs")
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if s.TTYDir != "" || s.TTYMax != 4 || s.Arch != "x86_64" || len(s.Cgroup1) != 2 || len(s.Cgroup2) != 1 ||
		s.Hooks["mount"][0] != "/usr/share/lxcfs/lxc.mount.hook" || s.Hooks["clone"][0] != "/usr/share/lxc/hooks/clonehostname" ||
		s.Net[0].Flags != "up" || s.Net[0].Link != "lxcbr0" || s.Net[0].Hwaddr != hw || s.Net[0].VethMode != "bridge" ||
		s.MountAuto.Sys != "mixed" || !s.ApparmorAllowNesting || s.ApparmorProfile != "generated" {
		t.Errorf("spec = %+v", s)
	}
}

func TestSeedLegacyRoundTrip(t *testing.T) {
	captureWarnings(t)
	c := mustLoad(t, seedLegacyConfig)
	if want := strings.ReplaceAll(seedLegacyConfig, "\n\n", "\n"); string(c.Text()) != want {
		t.Errorf("legacy text rewritten:\n%s", c.Text())
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if s.UTSName != "seed" || len(s.IDMap) != 2 || s.IDMap[1] != (IDMap{Type: 'g', NSID: 0, HostID: 100000, Range: 65536}) ||
		s.TTYMax != 4 || s.PTYMax != 1024 || s.Signals.Halt != syscall.SIGPWR || s.Log.Level != "DEBUG" ||
		s.Log.File != "/var/log/lxc/seed.log" || len(s.Net) != 2 || s.Net[0].IPv4[0].String() != "10.0.3.5/24" ||
		s.Net[0].IPv4Gateway.String() != "10.0.3.1" || s.Net[1].Name != "eth1" || s.Net[1].MTU != 1400 ||
		s.Net[1].IPv6[0].String() != "2001:db8::5/64" || s.Rootfs.Type != "dir" {
		t.Errorf("spec = %+v", s)
	}
	if len(s.Prlimit) != 2 || s.Prlimit[0] != (Rlimit{Name: "nofile", Soft: 1024, Hard: 4096}) ||
		s.Prlimit[1] != (Rlimit{Name: "core", Soft: rlimInfinity, Hard: rlimInfinity}) {
		t.Errorf("prlimit = %+v", s.Prlimit)
	}
}

func TestSpecDetails(t *testing.T) {
	c := mustLoad(t, `lxc.net.5.type = veth
lxc.net.5.veth.vlan.id = none
lxc.net.5.ipv4.address = 10.0.0.2/24 10.0.0.255
lxc.net.1.type = vlan
lxc.net.1.vlan.id = 10
lxc.cap.keep = none
lxc.keyring.session = 0
lxc.monitor.signal.pdeath = 0
lxc.mount.auto = cgroup-full:ro:force shmounts:/h
lxc.time.offset.boot = 2h
lxc.time.offset.monotonic = 5ms
lxc.namespace.share.net = other
lxc.namespace.keep = user net
lxc.rootfs.path = /
lxc.environment = A=B
lxc.init.groups = 4,5
`)
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if s.Net[0].Index != 1 || s.Net[1].Index != 5 || s.Net[1].VethVlanID != VlanNone || s.Net[1].IPv4[0].String() != "10.0.0.2/24 10.0.0.255" ||
		s.Net[0].VlanID != 10 {
		t.Errorf("net = %+v", s.Net)
	}
	if s.Caps != (Caps{Keep: true}) || s.KeyringSession == nil || !*s.KeyringSession ||
		!s.MonitorPdeathDisable || s.MountAuto.Cgroup != (CgroupMount{Mode: "ro", Full: true, Force: true}) || s.MountAuto.Shmounts != "/h:/dev/.lxc-mounts" ||
		s.TimeBoot != (TimeOffset{Sec: 7200}) || s.TimeMonotonic != (TimeOffset{Nsec: 5000000}) || s.TimeOffsetBoot != "7200 s" ||
		s.NamespaceShare["net"] != "other" || s.NamespaceKeep != unix.CLONE_NEWUSER|unix.CLONE_NEWNET ||
		s.Rootfs.Path != "/" || s.Rootfs.Type != "dir" || s.Environment[0] != "A=B" || len(s.Init.Groups) != 2 {
		t.Errorf("spec = %+v", s)
	}
	d := New().mustSpec(t)
	if !d.Autodev || !d.Rootfs.Managed || d.MonitorPdeathSignal != syscall.SIGKILL || d.KeyringSession != nil ||
		d.Log.Level != "" || d.Rootfs.Type != "" {
		t.Errorf("default spec = %+v", d)
	}
}

// A bad MTU is a value LXC takes at load and fails the start on: the
// Spec builds, and the device keeps the error (its first) for the start.
func TestSpecBadMTU(t *testing.T) {
	for text, want := range map[string]string{
		"lxc.net.0.mtu = big\n": `lxc.net.0.mtu: invalid value "big"; expected the MTU in bytes, a number such as 1500`,
		"lxc.net.0.mtu = -5\nlxc.net.0.hwaddr = 01:00:5e:00:00:01\n": `lxc.net.0.mtu: invalid value "-5"; expected the MTU in bytes, a number such as 1500`,
		"lxc.net.0.mtu = 99999999999\n":                              `lxc.net.0.mtu: invalid value "99999999999"; expected the MTU in bytes, a number such as 1500`,
	} {
		s, err := mustLoad(t, "lxc.net.0.type = veth\n"+text).Spec()
		if err != nil || len(s.Net) != 1 || s.Net[0].Err == nil || s.Net[0].Err.Error() != want || s.Net[0].MTU != 0 {
			t.Errorf("%q: %v %+v\nwant %s", text, err, s, want)
		}
	}
	s := mustLoad(t, "lxc.net.0.type = veth\nlxc.net.0.mtu = 99999999\n").mustSpec(t)
	if s.Net[0].Err != nil || s.Net[0].MTU != 99999999 {
		t.Errorf("a number is kept for the kernel to judge, as LXC: %+v", s.Net[0])
	}
}

func (c *Config) mustSpec(t *testing.T) *Spec {
	t.Helper()
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// lxc.namespace.clone / keep reach the monitor as CLONE_NEW* flags.
func TestSpecNamespaceFlags(t *testing.T) {
	s := mustLoad(t, "lxc.namespace.clone = uts net\nlxc.namespace.clone = cgroup\n").mustSpec(t)
	if s.NamespaceClone != unix.CLONE_NEWUTS|unix.CLONE_NEWNET|unix.CLONE_NEWCGROUP || s.NamespaceKeep != 0 {
		t.Errorf("clone: %#x keep %#x", s.NamespaceClone, s.NamespaceKeep)
	}
	s = mustLoad(t, "lxc.namespace.keep = time user\n").mustSpec(t)
	if s.NamespaceKeep != unix.CLONE_NEWTIME|unix.CLONE_NEWUSER || s.NamespaceClone != 0 {
		t.Errorf("keep: %#x clone %#x", s.NamespaceKeep, s.NamespaceClone)
	}
}

// The cgroup token of lxc.mount.auto is typed once.
func TestSpecMountAutoCgroup(t *testing.T) {
	for text, want := range map[string]CgroupMount{
		"lxc.mount.auto = cgroup":                                        {Mode: "nospec"},
		"lxc.mount.auto = cgroup-full:force":                             {Mode: "nospec", Full: true, Force: true},
		"lxc.mount.auto = cgroup-full:mixed":                             {Mode: "mixed", Full: true},
		"lxc.mount.auto = cgroup:ro":                                     {Mode: "ro"},
		"lxc.mount.auto = cgroup:rw:force":                               {Mode: "rw", Force: true},
		"lxc.mount.auto = cgroup:mixed:force":                            {Mode: "mixed", Force: true},
		"lxc.mount.auto = cgroup2":                                       {Mode: "rw", V2: true},
		"lxc.mount.auto = cgroup2:ro:force":                              {Mode: "ro", V2: true, Force: true},
		"lxc.mount.auto = proc sys":                                      {},
		"lxc.mount.auto = cgroup:rw cgroup2:ro":                          {Mode: "ro", V2: true},
		"lxc.mount.auto = cgroup2 cgroup-full:ro\nlxc.mount.auto = proc": {Mode: "ro", Full: true},
	} {
		if got := mustLoad(t, text+"\n").mustSpec(t).MountAuto.Cgroup; got != want {
			t.Errorf("%q: %+v, want %+v", text, got, want)
		}
	}
}

// lxc.arch reaches attach as the personality it means.
func TestSpecPersonality(t *testing.T) {
	for text, want := range map[string]int{"": -1, "lxc.arch = armhf": PerLinux32, "lxc.arch = i386": PerLinux32,
		"lxc.arch = amd64": PerLinux, "lxc.arch = arm64": PerLinux, "lxc.arch = x86\nlxc.arch =": -1} {
		if got := mustLoad(t, text+"\n").mustSpec(t).Personality; got != want {
			t.Errorf("%q: %d, want %d", text, got, want)
		}
	}
}
