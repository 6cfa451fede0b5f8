//go:build linux && cgo

package nsexec

/*
#define _GNU_SOURCE
#include <sched.h>
extern cpu_set_t golxc_cheapstart_affinity;
extern int golxc_cheapstart_narrowed;
extern long golxc_cheapstart_slack;
*/
import "C"

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/affinity"
)

// The constructor in cheapstart.c narrows a tool's affinity to one CPU so the
// runtime starts with one P; the caller's mask goes back on every thread
// here, in this package's init, before any golxc code runs.
func init() {
	if C.golxc_cheapstart_narrowed == 0 {
		return
	}
	C.golxc_cheapstart_narrowed = 0
	mask := *(*unix.CPUSet)(unsafe.Pointer(&C.golxc_cheapstart_affinity))
	affinity.Restore(&mask)
}

// CallerTimerSlack is the timer slack this process had when it started,
// where cheapstart.c coarsened it (lxc-sandbox without --keep; see "Cheap
// starts" in doc.go): a thread that starts processes which must not
// inherit the coarse slack sets it back with prctl(PR_SET_TIMERSLACK) on
// itself, a locked thread. ok is false where the slack is unchanged.
func CallerTimerSlack() (ns uint64, ok bool) {
	if C.golxc_cheapstart_slack <= 0 {
		return 0, false
	}
	return uint64(C.golxc_cheapstart_slack), true
}

// unix.CPUSet and cpu_set_t are both 1024 bits: a difference overflows.
const (
	_ = uint(unsafe.Sizeof(unix.CPUSet{}) - unsafe.Sizeof(C.cpu_set_t{}))
	_ = uint(unsafe.Sizeof(C.cpu_set_t{}) - unsafe.Sizeof(unix.CPUSet{}))
)
