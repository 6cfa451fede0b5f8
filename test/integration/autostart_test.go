package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// autostartDefs defines containers (config only) covering lxc.start.auto,
// lxc.start.order, lxc.start.delay and lxc.group with several groups.
func autostartDefs(t *testing.T, lp string) {
	t.Helper()
	base := []string{"lxc.uts.name = x", "lxc.net.0.type = empty"}
	defs := map[string][]string{
		"as-a":   {"lxc.start.auto = 1", "lxc.start.order = 2", "lxc.start.delay = 3"},
		"as-b":   {"lxc.start.auto = 1", "lxc.start.order = 1", "lxc.group = web"},
		"as-c":   {"lxc.start.auto = 0", "lxc.group = web"},
		"as-d":   {"lxc.start.auto = 1", "lxc.start.order = 1", "lxc.group = db", "lxc.group = web"},
		"as-e":   {"lxc.start.auto = 1", "lxc.start.order = -1", "lxc.group = db", "lxc.start.delay = 7"},
		"as-f":   {"lxc.group = webserver"},
		"as-g10": {"lxc.start.auto = 1"},
	}
	for n, l := range defs {
		writeConfig(t, lp, n, append(append([]string{}, base...), l...)...)
	}
}

// TestAutostartListMatchesLXC: lxc-autostart -L selects, orders and
// prints exactly as LXC 5.0.2 for groups, the NULL group, -a, -A, -s and
// -k, duplicates and group-name prefixes; exit codes too.
func TestAutostartListMatchesLXC(t *testing.T) {
	needRoot(t)
	lxcAS := lxcTool(t, "lxc-autostart")
	lp := lxcpath(t)
	autostartDefs(t, lp)
	for _, args := range [][]string{
		{"-L"}, {"-L", "-a"}, {"-L", "-A"}, {"-L", "-A", "-a"}, {"-L", "-g", "web"}, {"-L", "-g", "db,web"},
		{"-L", "-g", "web", "-g", "db"}, {"-L", "-g", ",web"}, {"-L", "-g", "web,"}, {"-L", "-g", "webserver"},
		{"-L", "-g", "web,webserver", "-A"}, {"-L", "-r", "-a"}, {"-L", "-s", "-a"}, {"-L", "-k", "-g", "db"},
		{"-L", "-a", "-g", "db"}, {"-L", "-g", "nosuch"},
	} {
		full := append([]string{"-P", lp}, args...)
		got := run(t, nil, "lxc-autostart", full...)
		want := runPath(t, nil, lxcAS, full...)
		if got.code != want.code || got.stdout != want.stdout {
			t.Errorf("lxc-autostart %s:\ngolxc %s\nLXC   %s", strings.Join(args, " "), got, want)
		}
	}
	empty := t.TempDir()
	dropLockDirs(t, empty)
	for _, p := range []string{empty, filepath.Join(empty, "nosuch")} {
		got := run(t, nil, "lxc-autostart", "-P", p, "-L")
		want := runPath(t, nil, lxcAS, "-P", p, "-L")
		if got.code != want.code || got.stdout != want.stdout || got.code != 1 {
			t.Errorf("no containers in %s: golxc %s\nLXC %s", p, got, want)
		}
	}
	if r := run(t, nil, "lxc-autostart", "-P", lp, "-t", "abc"); r.code != 1 || !strings.Contains(r.stderr, "could not parse command line") {
		t.Errorf("-t abc: %s", r)
	}
}

// TestAutostartStartsAndStops: lxc-autostart starts the auto containers of
// the selected group in lxc.start.order, waits each one's delay, and -s / -k
// stop them in reverse order; containers outside the selection are left
// alone.
func TestAutostartStartsAndStops(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "ast-one", "lxc.start.auto = 1", "lxc.group = astg", "lxc.start.order = 2")
	busybox(t, lp, "ast-two", "lxc.start.auto = 1", "lxc.group = astg", "lxc.start.order = 1", "lxc.start.delay = 1")
	busybox(t, lp, "ast-off", "lxc.group = astg")
	if r := run(t, nil, "lxc-autostart", "-P", lp, "-L", "-g", "astg"); r.code != 0 || r.stdout != "ast-two 1\nast-one 0\n" {
		t.Fatalf("-L -g astg: %s", r)
	}
	t0 := time.Now()
	mustRun(t, "lxc-autostart", "-P", lp, "-g", "astg")
	if d := time.Since(t0); d < time.Second {
		t.Errorf("lxc-autostart returned after %v: ast-two's lxc.start.delay of 1 s was not waited", d)
	}
	for n, want := range map[string]string{"ast-one": "RUNNING", "ast-two": "RUNNING", "ast-off": "STOPPED"} {
		if s := state(t, lp, n); s != want {
			t.Errorf("%s: %s after lxc-autostart, want %s", n, s, want)
		}
	}
	if r := run(t, nil, "lxc-autostart", "-P", lp, "-L", "-g", "astg"); r.code != 0 || r.stdout != "" {
		t.Errorf("-L with both running lists what it would start: %s", r)
	}
	if r := run(t, nil, "lxc-autostart", "-P", lp, "-L", "-s", "-g", "astg"); r.code != 0 || r.stdout != "ast-one\nast-two\n" {
		t.Errorf("-L -s: %s", r)
	}
	// -s asks init to halt and kills what still runs after -t, as LXC's.
	mustRun(t, "lxc-autostart", "-P", lp, "-s", "-t", "1", "-g", "astg")
	for _, n := range []string{"ast-one", "ast-two"} {
		if s := state(t, lp, n); s != "STOPPED" {
			t.Errorf("%s: %s after lxc-autostart -s", n, s)
		}
		assertClean(t, lp, n)
	}
	mustRun(t, "lxc-autostart", "-P", lp, "-a")
	mustRun(t, "lxc-autostart", "-P", lp, "-k", "-a")
	for _, n := range []string{"ast-one", "ast-two"} {
		if s := state(t, lp, n); s != "STOPPED" {
			t.Errorf("%s: %s after lxc-autostart -k -a", n, s)
		}
	}
}

// TestLXCAutostartScript runs LXC's own lxc-test-autostart (Debian's
// lxc-tests) with golxc's tools first on PATH: create, -L with groups and
// delay, start, reboot (-r), shutdown (-s -t), kill (-k), destroy.
func TestLXCAutostartScript(t *testing.T) {
	needRoot(t)
	script := lxcTool(t, "lxc-test-autostart")
	if _, err := os.Stat("/var/lib/lxc/lxc-test-auto"); err == nil {
		t.Skip("/var/lib/lxc/lxc-test-auto exists: not ours to replace")
	}
	t.Cleanup(func() {
		run(t, nil, "lxc-stop", "-n", "lxc-test-auto", "-k")
		run(t, nil, "lxc-destroy", "-n", "lxc-test-auto", "-f")
	})
	env := append(os.Environ(), "PATH="+binDir+":"+os.Getenv("PATH"))
	cmd := exec.Command(script)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("lxc-test-autostart: %v\n%s", err, out)
	}
}
