package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// lxcLogLine is one line of LXC's log file for TOOL and container NAME:
// "TOOL NAME 20261205090000.123 LEVEL    category - file:func:line - message".
func lxcLogLine(tool, name string) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(tool+" "+name) +
		` \d{14}\.\d{3} (TRACE   |DEBUG   |INFO    |NOTICE  |WARN    |ERROR   ) [a-z0-9_]+ - [a-z0-9_]+\.(go|c):[A-Za-z0-9_.]+:\d+ - .+$`)
}

// readLog returns the lines of a log file, failing on any line that is not
// in LXC's format for tool and name.
func readLog(t *testing.T, p, tool, name string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%s log: %v", tool, err)
	}
	text := strings.TrimRight(string(b), "\n")
	if text == "" {
		t.Fatalf("%s wrote nothing to %s", tool, p)
	}
	re := lxcLogLine(tool, name)
	for _, l := range strings.Split(text, "\n") {
		if !re.MatchString(l) {
			t.Errorf("%s: not LXC's log line format: %q", p, l)
		}
	}
	return text
}

// narrates checks that the log has a line matching each step's pattern.
func narrates(t *testing.T, what, text string, steps ...string) {
	t.Helper()
	for _, s := range steps {
		if !regexp.MustCompile(`(?m)` + s).MatchString(text) {
			t.Errorf("%s log does not narrate %q", what, s)
		}
	}
}

// holdsFile reports whether process pid has path open.
func holdsFile(pid int, path string) bool {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && l == path {
			return true
		}
	}
	return false
}

