//go:build linux && cgo

package nsexec

/*
#define _GNU_SOURCE
#include <sched.h>
extern cpu_set_t golxc_cheapstart_affinity;
extern int golxc_cheapstart_narrowed;
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

// unix.CPUSet and cpu_set_t are both 1024 bits: a difference overflows.
const (
	_ = uint(unsafe.Sizeof(unix.CPUSet{}) - unsafe.Sizeof(C.cpu_set_t{}))
	_ = uint(unsafe.Sizeof(C.cpu_set_t{}) - unsafe.Sizeof(unix.CPUSet{}))
)
