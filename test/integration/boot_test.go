package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// bootFiles installs golxc's boot integration (scripts/install-boot.sh,
// both kinds) into a temporary tree pointing at the test's golxc; it
// returns the tree's root.
func bootFiles(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	cmd := exec.Command("../../scripts/install-boot.sh")
	cmd.Env = append(os.Environ(), "DESTDIR=", "BOOT=all", "BINDIR="+binDir,
		"LIBEXECDIR="+filepath.Join(root, "libexec"), "SYSTEMDDIR="+filepath.Join(root, "units"),
		"INITDIR="+filepath.Join(root, "init.d"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("install-boot.sh: %v\n%s", err, out)
	}
	return root
}

// unitCommand returns the argv of a unit's KEY= line (ExecStart, ExecStop).
func unitCommand(t *testing.T, unit, key string) []string {
	t.Helper()
	data, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			return strings.Fields(v)
		}
	}
	t.Fatalf("%s has no %s", unit, key)
	return nil
}

// TestBootUnitsVerify: systemd accepts the units, their commands exist and
// their Documentation= pages are golxc's generated ones.
func TestBootUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	root := bootFiles(t)
	man := filepath.Join(root, "man")
	if r := runPath(t, nil, filepath.Join(binDir, "golxc"), "man", man); r.code != 0 {
		t.Fatalf("golxc man: %s", r)
	}
	cmd := exec.Command(analyze, "verify", filepath.Join(root, "units", "lxc-net.service"), filepath.Join(root, "units", "lxc.service"))
	cmd.Env = append(os.Environ(), "MANPATH="+man)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The init scripts are valid sh.
	for _, s := range []string{"init.d/lxc", "init.d/lxc-net", "libexec/golxc-containers"} {
		if out, err := exec.Command("sh", "-n", filepath.Join(root, s)).CombinedOutput(); err != nil {
			t.Errorf("sh -n %s: %v\n%s", s, err, out)
		}
	}
}

// TestBootAutostart runs lxc.service's ExecStart and ExecStop, then the
// init script's start and stop: the lxc.start.auto containers (the
// onboot group and those without a group, BOOTGROUPS' default) start and
// stop again; others are left alone. OPTIONS/STOPOPTS in the defaults
// file point lxc-autostart at the test's lxcpath, as an admin would.
func TestBootAutostart(t *testing.T) {
	needRoot(t)
	root := bootFiles(t)
	lp := lxcpath(t)
	busybox(t, lp, "eco-boot1", "lxc.start.auto = 1")
	busybox(t, lp, "eco-boot2", "lxc.start.auto = 1", "lxc.group = onboot")
	busybox(t, lp, "eco-boot3", "lxc.start.auto = 1", "lxc.group = later")
	busybox(t, lp, "eco-boot4")
	defaults := filepath.Join(root, "default-lxc")
	if err := os.WriteFile(defaults, []byte("OPTIONS=\"-P "+lp+"\"\nSTOPOPTS=\"-a -A -s -P "+lp+"\"\nSHUTDOWNDELAY=2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"GOLXC_BOOT_DEFAULTS=" + defaults}
	unit := filepath.Join(root, "units", "lxc.service")
	check := func(when string, want map[string]string) {
		t.Helper()
		for n, s := range want {
			if got := state(t, lp, n); got != s {
				t.Errorf("%s: %s is %s, want %s", when, n, got, s)
			}
		}
	}
	for _, how := range []struct {
		what        string
		start, stop []string
	}{
		{"lxc.service", unitCommand(t, unit, "ExecStart"), unitCommand(t, unit, "ExecStop")},
		{"/etc/init.d/lxc", []string{filepath.Join(root, "init.d", "lxc"), "start"}, []string{filepath.Join(root, "init.d", "lxc"), "stop"}},
	} {
		if r := runPath(t, env, how.start[0], how.start[1:]...); r.code != 0 {
			t.Fatalf("%s start (%s): %s", how.what, strings.Join(how.start, " "), r)
		}
		check(how.what+" start", map[string]string{"eco-boot1": "RUNNING", "eco-boot2": "RUNNING", "eco-boot3": "STOPPED", "eco-boot4": "STOPPED"})
		if r := runPath(t, env, how.stop[0], how.stop[1:]...); r.code != 0 {
			t.Fatalf("%s stop (%s): %s", how.what, strings.Join(how.stop, " "), r)
		}
		check(how.what+" stop", map[string]string{"eco-boot1": "STOPPED", "eco-boot2": "STOPPED"})
	}
	// LXC_AUTO=false: nothing starts at boot.
	if err := os.WriteFile(defaults, []byte("LXC_AUTO=false\nOPTIONS=\"-P "+lp+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := unitCommand(t, unit, "ExecStart")
	if r := runPath(t, env, start[0], start[1:]...); r.code != 0 {
		t.Fatalf("start with LXC_AUTO=false: %s", r)
	}
	check("LXC_AUTO=false", map[string]string{"eco-boot1": "STOPPED", "eco-boot2": "STOPPED"})
}

// TestBootLxcNetUnit runs lxc-net.service's ExecStart and ExecStop in a
// new network and mount namespace (private /run/lxc and lease directory),
// so the host's lxcbr0 and dnsmasq are not touched: start brings up the
// configured bridge, stop removes it.
func TestBootLxcNetUnit(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare not installed")
	}
	if _, err := exec.LookPath("dnsmasq"); err != nil {
		t.Skip("dnsmasq not installed")
	}
	root := bootFiles(t)
	unit := filepath.Join(root, "units", "lxc-net.service")
	start := strings.Join(unitCommand(t, unit, "ExecStart"), " ")
	stop := strings.Join(unitCommand(t, unit, "ExecStop"), " ")
	conf := filepath.Join(root, "lxc-net")
	// sysfs again, for the new namespace's interfaces (lxc-net looks at
	// the bridge's ports there); defaults of lxc-net except its switch.
	script := `set -e
mount -t sysfs sysfs /sys
mount -t tmpfs none /run/lxc 2>/dev/null || { mkdir -p /run/lxc; mount -t tmpfs none /run/lxc; }
mount -t tmpfs none /var/lib/misc
echo USE_LXC_BRIDGE=true > ` + conf + `
mount --bind ` + conf + ` /etc/default/lxc-net
ip link set lo up
` + start + `
ip -o link show lxcbr0 >/dev/null && echo BRIDGE-UP
` + stop + `
if ip -o link show lxcbr0 >/dev/null 2>&1; then echo BRIDGE-LEFT; else echo BRIDGE-GONE; fi
`
	out, err := exec.Command("unshare", "--net", "--mount", "sh", "-c", script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "BRIDGE-UP") || !strings.Contains(string(out), "BRIDGE-GONE") {
		t.Fatalf("lxc-net.service start/stop in a new netns: %v\n%s", err, out)
	}
}
