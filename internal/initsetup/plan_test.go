package initsetup

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/seccomp"
)

func planSteps(t *testing.T, f *Final, supervise bool) []string {
	t.Helper()
	p := &nsexec.Plan{}
	if err := f.Plan(p, supervise); err != nil {
		t.Fatal(err)
	}
	return p.Steps()
}

var testFilter = &seccomp.Filter{Program: &seccomp.Program{Source: "test",
	Filter: []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW}}}}

// TestFinalPlanOrder: Run's order, with the id switch followed by the
// capability restriction and dumpable off, fds >= 3 close-on-exec before
// a late filter, and init's exec last.
func TestFinalPlanOrder(t *testing.T) {
	spec := &config.Spec{UTSName: "h", NoNewPrivs: true,
		Sysctl:  []config.KeyValue{{Key: "net.ipv4.ip_forward", Value: "1"}},
		Prlimit: []config.Rlimit{{Name: "nofile", Soft: 10, Hard: 20}},
		Init:    config.InitSpec{Cwd: "/tmp"}}
	got := planSteps(t, &Final{Spec: spec, Cmd: []string{"/sbin/init"}, SetHostname: true, Seccomp: testFilter}, false)
	want := []string{"hostname", "sysctls", "rlimits", "dropcaps", "cwd", "setids", "caprestrict", "nonewprivs",
		"nodump", "cloexec", "seccomp", "initexec"}
	if !slices.Equal(got, want) {
		t.Errorf("steps %v, want %v", got, want)
	}
}

// TestFinalPlanEarlySeccomp: without no_new_privs, a filter for a non-root
// init (which loses CAP_SYS_ADMIN with its uid) goes in before the ids
// change; root keeping sys_admin loads it last.
func TestFinalPlanEarlySeccomp(t *testing.T) {
	spec := &config.Spec{Init: config.InitSpec{UID: 1000, GID: 1000}}
	got := planSteps(t, &Final{Spec: spec, Cmd: []string{"x"}, Seccomp: testFilter}, true)
	if s, i := slices.Index(got, "seccomp"), slices.Index(got, "setids"); s < 0 || s > i {
		t.Errorf("non-root init: steps %v, want seccomp before setids", got)
	}
	got = planSteps(t, &Final{Spec: &config.Spec{}, Cmd: []string{"x"}, Seccomp: testFilter}, true)
	if s, c := slices.Index(got, "seccomp"), slices.Index(got, "cloexec"); s < c {
		t.Errorf("root init: steps %v, want seccomp after cloexec", got)
	}
	if got[len(got)-1] != "initexec" {
		t.Errorf("steps %v do not end with initexec", got)
	}
}

// TestFinalPlanErrors: an unknown rlimit and a notify policy fail while
// planning, as Run fails on them.
func TestFinalPlanErrors(t *testing.T) {
	p := &nsexec.Plan{}
	err := (&Final{Spec: &config.Spec{Prlimit: []config.Rlimit{{Name: "bogus"}}}, Cmd: []string{"x"}}).Plan(p, false)
	if err == nil || !strings.Contains(err.Error(), "lxc.prlimit.bogus") {
		t.Errorf("unknown rlimit: %v", err)
	}
	notify := &seccomp.Filter{Program: &seccomp.Program{Source: "n", Notify: true, Filter: testFilter.Program.Filter}}
	if err := (&Final{Spec: &config.Spec{}, Cmd: []string{"x"}, Seccomp: notify}).Plan(p, false); err == nil {
		t.Error("a notify policy was planned")
	}
	if err := (&Final{Spec: &config.Spec{}}).Plan(p, false); err == nil {
		t.Error("a plan without a command")
	}
}

func TestUserOwnedInit(t *testing.T) {
	for _, c := range []struct {
		euid     int
		idmapped bool
		want     bool
	}{{0, true, false}, {0, false, false}, {1000, false, false}, {1000, true, true}} {
		if got := userOwnedInit(c.euid, c.idmapped); got != c.want {
			t.Errorf("userOwnedInit(%d, %v) = %v", c.euid, c.idmapped, got)
		}
	}
}
