package attach

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestBuildEnv(t *testing.T) {
	caller := []string{"HOME=/root", "PATH=/host/bin", "KEEP=1", "TERM=xterm"}
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"keep", Options{}, "HOME=/root PATH=/host/bin KEEP=1 TERM=xterm container=lxc"},
		{"clear", Options{EnvPolicy: ClearEnv}, "PATH=" + DefaultPath + " container=lxc"},
		{"clear-keep", Options{EnvPolicy: ClearEnv, KeepVars: []string{"KEEP", "PATH", "NOPE"}}, "KEEP=1 PATH=/host/bin container=lxc"},
		{"set", Options{EnvPolicy: ClearEnv, ExtraEnv: []string{"DISPLAY=:0", "container=x"}}, "PATH=" + DefaultPath + " container=x DISPLAY=:0"},
		{"config-then-set", Options{ConfigEnv: []string{"FOO=conf"}, ExtraEnv: []string{"FOO=cli"}, EnvPolicy: ClearEnv}, "PATH=" + DefaultPath + " container=lxc FOO=cli"},
		{"unset", Options{ExtraEnv: []string{"TERM"}}, "HOME=/root PATH=/host/bin KEEP=1 container=lxc"},
	}
	for _, c := range cases {
		if got := strings.Join(buildEnv(&c.o, caller), " "); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	if ns, err := ParseNamespaces("NETWORK|UTSNAME"); err != nil || ns != unix.CLONE_NEWNET|unix.CLONE_NEWUTS {
		t.Errorf("ParseNamespaces: %#x %v", ns, err)
	}
	if ns, err := ParseNamespaces("mnt|pid"); err != nil || ns != unix.CLONE_NEWNS|unix.CLONE_NEWPID {
		t.Errorf("ParseNamespaces /proc names: %#x %v", ns, err)
	}
	for _, bad := range []string{"", "FOO", "NETWORK|", "network"} {
		if _, err := ParseNamespaces(bad); err == nil {
			t.Errorf("ParseNamespaces(%q) accepted", bad)
		}
	}
	if p, _ := ParsePrivileges(""); p != KeepAll {
		t.Errorf("-e alone: %v", p)
	}
	if p, _ := ParsePrivileges("CAP|CGROUP"); p != KeepCaps|KeepCgroup {
		t.Errorf("-eCAP|CGROUP: %v", p)
	}
	if _, err := ParsePrivileges("cap"); err == nil {
		t.Error("lowercase privilege accepted")
	}
	if p, _ := ParseArch("i686"); p != PerLinux32 {
		t.Errorf("i686: %#x", p)
	}
	if p, _ := ParseArch("amd64"); p != PerLinux {
		t.Errorf("amd64: %#x", p)
	}
	if _, err := ParseArch("z80"); err == nil || err.Error() != "Invalid architecture specified: z80" {
		t.Errorf("z80: %v", err)
	}
}

func TestShellFor(t *testing.T) {
	pw := "root:x:0:0:root:/root:/bin/ash\nbad line\nu:x:1000:1000::/home/u:\nz:x:7:7::/:/bin/zsh\n"
	for uid, want := range map[int]string{0: "/bin/ash", 7: "/bin/zsh", 1000: fallbackShell, 42: fallbackShell} {
		if got := shellFor(strings.NewReader(pw), uid); got != want {
			t.Errorf("uid %d: %q, want %q", uid, got, want)
		}
	}
}

func TestLookPath(t *testing.T) {
	if p, err := lookPath("sh", "/nonexistent:/bin"); err != nil || p != "/bin/sh" {
		t.Errorf("sh: %q %v", p, err)
	}
	if _, err := lookPath("golxc-no-such-cmd", "/bin"); err != unix.ENOENT {
		t.Errorf("missing: %v", err)
	}
	if p, _ := lookPath("./x", ""); p != "./x" {
		t.Errorf("slash: %q", p)
	}
	if got := errText(unix.ENOENT); got != "No such file or directory" {
		t.Errorf("errText: %q", got)
	}
}
