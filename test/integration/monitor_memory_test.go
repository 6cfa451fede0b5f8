package integration

import (
	"strconv"
	"strings"
	"testing"
)

// monitorQueries is how many lxc-info calls the flat-memory test makes:
// enough that Go's default collector (first cycle at a 4 MiB heap) would
// have let the monitor grow by several MiB.
const monitorQueries = 400

// monitorQuerySlackKiB is how much a queried monitor may sit above its
// idle size: the garbage the monitor lets build up before it collects
// (256 KiB) plus the collector's own state once it has run (~1.2 MiB
// measured); without collections the monitor grows by ~5 MiB.
const monitorQuerySlackKiB = 2048

// monitorIdleMaxKiB bounds an idle busybox monitor's RssAnon (a count of
// pages, not a timing: it does not move with the machine's load).
const monitorIdleMaxKiB = 1600

// TestMonitorMemoryFlatUnderQueries: a monitor answering many queries
// stays near its idle size instead of keeping the garbage of every query.
func TestMonitorMemoryFlatUnderQueries(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	busybox(t, lp, "mm-c1")
	startRunning(t, lp, "mm-c1")
	defer killStop(t, lp, "mm-c1")
	mons := monitors(lp, "mm-c1")
	if len(mons) != 1 {
		t.Fatalf("monitors of mm-c1: %v", mons)
	}
	anon := func() int {
		kb, err := strconv.Atoi(strings.TrimSuffix(procStatus(t, mons[0], "RssAnon"), " kB"))
		if err != nil {
			t.Fatal(err)
		}
		return kb
	}
	idle := anon()
	// An idle Go monitor holds ~1.3 MiB here; more means start-up work
	// left pages behind (a ReadMemStats at RUNNING once cost 350 KiB).
	if idle > monitorIdleMaxKiB {
		t.Errorf("idle monitor RssAnon %d KiB, more than %d", idle, monitorIdleMaxKiB)
	}
	peak := idle
	for i := 0; i < monitorQueries; i++ {
		mustRun(t, "lxc-info", "-P", lp, "-n", "mm-c1")
		if i%50 == 49 {
			peak = max(peak, anon())
		}
	}
	t.Logf("monitor RssAnon: idle %d KiB, highest %d KiB over %d lxc-info calls", idle, peak, monitorQueries)
	if peak-idle > monitorQuerySlackKiB {
		t.Fatalf("monitor grew from %d to %d KiB under %d lxc-info calls (allowed %d)", idle, peak, monitorQueries, monitorQuerySlackKiB)
	}
}
