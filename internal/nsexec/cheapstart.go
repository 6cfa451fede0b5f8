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

	"github.com/golxc/golxc/internal/affinity"
	"github.com/golxc/golxc/internal/timerslack"
)

// The constructor in cheapstart.c narrows a tool's affinity to one CPU so the
// runtime starts with one P; the caller's mask goes back on every thread
// here, in this package's init, before any golxc code runs. The same goes
// for the timer slack it coarsened for lxc-execute, -attach, -start and
// -sandbox: the main thread (init runs locked to it) gets the caller's
// back, and
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
	affinity.Restore(&mask)
}

// unix.CPUSet and cpu_set_t are both 1024 bits: a difference overflows.
const (
	_ = uint(unsafe.Sizeof(unix.CPUSet{}) - unsafe.Sizeof(C.cpu_set_t{}))
	_ = uint(unsafe.Sizeof(C.cpu_set_t{}) - unsafe.Sizeof(unix.CPUSet{}))
)
