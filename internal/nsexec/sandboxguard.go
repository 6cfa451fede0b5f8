//go:build linux && cgo

package nsexec

/*
extern int golxc_sandbox_guard_fd;
*/
import "C"

// TakeSandboxGuardFD returns the write end of the pipe to the guard that
// golxc's lxc-sandbox forked before the Go runtime started (sandboxguard.c,
// "The forked guard") and forgets it, so it is handed out once. ok is
// false in any other process, and where the fork was not made.
func TakeSandboxGuardFD() (fd int, ok bool) {
	fd = int(C.golxc_sandbox_guard_fd)
	if fd < 0 {
		return -1, false
	}
	C.golxc_sandbox_guard_fd = -1
	return fd, true
}
