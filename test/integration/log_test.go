package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// -o/-l write LXC's log line format; -l alone uses LXC's default file
// (LXCPATH/NAME/NAME.log outside the default lxcpath); levels filter.
func TestLogFileFormatAndLevels(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	logf := filepath.Join(t.TempDir(), "sub", "x.log")
	r := run(t, nil, "lxc-create", "-P", lp, "-n", "lg", "-t", "none", "-o", logf, "-l", "info")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "lg", "-o", logf, "-l", "INFO"), 0, "", "")
	data, err := os.ReadFile(logf)
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^lxc-destroy lg \d{14}\.\d{3} INFO     lxc - destroy\.go:removeFiles:\d+ - Destroyed container lg$`)
	found := false
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line.MatchString(l) {
			found = true
		}
	}
	if !found {
		t.Fatalf("no LXC-format destroy line in:\n%s", data)
	}
	// ERROR level hides INFO lines.
	logf2 := filepath.Join(t.TempDir(), "y.log")
	run(t, nil, "lxc-create", "-P", lp, "-n", "lg2", "-t", "none", "-o", logf2)
	run(t, nil, "lxc-destroy", "-P", lp, "-n", "lg2", "-o", logf2, "-l", "ERROR")
	if b, _ := os.ReadFile(logf2); strings.Contains(string(b), "INFO") {
		t.Fatalf("INFO line at level ERROR:\n%s", b)
	}
	// -l alone: the default file in the container directory.
	r = run(t, nil, "lxc-create", "-P", lp, "-n", "lg3", "-t", "none", "-l", "INFO")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	if b, err := os.ReadFile(filepath.Join(lp, "lg3", "lg3.log")); err != nil || !strings.Contains(string(b), "Created container lg3") {
		t.Fatalf("default log file: %v %q", err, b)
	}
}
