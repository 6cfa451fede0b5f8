package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConsoleLog: what init writes on the console lands in
// lxc.console.logfile, or in lxc-start -L's file.
func TestConsoleLog(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "conlog1"
	dir := t.TempDir()
	cfgLog := filepath.Join(dir, "config-console.log")
	busybox(t, lp, name, "lxc.console.logfile = "+cfgLog,
		`lxc.init.cmd = /bin/sh -c "echo console says hello; hostname; exec sleep 1000"`)
	startRunning(t, lp, name)
	eventually(t, "console output in "+cfgLog, func() bool {
		b, _ := os.ReadFile(cfgLog)
		return strings.Contains(string(b), "console says hello") && strings.Contains(string(b), name)
	})
	if st, err := os.Stat(cfgLog); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("console log mode: %v %v", st.Mode(), err)
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)

	cliLog := filepath.Join(dir, "cli-console.log")
	startRunning(t, lp, name, "-L", cliLog)
	eventually(t, "console output in "+cliLog, func() bool {
		b, _ := os.ReadFile(cliLog)
		return strings.Contains(string(b), "console says hello")
	})
	killStop(t, lp, name)
	assertClean(t, lp, name)
}

// logLine is LXC's log file format (lxc-stop without -o writes to
// lxc.log.file too, as LXC's does):
// "lxc-start NAME 20240101120000.123 LEVEL    category - file:func:line - message".
var logLine = regexp.MustCompile(`^lxc-(?:start|stop) (\S+) \d{14}\.\d{3} (TRACE|DEBUG|INFO|NOTICE|WARN|ERROR|CRIT|ALERT|FATAL) +\S+ - \S+:\S+:\d+ - .+$`)

func logLines(t *testing.T, p string) []string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("log file: %v", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for _, l := range lines {
		if m := logLine.FindStringSubmatch(l); m == nil {
			t.Errorf("not LXC's log line format: %q", l)
		}
	}
	return lines
}

// TestLogFileAndLevel: lxc.log.file/lxc.log.level are used; -o/-l on the
// command line win over them.
func TestLogFileAndLevel(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "log1"
	dir := t.TempDir()
	cfgLog := filepath.Join(dir, "config.log")
	busybox(t, lp, name, "lxc.log.file = "+cfgLog, "lxc.log.level = INFO",
		`lxc.hook.start-host = /bin/sh -c "echo hook-output-marker"`)
	startRunning(t, lp, name)
	killStop(t, lp, name)
	assertClean(t, lp, name)
	lines := logLines(t, cfgLog)
	text := strings.Join(lines, "\n")
	// The hook's command line is logged at INFO (as LXC), its output at DEBUG.
	if !strings.Contains(text, " INFO ") || strings.Contains(text, " DEBUG ") || strings.Contains(text, "produced output: hook-output-marker") {
		t.Errorf("lxc.log.level = INFO:\n%s", text)
	}

	cliLog := filepath.Join(dir, "cli.log")
	before, _ := os.ReadFile(cfgLog)
	startRunning(t, lp, name, "-o", cliLog, "-l", "DEBUG")
	killStop(t, lp, name)
	assertClean(t, lp, name)
	text = strings.Join(logLines(t, cliLog), "\n")
	// Hook output is logged at DEBUG, as LXC does.
	if !strings.Contains(text, " DEBUG ") || !strings.Contains(text, "produced output: hook-output-marker") {
		t.Errorf("-l DEBUG:\n%s", text)
	}
	if after, _ := os.ReadFile(cfgLog); strings.Contains(string(after[len(before):]), "lxc-start ") {
		t.Errorf("-o must replace lxc.log.file for the run; the config's log grew:\n%s", after[len(before):])
	}
}
