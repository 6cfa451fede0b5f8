package log

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/golxc/golxc/internal/buildinfo"
)

// One decision for the tools (before and after the config is read) and
// the monitor: -o wins over lxc.log.* entirely; without it lxc.log.file
// and lxc.log.level apply, -l only filling the gaps.
func TestChoose(t *testing.T) {
	for _, c := range []struct {
		what                                 string
		oFile, oLevel, cfgFile, cfgLevel, df string
		want                                 Choice
	}{
		{"nothing", "", "", "", "", "/d.log", Choice{"", ERROR, NoFile}},
		{"-o", "/o.log", "", "/c.log", "INFO", "", Choice{"/o.log", ERROR, CommandLine}},
		{"-o -l", "/o.log", "TRACE", "/c.log", "INFO", "/d.log", Choice{"/o.log", TRACE, CommandLine}},
		{"-o -l WARNING", "/o.log", "WARNING", "", "", "", Choice{"/o.log", ERROR, CommandLine}},
		{"-l alone", "", "debug", "", "", "/d.log", Choice{"/d.log", DEBUG, DefaultPath}},
		{"-l without a default file", "", "DEBUG", "", "", "", Choice{"", DEBUG, NoFile}},
		{"config", "", "", "/c.log", "INFO", "/d.log", Choice{"/c.log", INFO, ConfigFile}},
		{"config numeric level", "", "", "/c.log", "1", "", Choice{"/c.log", DEBUG, ConfigFile}},
		{"config bad level", "", "TRACE", "/c.log", "LOUD", "", Choice{"/c.log", TRACE, ConfigFile}},
		{"config level beats -l", "", "TRACE", "/c.log", "INFO", "", Choice{"/c.log", INFO, ConfigFile}},
		{"config level, default file", "", "TRACE", "", "INFO", "/d.log", Choice{"/d.log", INFO, DefaultPath}},
	} {
		if got := Choose(c.oFile, c.oLevel, c.cfgFile, c.cfgLevel, c.df); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.what, got, c.want)
		}
	}
}

// A -o file that cannot be opened is one error line naming it and what to
// do, errno kept (LXC's tools exit 1); the default file is dropped
// silently and lxc.log.file only warned about (a WARN line).
func TestApplyUnopenable(t *testing.T) {
	var stderr bytes.Buffer
	SetStderr(&stderr)
	defer SetStderr(os.Stderr)
	defer Close()
	bad := "/proc/self/golxc-no-such-dir/f.log"
	err := Choice{bad, DEBUG, CommandLine}.Apply("lxc-info", "c1", false)
	if err == nil || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("-o %s: %v, want an error keeping ENOENT", bad, err)
	}
	if msg := err.Error(); !strings.Contains(msg, bad) || !strings.Contains(msg, "-o") || strings.Contains(msg, "\n") {
		t.Errorf("-o error is not one line naming the file and -o: %q", msg)
	}
	if err := (Choice{bad, DEBUG, DefaultPath}).Apply("lxc-info", "c1", false); err != nil || HasFile() || stderr.Len() != 0 {
		t.Errorf("default file: %v, file %v, stderr %q", err, HasFile(), stderr.String())
	}
	if err := (Choice{bad, DEBUG, ConfigFile}).Apply("lxc-info", "c1", false); err != nil || HasFile() {
		t.Errorf("lxc.log.file: %v, file %v", err, HasFile())
	}
	good := filepath.Join(t.TempDir(), "ok.log")
	if err := (Choice{good, DEBUG, CommandLine}).Apply("lxc-info", "c1", true); err != nil || !HasFile() {
		t.Errorf("-o %s: %v, file %v", good, err, HasFile())
	}
}

// The first line a process writes to a file it opened says golxc's
// version and commit, at INFO, in LXC's format; once per file.
func TestApplyBannerFirstLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "b.log")
	if err := (Choice{p, INFO, CommandLine}).Apply("lxc-info", "c1", true); err != nil {
		t.Fatal(err)
	}
	Infof("after")
	if err := (Choice{p, INFO, CommandLine}).Apply("lxc-info", "c1", true); err != nil {
		t.Fatal(err)
	}
	Close()
	lines := readLines(t, p)
	if len(lines) != 2 {
		t.Fatalf("want the banner and one line:\n%s", strings.Join(lines, "\n"))
	}
	first := regexp.MustCompile(`^lxc-info c1 \d{14}\.\d{3} INFO     log - choice\.go:banner:\d+ - (.*)$`)
	if m := first.FindStringSubmatch(lines[0]); m == nil || m[1] != buildinfo.String() {
		t.Errorf("first line %q: want golxc's version at INFO in LXC's format", lines[0])
	}
	// At ERROR (the default) no INFO line is written.
	q := filepath.Join(t.TempDir(), "e.log")
	if err := (Choice{q, ERROR, CommandLine}).Apply("lxc-info", "c1", true); err != nil {
		t.Fatal(err)
	}
	Errorf("failed")
	Close()
	if lines := readLines(t, q); len(lines) != 1 || strings.Contains(lines[0], "golxc") {
		t.Errorf("level ERROR: %q", lines)
	}
}
