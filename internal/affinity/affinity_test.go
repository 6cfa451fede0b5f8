package affinity

import (
	"runtime"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// Restore walks one open /proc/self/task again and again: each
// walk must rewind and list the threads there are now.
func TestThreadIDsRewinds(t *testing.T) {
	fd, err := unix.Open("/proc/self/task", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	first, err := threadIDs(fd)
	if err != nil || !slices.Contains(first, unix.Getpid()) {
		t.Fatalf("first walk %v %v", first, err)
	}
	// Goroutines locked to their threads and parked make the runtime
	// start more threads.
	stop := make(chan struct{})
	defer close(stop)
	started := make(chan int)
	for i := 0; i < 4; i++ {
		go func() {
			runtime.LockOSThread()
			started <- unix.Gettid()
			<-stop
		}()
	}
	var locked []int
	for i := 0; i < 4; i++ {
		locked = append(locked, <-started)
	}
	second, err := threadIDs(fd)
	if err != nil {
		t.Fatal(err)
	}
	for _, tid := range append(first, locked...) {
		if slices.Contains(second, tid) {
			continue
		}
		// A thread of the first walk may have ended since (a locked
		// goroutine of an earlier test exiting); one that still exists
		// after the second walk must be in it.
		if err := unix.Access("/proc/self/task/"+strconv.Itoa(tid), unix.F_OK); err == nil || slices.Contains(locked, tid) {
			t.Errorf("second walk %v lacks thread %d (first %v, locked %v)", second, tid, first, locked)
		}
	}
}
