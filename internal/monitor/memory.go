package monitor

import (
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/golxc/golxc/internal/log"
)

// Go's collector waits for a 4 MiB heap before its first cycle, so a
// monitor answering queries (each lxc-info is several short connections,
// each leaving some garbage) would grow from ~1.5 MiB at RUNNING to ~6.5
// MiB and keep those pages. A lower GOGC or a memory limit makes the
// collector run early, but once it has run it holds ~1 MiB more (its own
// state and stacks), which every idle container would then pay. So the
// monitor collects only once queries have left garbageBeforeCollect
// behind, and gives the pages back at once: a container nobody queries
// stays at its start size, and a busy one stays flat a little above it.
const (
	garbageBeforeCollect = 256 << 10
	// checkEvery requests the allocation counter is read (a short
	// stop of a one-P, small-heap world; the collection is the cost).
	checkEvery = 16
)

// memoryKeeper decides when the monitor collects.
type memoryKeeper struct {
	mu        sync.Mutex
	requests  int
	collected uint64 // cumulative heap allocations at the last collection
	baseline  bool   // collected holds a reading
}

// heapAllocated is the cumulative number of bytes the heap has handed out.
// ReadMemStats, not runtime/metrics: that package's init builds its
// tables in every golxc process (~0.5 ms of every tool's start).
func heapAllocated() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

// shouldCollect is the decision: true when allocated bytes since the last
// collection passed the threshold.
func shouldCollect(allocated, collected uint64) bool {
	return allocated > collected && allocated-collected >= garbageBeforeCollect
}

// reset starts counting from RUNNING. The baseline is read at the first
// check, not here: ReadMemStats flushes every per-P cache, and a monitor
// nobody queries would pay ~350 KiB of fresh spans for it.
func (k *memoryKeeper) reset() {
	k.mu.Lock()
	k.requests = 0
	k.baseline = false
	k.mu.Unlock()
}

// afterRequest counts a served request and collects when due. Requests
// are served concurrently; one of them starts the collection.
func (k *memoryKeeper) afterRequest() {
	k.mu.Lock()
	k.requests++
	if k.requests%checkEvery != 0 {
		k.mu.Unlock()
		return
	}
	allocated := heapAllocated()
	if !k.baseline {
		k.collected, k.baseline = allocated, true
		k.mu.Unlock()
		return
	}
	if !shouldCollect(allocated, k.collected) {
		k.mu.Unlock()
		return
	}
	since := allocated - k.collected
	k.collected = allocated
	k.mu.Unlock()
	// Off the request's path: the answer need not wait for the collection.
	go func() {
		debug.FreeOSMemory()
		log.Tracef("Collected the monitor's garbage (%d KiB allocated since the last collection)", since>>10)
	}()
}
