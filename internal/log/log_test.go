package log

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// lxcLine is LXC 5's log file line: PREFIX NAME UTC-TIMESTAMP LEVEL padded
// to 8, CATEGORY - FILE:FUNC:LINE - MESSAGE.
var lxcLine = regexp.MustCompile(`^lxc-start c1 \d{14}\.\d{3} (TRACE   |DEBUG   |INFO    |NOTICE  |WARN    |ERROR   ) log - log_test\.go:(\S+):\d+ - (.*)$`)

func readLines(t *testing.T, p string) []string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestFileLineFormatAndLevels(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "l.log")
	if err := Setup("lxc-start", "c1", p, DEBUG, true); err != nil {
		t.Fatal(err)
	}
	defer Close()
	Tracef("hidden %d", 1)
	Debugf("mounted %q", "/proc")
	Infof("two\nlines")
	Warnf("warn")
	Errorf("err")
	Close()
	lines := readLines(t, p)
	if len(lines) != 4 {
		t.Fatalf("want 4 lines (TRACE filtered):\n%s", strings.Join(lines, "\n"))
	}
	wantLevel := []string{"DEBUG   ", "INFO    ", "WARN    ", "ERROR   "}
	wantMsg := []string{`mounted "/proc"`, "two lines", "warn", "err"}
	for i, l := range lines {
		m := lxcLine.FindStringSubmatch(l)
		if m == nil || m[1] != wantLevel[i] || m[2] != "TestFileLineFormatAndLevels" || m[3] != wantMsg[i] {
			t.Errorf("line %d: %q", i, l)
		}
	}
	if st, err := os.Stat(p); err != nil || st.Mode().Perm()&0o007 != 0 {
		t.Errorf("log file mode: %v %v", st.Mode(), err)
	}
}

func TestLevelNames(t *testing.T) {
	for in, want := range map[string]Level{"trace": TRACE, "DEBUG": DEBUG, "Info": INFO, "notice": NOTICE,
		"WARN": WARN, "warn": WARN, "error": ERROR, "crit": CRIT, "ALERT": ALERT, "fatal": FATAL,
		// LXC's tools take anything: unknown names keep the default.
		"WARNING": ERROR, "4": ERROR, "0": ERROR, "": ERROR, "bogus": ERROR} {
		if got := CommandLineLevel(in); got != want {
			t.Errorf("CommandLineLevel(%q) = %v, want %v", in, got, want)
		}
	}
	// lxc.log.level takes numbers too.
	for in, want := range map[string]Level{"0": TRACE, "4": WARN, "8": FATAL, "debug": DEBUG} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"9", "WARNING", "x"} {
		if _, err := ParseLevel(bad); err == nil {
			t.Errorf("ParseLevel(%q) accepted", bad)
		}
	}
}

// An inherited descriptor (the stages' case) gets the same lines and is
// close-on-exec.
func TestSetupFileInherited(t *testing.T) {
	p := filepath.Join(t.TempDir(), "l.log")
	if err := Setup("lxc-start", "c1", p, TRACE, true); err != nil {
		t.Fatal(err)
	}
	f, lvl := File()
	Close()
	if f == nil || lvl != TRACE {
		t.Fatalf("File() = %v %v", f, lvl)
	}
	SetupFile("lxc-start", "c1", f, lvl)
	Tracef("from the stage")
	Close()
	if l := readLines(t, p); len(l) != 1 || !lxcLine.MatchString(l[0]) || !strings.HasSuffix(l[0], " - from the stage") {
		t.Fatalf("%q", l)
	}
}

// Nothing reads a DEBUG line without a file: no formatting, no caller
// lookup, no allocation.
func TestDisabledCostsNothing(t *testing.T) {
	_ = Setup("lxc", "", "", ERROR, false)
	SetStderr(os.Stderr)
	x := 42
	if n := testing.AllocsPerRun(100, func() { Debugf("mounted %s", "x") }); n != 0 {
		t.Errorf("disabled Debugf allocates %v times", n)
	}
	_ = x
	if Enabled(DEBUG) || !Enabled(ERROR) {
		t.Errorf("Enabled: DEBUG %v ERROR %v", Enabled(DEBUG), Enabled(ERROR))
	}
}

func BenchmarkDisabledDebugf(b *testing.B) {
	Close()
	for i := 0; i < b.N; i++ {
		Debugf("mounted %q on %q flags %#x", "/proc", "/usr/lib/x/rootfs/proc", 14)
	}
}

func BenchmarkFileTracef(b *testing.B) {
	p := filepath.Join(b.TempDir(), "l.log")
	if err := Setup("lxc-start", "c1", p, TRACE, true); err != nil {
		b.Fatal(err)
	}
	defer Close()
	for i := 0; i < b.N; i++ {
		Tracef("mounted %q on %q flags %#x", "/proc", "/usr/lib/x/rootfs/proc", 14)
	}
}
