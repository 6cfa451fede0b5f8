package integration

import (
	"testing"
)

// monitorQueries is how many lxc-info calls the flat-memory test makes:
// enough that Go's default collector (first cycle at a 4 MiB heap) would
// have let a Go monitor grow by several MiB.
const monitorQueries = 400

// monitorQuerySlackKiB is how much a queried monitor may sit above its
// idle size. The hibernated monitor (hibernate_test.go) answers lxc-info
// from its table without allocating: measured 84 -> 100 KiB over 1,000
// calls (the stack and libc's buffers touched once).
const monitorQuerySlackKiB = 64

// TestMonitorMemoryFlatUnderQueries: an idle container's monitor is
// small (hibernated: below LXC's 368 KiB) and stays so under many
// queries.
func TestMonitorMemoryFlatUnderQueries(t *testing.T) {
	h := hibernatingContainer(t, "cmon-mm1")
	defer killStop(t, h.lp, h.name)
	idle := h.rssAnon()
	if idle > hibernatedMaxKiB {
		t.Errorf("idle monitor RssAnon %d KiB, more than %d", idle, hibernatedMaxKiB)
	}
	peak := idle
	for i := 0; i < monitorQueries; i++ {
		mustRun(t, "lxc-info", "-P", h.lp, "-n", h.name)
		if i%50 == 49 {
			peak = max(peak, h.rssAnon())
		}
	}
	t.Logf("monitor RssAnon: idle %d KiB, highest %d KiB over %d lxc-info calls", idle, peak, monitorQueries)
	if peak-idle > monitorQuerySlackKiB {
		t.Fatalf("monitor grew from %d to %d KiB under %d lxc-info calls (allowed %d)", idle, peak, monitorQueries, monitorQuerySlackKiB)
	}
	if n := h.wakes(); n != 0 {
		t.Fatalf("lxc-info woke the monitor %d times", n)
	}
}
