package initsetup

import (
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// execFD runs the executable open at f (execveat with AT_EMPTY_PATH), so
// no path inside the container is involved. It returns only on failure.
func execFD(f *os.File, argv, env []string) error {
	argvp, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return err
	}
	envp, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		return err
	}
	empty := []byte{0}
	_, _, errno := unix.Syscall6(unix.SYS_EXECVEAT, f.Fd(), uintptr(unsafe.Pointer(&empty[0])),
		uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])), unix.AT_EMPTY_PATH, 0)
	return errno
}
