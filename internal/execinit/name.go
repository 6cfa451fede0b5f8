package execinit

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SetName names the calling thread "init"; called on the main thread it
// is the name ps shows for the process (comm), whichever path made PID 1.
func SetName() {
	name := []byte("init\x00")
	_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(&name[0])), 0, 0, 0)
	runtime.KeepAlive(name)
}
