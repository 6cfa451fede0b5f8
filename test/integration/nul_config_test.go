package integration

import (
	"strings"
	"testing"
)

// A NUL byte ends a config file for LXC 5.0.2 (it reads the file as one C
// string); golxc used to read past it. Both now see only what precedes it,
// and golxc warns once naming the line.
func TestNULByteEndsConfig(t *testing.T) {
	lp := lxcpath(t)
	writeConfig(t, lp, "misc-nul", "lxc.uts.name = before", "lxc.tty.max = 2\x00lxc.tty.dir = d", "lxc.uts.name = after")
	args := []string{"-P", lp, "-n", "misc-nul", "-c", "lxc.uts.name", "-c", "lxc.tty.max", "-c", "lxc.tty.dir"}
	want := "lxc.uts.name = before\nlxc.tty.max = 2\nlxc.tty.dir =\n"
	r := run(t, nil, "lxc-info", args...)
	if r.code != 0 || r.stdout != want || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "config:2: NUL byte") {
		t.Errorf("golxc: %s\nwant stdout %q and one warning naming config:2", r, want)
	}
	expect(t, runPath(t, nil, lxcTool(t, "lxc-info"), args...), 0, want, "")
}
