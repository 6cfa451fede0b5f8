package integration

import (
	"strings"
	"testing"
)

// TestLegacyShutdown: seed 002 shuts its container down with LXC 1.0's
// lxc-shutdown. It halts the container cleanly (as lxc-stop, killing after
// -t), takes the old -w, says once on stderr what replaced it, and on a
// stopped container answers as lxc-stop does (exit 2).
func TestLegacyShutdown(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "lsh-one")
	startRunning(t, lp, "lsh-one")
	r := run(t, nil, "lxc-shutdown", "-P", lp, "-n", "lsh-one", "-w", "-t", "2")
	if r.code != 0 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "lxc-stop -n lsh-one") {
		t.Fatalf("lxc-shutdown: %s", r)
	}
	if s := state(t, lp, "lsh-one"); s != "STOPPED" {
		t.Fatalf("after lxc-shutdown: %s", s)
	}
	assertClean(t, lp, "lsh-one")
	r = run(t, nil, "lxc-shutdown", "-P", lp, "-n", "lsh-one", "-q")
	if r.code != 2 || r.stderr != "" {
		t.Errorf("lxc-shutdown -q of a stopped container: %s", r)
	}
}