// TestLogsNarrateLifecycle: with -l TRACE -o FILE every tool of a
// container's life writes its steps in LXC's format, the monitor and the
// in-container setup stage included (seed 003's troubleshooting post
// relies on these logs), and the container never holds the log file.
func TestLogsNarrateLifecycle(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "logs-n1"
	dir := t.TempDir()
	logs := func(tool string) string { return filepath.Join(dir, tool+"-narrate.log") }
	br := netBridge(t, "")
	policy := filepath.Join(dir, "seccomp.policy")
	if err := os.WriteFile(policy, []byte("2\ndenylist\nkexec_load errno 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	r := run(t, nil, "lxc-create", "-P", lp, "-n", name, "-t", "busybox", "-l", "TRACE", "-o", logs("create"))
	if r.code != 0 {
		t.Fatalf("lxc-create: %s", r)
	}
	t.Cleanup(func() {
		run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k")
		killMonitors(t, lp, name)
		os.RemoveAll(filepath.Join("/run/lxc/lock", lp))
	})
	narrates(t, "lxc-create", readLog(t, logs("create"), "lxc-create", name),
		`Template "busybox" resolved to`, `Created "partial" to mark`, `Running template .*lxc-busybox for "logs-n1"`,
		`Saved config file ".*/logs-n1/config"`, `Created container logs-n1`)

	appendConfig(t, filepath.Join(lp, name, "config"),
		"lxc.net.0.type = veth", "lxc.net.0.link = "+br, "lxc.net.0.flags = up",
		"lxc.net.0.ipv4.address = 192.0.2.77/24",
		"lxc.seccomp.profile = "+policy,
		`lxc.hook.pre-start = /bin/sh -c "echo pre-start-marker"`,
		// Runs inside the container, from the setup stage: its output
		// shows which descriptors a container process could inherit.
		`lxc.hook.start = /bin/sh -c "echo start-hook-fds; ls -l /proc/self/fd/"`)

	startLog := logs("start")
	mustRun(t, "lxc-start", "-P", lp, "-n", name, "-l", "TRACE", "-o", startLog)
	mustRun(t, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "10")

	// The monitor writes the file; the container's init must not hold it.
	mons := monitors(lp, name)
	if len(mons) != 1 || !holdsFile(mons[0], startLog) {
		t.Fatalf("monitor %v does not hold %s: the fd check below would prove nothing", mons, startLog)
	}
	pid := initPid(t, lp, name)
	if holdsFile(pid, startLog) {
		t.Errorf("the container's init (pid %d) holds the log file %s", pid, startLog)
	}

	attachLog := logs("attach")
	r = mustRun(t, "lxc-attach", "-P", lp, "-n", name, "-l", "TRACE", "-o", attachLog, "--", "ls", "-l", "/proc/1/fd/")
	if strings.Contains(r.stdout, "narrate.log") {
		t.Errorf("the container's init holds a log file:\n%s", r.stdout)
	}
	narrates(t, "lxc-attach", readLog(t, attachLog, "lxc-attach", name),
		`Command "get_init_pid" received response`, `Attaching to mnt namespace`,
		`Moved process \d+ into cgroup \S+/lxc\.payload\.logs-n1`,
		// From the attach stage, inside the container:
		`Dropped sys_module \(16\) capability`, `Switched to uid 0`, `Exec'ing "/bin/ls"`)

	stopLog := logs("stop")
	mustRun(t, "lxc-stop", "-P", lp, "-n", name, "-k", "-l", "DEBUG", "-o", stopLog)
	narrates(t, "lxc-stop", readLog(t, stopLog, "lxc-stop", name),
		`Command "get_state" received response`, `kill its init`, `Container "logs-n1" has stopped`)
	assertClean(t, lp, name)

	start := readLog(t, startLog, "lxc-start", name)
	narrates(t, "lxc-start", start,
		// monitor: config, cgroups, hooks, namespaces, network
		`Loaded configuration file ".*/logs-n1/config"`,
		`Created payload cgroup \S+/lxc\.payload\.logs-n1$`,
		`Executing script .*pre-start-marker.* config section "pre-start"`, `produced output: pre-start-marker`,
		`Cloned CLONE_NEWNS$`, `Cloned CLONE_NEWNET$`,
		`instantiated veth tunnel "veth\w+ <--> veth\w+"`, `attached "veth\w+" to bridge "`+br+`"`,
		`created veth pair "veth\w+" and "veth\w+", "veth\w+" directly in the container's network namespace`, `added address 192\.0\.2\.77/24 to "eth0"`,
		`Allocated console`, `Finished creating 5 tty devices`,
		// setup stage, inside the new namespaces
		`Mounted rootfs ".*/logs-n1/rootfs"`, `Mounted automount "proc" on "/proc"`,
		`Mounted "/lib" on "/lib" with filesystem type "none"`, `Created device node "null"`,
		`Changed into new rootfs`, `config section "start"`, `produced output: start-hook-fds total 0 `,
		`Dropped sys_module \(16\) capability`, `Capabilities have been setup`,
		`Parsed seccomp policy .*seccomp\.policy: version 2, 1 rules`, `Loaded seccomp policy .*seccomp\.policy`,
		`Exec'ing "/sbin/init"`,
		// monitor again: running, stop, teardown
		`Started \["/sbin/init"\] with pid \d+`, `Set container state to "RUNNING"`,
		`sent signal 9 to init \d+ \(stop command\)`, `Container init process \d+ was killed by signal 9`,
		`released network device "veth\w+"`, `Removed cgroup tree \S+/lxc\.payload\.logs-n1$`,
		`Set container state to "STOPPED"`)
	for _, l := range strings.Split(start, "\n") {
		if strings.Contains(l, "start-hook-fds") && strings.Contains(l, "narrate.log") {
			t.Errorf("a start hook inside the container inherited the log file: %s", l)
		}
	}
	t.Logf("lxc-start -l TRACE wrote %d lines for start+stop", strings.Count(start, "\n")+1)

	destroyLog := logs("destroy")
	mustRun(t, "lxc-destroy", "-P", lp, "-n", name, "-l", "TRACE", "-o", destroyLog)
	narrates(t, "lxc-destroy", readLog(t, destroyLog, "lxc-destroy", name),
		`Destroying container "logs-n1"`, `Destroyed directory ".*/logs-n1" for "logs-n1"`)
}

// TestLogsConfigFileAndLevels: lxc.log.file and lxc.log.level reach the
// monitor, the setup stage, lxc-attach (and its stage), lxc-stop and
// lxc-destroy when -o is not given, as with LXC's tools; -l WARNING is
// accepted as LXC accepts any name (the level stays ERROR).
func TestLogsConfigFileAndLevels(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "logs-c1"
	cfgLog := filepath.Join(t.TempDir(), "config-narrate.log")
	busybox(t, lp, name, "lxc.log.file = "+cfgLog, "lxc.log.level = TRACE")

	// lxc.log.level wins over -l when -o is not given, as in LXC.
	startRunning(t, lp, name, "-l", "ERROR")
	mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "true")
	killStop(t, lp, name)
	assertClean(t, lp, name)
	b, err := os.ReadFile(cfgLog)
	if err != nil {
		t.Fatal(err)
	}
	byTool := map[string][]string{}
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		tool, _, _ := strings.Cut(l, " ")
		if !lxcLogLine(tool, name).MatchString(l) {
			t.Errorf("not LXC's log line format: %q", l)
		}
		byTool[tool] = append(byTool[tool], l)
	}
	text := func(tool string) string { return strings.Join(byTool[tool], "\n") }
	narrates(t, "lxc.log.file (lxc-start)", text("lxc-start"),
		`Created payload cgroup`, `Changed into new rootfs`, `Exec'ing "/sbin/init"`, `Set container state to "STOPPED"`)
	narrates(t, "lxc.log.file (lxc-attach)", text("lxc-attach"), `Attaching to mnt namespace`, `Exec'ing "/bin/true"`)
	narrates(t, "lxc.log.file (lxc-stop)", text("lxc-stop"), `Container "logs-c1" has stopped`)

	for _, lvl := range []string{"WARNING", "warn", "4"} {
		f := filepath.Join(t.TempDir(), "w.log")
		expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-l", lvl, "-o", f), 0, "State:          STOPPED\n", "")
	}
	f := filepath.Join(t.TempDir(), "w.log")
	r := run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-l", "WARNING", "-o", f)
	if r.code != 2 {
		t.Fatalf("lxc-stop -l WARNING on a stopped container: %s", r)
	}
	// WARNING is not a level name: ERROR lines only, as LXC.
	if text := readLog(t, f, "lxc-stop", name); strings.Contains(text, " DEBUG ") || !strings.Contains(text, " ERROR ") {
		t.Errorf("-l WARNING:\n%s", text)
	}

	mustRun(t, "lxc-destroy", "-P", lp, "-n", name)
	b, _ = os.ReadFile(cfgLog)
	narrates(t, "lxc.log.file (lxc-destroy)", string(b), `^lxc-destroy logs-c1 .* Destroyed directory ".*/logs-c1"`)
}

