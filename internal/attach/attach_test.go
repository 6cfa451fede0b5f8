package attach

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/seccomp"
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

// TestPlanOrder: the exec plan's steps and their order, which carry the
// security decisions (seccomp before the ids change without
// no_new_privs, as late as possible with it; nothing above fd 2 crosses
// the exec; the exec last).
func TestPlanOrder(t *testing.T) {
	pol, err := seccomp.CompileText("p", []byte("2\ndenylist\nmkdir errno 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	filter := &seccomp.Filter{Program: pol}
	cases := []struct {
		name string
		s    stageSpec
		want string
	}{
		{"plain", stageSpec{Personality: -1, CTTY: -1}, "ident stdio setids nodump cloexec exec"},
		{"everything", stageSpec{Personality: 8, Cwd: "/root", CTTY: 0, DropCaps: true, Remount: true, Seccomp: filter},
			"ident stdio remount personality chdir setctty dropcaps seccomp setids nodump cloexec exec"},
		{"no_new_privs", stageSpec{Personality: -1, CTTY: -1, NoNewPrivs: true, Seccomp: filter},
			"ident stdio setids nodump nonewprivs cloexec seccomp exec"},
	}
	for _, c := range cases {
		p, err := c.s.plan()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := strings.Join(p.Steps(), " "); got != c.want {
			t.Errorf("%s: steps %q, want %q", c.name, got, c.want)
		}
	}
	notify := &seccomp.Filter{Program: &seccomp.Program{Source: "n", Notify: true, Filter: pol.Filter}}
	if _, err := (&stageSpec{Seccomp: notify}).plan(); err == nil {
		t.Error("a notify policy was accepted for attach")
	}
}
