package integration

import (
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Several `lxc-stop -k` at once: the ones that lose the race find the
// container not running and exit 2, like LXC, never 1 (a failure).
func TestStopKillRace(t *testing.T) {
	needRoot(t)
	lp := cleanLxcpath(t)
	const name = "stop-race1"
	busybox(t, lp, name)
	const rounds, stoppers = 3, 6
	for round := 0; round < rounds; round++ {
		startRunning(t, lp, name)
		var wg sync.WaitGroup
		results := make([]result, stoppers)
		errs := make([]error, stoppers)
		for i := range results {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				results[i], errs[i] = execBounded(60*time.Second, nil, filepath.Join(binDir, "lxc-stop"), "-P", lp, "-n", name, "-k")
			}(i)
		}
		wg.Wait()
		for i, r := range results {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if r.code != 0 && r.code != 2 {
				t.Fatalf("round %d: a racing lxc-stop -k: %s", round, r)
			}
		}
	}
	assertClean(t, lp, name)
}