// TestLogsNarrateTemplateTTYsAndFreezer: the steps beside the plain
// lifecycle are narrated too: an external template's namespaces and
// process, the golxc binary the stages run from, the ttys the setup stage
// allocates on the container's devpts and hands to the monitor, freeze,
// thaw, and the thaw loop that makes a kill land on a frozen container.
func TestLogsNarrateTemplateTTYsAndFreezer(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	dir := t.TempDir()
	logs := func(tool string) string { return filepath.Join(dir, tool+"-narrate.log") }

	tmpl := filepath.Join(dir, "lxc-logs")
	if err := os.WriteFile(tmpl, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "lxc-create", "-P", lp, "-n", "logs-t2", "-t", tmpl, "-l", "TRACE", "-o", logs("create"))
	narrates(t, "lxc-create", readLog(t, logs("create"), "lxc-create", "logs-t2"),
		`Running template .*lxc-logs \["--path=`, `The template runs in new mount and PID namespaces, killed with lxc-create`,
		`Template process \d+ started`, `Template process \d+ exited: exit status 0`, `Template .*lxc-logs finished`)
	mustRun(t, "lxc-destroy", "-P", lp, "-n", "logs-t2")

	name := "logs-t1"
	busybox(t, lp, name, "lxc.tty.max = 2")
	startLog := logs("start")
	startRunning(t, lp, name, "-l", "TRACE", "-o", startLog)
	mustRun(t, "lxc-freeze", "-P", lp, "-n", name)
	mustRun(t, "lxc-unfreeze", "-P", lp, "-n", name)
	mustRun(t, "lxc-freeze", "-P", lp, "-n", name)
	killStop(t, lp, name)
	assertClean(t, lp, name)
	narrates(t, "lxc-start", readLog(t, startLog, "lxc-start", name),
		`Using this golxc's own image \(/proc/self/exe\) for the monitor and stages`,
		`Running the stage from a (read-only overlay|sealed memfd copy) of `,
		`Created tty 1 as pts/0 on the container's devpts`, `Created tty 2 as pts/1 on the container's devpts`,
		`Finished creating 2 tty devices`, `Finished setting up 2 /dev/tty<N> device\(s\)`,
		`Sent 2 tty master\(s\) to the monitor`, `Received 2 tty master\(s\) from init`,
		`Freezing the cgroups of "logs-t1"`, `Set container state to "FROZEN"`, `Thawing the cgroups of "logs-t1"`,
		`Thawing the container's cgroups until init \d+ exits`, `Init \d+ exited: stopped thawing`)
}
