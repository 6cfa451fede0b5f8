package integration

import (
	"strings"
	"testing"
)

// A -o file that cannot be opened stops the tool before it does anything,
// exit 1, as LXC 5.0.2 (lxc_log_init fails); golxc says so in one line
// naming the file and what to do. lxc-start's container stays stopped.
func TestLogFileUnopenable(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	const bad = "/proc/self/golxc-no-such-dir/x.log"
	oneLine := func(what string, r result) {
		t.Helper()
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		if r.code != 1 || len(lines) != 1 || !strings.Contains(r.stderr, bad) || !strings.Contains(r.stderr, "give -o") {
			t.Errorf("%s: want exit 1 and one line naming %s and what to do; got %s", what, bad, r)
		}
	}
	oneLine("lxc-ls", run(t, nil, "lxc-ls", "-P", lp, "-o", bad, "-l", "DEBUG"))
	oneLine("lxc-ls without -l", run(t, nil, "lxc-ls", "-P", lp, "-o", bad))

	name := "ddp-logbad"
	busybox(t, lp, name)
	oneLine("lxc-start", run(t, nil, "lxc-start", "-P", lp, "-n", name, "-o", bad, "-l", "DEBUG"))
	oneLine("lxc-start -F", run(t, nil, "lxc-start", "-P", lp, "-n", name, "-F", "-o", bad))
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s"), 0, "State:          STOPPED\n", "")
	mustRun(t, "lxc-destroy", "-P", lp, "-n", name)
}
