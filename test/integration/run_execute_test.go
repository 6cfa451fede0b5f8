package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestExecuteExitCodes: the command's status passes through lxc-execute.
func TestExecuteExitCodes(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "exec1"
	busybox(t, lp, name)
	for _, c := range []struct {
		cmd  string
		code int
	}{{"exit 0", 0}, {"exit 1", 1}, {"exit 42", 42}} {
		r := run(t, nil, "lxc-execute", "-P", lp, "-n", name, "--", "/bin/sh", "-c", c.cmd)
		expect(t, r, c.code, "", "")
	}
	// A signal death reads as 128+N to the calling shell.
	sh := "'" + filepath.Join(binDir, "lxc-execute") + "' -P " + lp + " -n " + name + ` -- /bin/sh -c 'kill -9 $$'; echo "status $?"`
	expect(t, runPath(t, nil, "/bin/sh", "-c", sh), 0, "status 137\n", "")
	// A command that cannot be executed: 255, as LXC.
	r := run(t, nil, "lxc-execute", "-P", lp, "-n", name, "--", "/no/such/command")
	if r.code != 255 || r.stdout != "" || strings.Count(r.stderr, "\n") > 1 {
		t.Fatalf("exec failure: %s", r)
	}
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "STOPPED\n", "")
	assertClean(t, lp, name)
}

// TestExecuteInit: PID 1 is lxc-execute's init, not the command; the
// environment is LXC's; -u/-g set the ids; stdout passes through.
func TestExecuteInit(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "exec2"
	busybox(t, lp, name, "lxc.environment = FOO=bar baz")
	r := run(t, nil, "lxc-execute", "-P", lp, "-n", name, "--", "/bin/sh", "-c",
		`echo "pid $$"; echo "init $(cat /proc/1/cmdline)"; echo "host $(hostname)"; echo "comm $(cat /proc/1/comm)"; env | sort`)
	if r.code != 0 {
		t.Fatal(r)
	}
	lines := strings.Split(r.stdout, "\n")
	pid, _ := strconv.Atoi(strings.TrimPrefix(lines[0], "pid "))
	if pid <= 1 {
		t.Errorf("the command must not be PID 1: %q", lines[0])
	}
	if lines[1] == "init /bin/sh" || !strings.HasPrefix(lines[1], "init ") || lines[1] == "init " {
		t.Errorf("PID 1 must be lxc-execute's init: %q", lines[1])
	}
	if lines[2] != "host "+name {
		t.Errorf("hostname: %q", lines[2])
	}
	if lines[3] != "comm init" {
		t.Errorf("ps name of PID 1: %q, want init", lines[3])
	}
	for _, want := range []string{"container=lxc", "FOO=bar baz", "PATH=/sbin:/usr/sbin:/bin:/usr/bin"} {
		if !strings.Contains(r.stdout, "\n"+want+"\n") {
			t.Errorf("environment lacks %q:\n%s", want, r.stdout)
		}
	}
	expect(t, run(t, nil, "lxc-execute", "-P", lp, "-n", name, "-u", "1234", "-g", "4321", "--", "/bin/sh", "-c", "echo $(id -u) $(id -g)"),
		0, "1234 4321\n", "")
	assertClean(t, lp, name)
}

// TestExecuteSeed000 runs the seed's legacy line verbatim (lxc.rootfs = /,
// lxc.aa_profile): the file is created on the host.
func TestExecuteSeed000(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "test.conf")
	os.WriteFile(conf, []byte("lxc.aa_profile = unconfined\nlxc.rootfs = /\n"), 0o644)
	target := filepath.Join(dir, "aa")
	r := run(t, nil, "lxc-execute", "-P", lp, "-f", conf, "-n", "app-container-1", "touch", target)
	if r.code != 0 || r.stdout != "" {
		t.Fatal(r)
	}
	// The legacy keys are accepted with one warning each.
	if strings.Count(r.stderr, "is an LXC 1.x key") != 2 || strings.Count(r.stderr, "\n") != 2 {
		t.Errorf("want one warning per legacy key:\n%s", r.stderr)
	}
	if _, err := os.Stat(target); err != nil {
		t.Fatalf("the command did not run on the host's root: %v", err)
	}
	assertClean(t, lp, "app-container-1")
	if _, err := os.Stat(filepath.Join(lp, "app-container-1")); !os.IsNotExist(err) {
		t.Errorf("a volatile lxc-execute left %s", filepath.Join(lp, "app-container-1"))
	}
}

func TestExecuteErrors(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	expect(t, run(t, nil, "lxc-execute", "-P", lp, "-n", "noconf", "--", "/bin/true"), 1, "",
		"lxc-execute: Executing a container with no configuration file may crash the host\n")
	writeConfig(t, lp, "nocmd", "lxc.rootfs.path = /")
	expect(t, run(t, nil, "lxc-execute", "-P", lp, "-n", "nocmd"), 1, "", "lxc-execute: Missing command to execute!\n")
}
