package integration

import (
	"regexp"
	"testing"
)

// Our lxc-info asks a golxc monitor everything in one batch (a golxc-only
// command) and an LXC monitor, which answers that command -ENOSYS, one
// query at a time. Either way it prints what LXC's lxc-info prints for
// the same container, usage figures aside.

var usageValue = regexp.MustCompile(`(?m)^((CPU|BlkIO|Memory|KMem) use:\s+).*$`)

func sameInfoAsLXC(t *testing.T, lp, name string) {
	t.Helper()
	for _, args := range [][]string{nil, {"-S"}, {"-s", "-p", "-i"}, {"-S", "-H"}} {
		argv := append([]string{"-P", lp, "-n", name}, args...)
		ours := usageValue.ReplaceAllString(mustRun(t, "lxc-info", argv...).stdout, "${1}N")
		theirs := usageValue.ReplaceAllString(lxcOut(t, "lxc-info", argv...), "${1}N")
		if ours != theirs {
			t.Errorf("lxc-info %v:\nours:\n%s\nLXC's:\n%s", args, ours, theirs)
		}
	}
}

func TestInfoSameAsLXCOnLXCMonitor(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	const name = "gib-l"
	lxcStarted(t, lp, name)
	sameInfoAsLXC(t, lp, name)
}

func TestInfoSameAsLXCOnGolxcMonitor(t *testing.T) {
	needRoot(t)
	lxcTool(t, "lxc-info")
	lp := lxcpath(t)
	const name = "gib-g"
	busybox(t, lp, name)
	startRunning(t, lp, name)
	sameInfoAsLXC(t, lp, name)
}
