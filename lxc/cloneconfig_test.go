package lxc

import "testing"

// The clone's config as LXC's clone writes it: changed keys leave their
// place and are appended, hwaddrs renewed in place, private hooks and the
// fstab follow the container, blank lines go.
func TestRewriteCloneConfig(t *testing.T) {
	in := `# Template used to create this container: /usr/share/lxc/templates/lxc-busybox

lxc.net.0.type = veth
lxc.net.0.hwaddr = 00:16:3e:aa:bb:cc
lxc.rootfs.path = dir:/l/a/rootfs
lxc.uts.name = "a"
lxc.hook.pre-start = /l/a/hook.sh arg
lxc.hook.start = /usr/share/lxc/hooks/public
lxc.mount.fstab = /l/a/fstab
lxc.mount.entry = /src dst overlay lowerdir=/src,upperdir=/l/a/up,workdir=/l/a/wk,create=dir
lxc.mount.entry = /l/a/data data none bind 0 0
`
	want := `# Template used to create this container: /usr/share/lxc/templates/lxc-busybox
lxc.net.0.type = veth
lxc.net.0.hwaddr = 00:16:3e:11:22:33
lxc.hook.pre-start = /l2/b/hook.sh arg
lxc.hook.start = /usr/share/lxc/hooks/public
lxc.mount.entry = /src dst overlay lowerdir=/src,upperdir=/l2/b/up,workdir=/l2/b/wk,create=dir
lxc.mount.entry = /l/a/data data none bind 0 0
lxc.rootfs.path = overlay:/l/a/rootfs:/l2/b/overlay/delta
lxc.uts.name = b
lxc.mount.fstab = /l2/b/fstab
`
	e := cloneEdit{OldDir: "/l/a", NewDir: "/l2/b", Rootfs: "overlay:/l/a/rootfs:/l2/b/overlay/delta", NewName: "b"}
	got, copies := rewriteCloneConfig(in, e, func() string { return "00:16:3e:11:22:33" })
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if len(copies) != 2 || copies[0] != (fileCopy{"/l/a/hook.sh", "/l2/b/hook.sh"}) || copies[1] != (fileCopy{"/l/a/fstab", "/l2/b/fstab"}) {
		t.Errorf("copies %v", copies)
	}
	// -K -M keep the name and the addresses.
	e.KeepName, e.KeepMAC = true, true
	got, _ = rewriteCloneConfig("lxc.uts.name = a\nlxc.net.0.hwaddr = 00:16:3e:aa:bb:cc\nlxc.rootfs.path = dir:/l/a/rootfs\n", e, randomMAC)
	if want := "lxc.uts.name = a\nlxc.net.0.hwaddr = 00:16:3e:aa:bb:cc\nlxc.rootfs.path = overlay:/l/a/rootfs:/l2/b/overlay/delta\n"; got != want {
		t.Errorf("keep: got\n%s", got)
	}
}

func TestHwaddrKeyAndMAC(t *testing.T) {
	for k, want := range map[string]bool{"lxc.net.0.hwaddr": true, "lxc.net.12.hwaddr": true, "lxc.network.hwaddr": true,
		"lxc.net.0.link": false, "lxc.net.x.hwaddr": false, "lxc.net.hwaddr": false} {
		if isHwaddrKey(k) != want {
			t.Errorf("%s", k)
		}
	}
	if m := randomMAC(); len(m) != 17 || m[:9] != "00:16:3e:" {
		t.Errorf("%q", m)
	}
}
