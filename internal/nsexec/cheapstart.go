//go:build linux && cgo

package nsexec

/*
#define _GNU_SOURCE
#include <sched.h>
extern cpu_set_t golxc_cheapstart_affinity;
extern int golxc_cheapstart_narrowed;
extern unsigned long golxc_cheapstart_slack;
*/
import "C"

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/timerslack"
)

// The constructor in cheapstart.c narrows a tool's affinity to one CPU so the
// runtime starts with one P; the caller's mask goes back on every thread
// here, in this package's init, before any golxc code runs. The same goes
// for the timer slack it coarsened for lxc-execute, -attach and -start: the
// main thread (init runs locked to it) gets the caller's back, and
// internal/timerslack gives it to every thread that forks.
func init() {
	if slack := uint64(C.golxc_cheapstart_slack); slack != 0 {
		C.golxc_cheapstart_slack = 0
		_ = unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(slack), 0, 0, 0)
		timerslack.SetCaller(slack)
	}
	if C.golxc_cheapstart_narrowed == 0 {
		return
	}
	C.golxc_cheapstart_narrowed = 0
	mask := *(*unix.CPUSet)(unsafe.Pointer(&C.golxc_cheapstart_affinity))
	RestoreAffinity(&mask)
}

// unix.CPUSet and cpu_set_t are both 1024 bits: a difference overflows.
const (
	_ = uint(unsafe.Sizeof(unix.CPUSet{}) - unsafe.Sizeof(C.cpu_set_t{}))
	_ = uint(unsafe.Sizeof(C.cpu_set_t{}) - unsafe.Sizeof(unix.CPUSet{}))
)

// RestoreAffinity sets mask on every thread of the process. The runtime's
// threads started before it (sysmon, the cgo template thread, an M) carry
// the narrowed mask and pass it to the threads they create, so the task
// list is walked until a walk finds no thread it has not set yet. Errors
// are ignored: at worst a thread keeps running on one CPU.
func RestoreAffinity(mask *unix.CPUSet) {
	// One open of the task list; each walk rewinds it (a directory read
	// from offset 0 again lists the threads as they are now).
	fd, err := unix.Open("/proc/self/task", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		_ = unix.SchedSetaffinity(0, mask)
		return
	}
	defer unix.Close(fd)
	done := map[int]bool{}
	for round := 0; round < 8; round++ {
		tids, err := threadIDs(fd)
		if err != nil {
			_ = unix.SchedSetaffinity(0, mask)
			return
		}
		fresh := false
		for _, tid := range tids {
			if !done[tid] {
				done[tid] = true
				fresh = true
				_ = unix.SchedSetaffinity(tid, mask)
			}
		}
		if !fresh {
			return
		}
	}
}

// threadIDs lists the open /proc/self/task directory fd from its start
// with raw getdents: no os.File, so no poller setup this early in the
// process.
func threadIDs(fd int) ([]int, error) {
	if _, err := unix.Seek(fd, 0, 0); err != nil {
		return nil, err
	}
	var names []string
	buf := make([]byte, 4096)
	for {
		n, err := unix.Getdents(fd, buf)
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
	tids := make([]int, 0, len(names))
	for _, name := range names {
		tid := 0
		for _, c := range []byte(name) {
			tid = tid*10 + int(c-'0')
		}
		tids = append(tids, tid)
	}
	return tids, nil
}
