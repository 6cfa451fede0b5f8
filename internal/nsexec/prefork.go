//go:build linux && cgo

package nsexec

/*
extern int golxc_prefork_fd;
extern char *golxc_prefork_title;
extern long golxc_prefork_title_cap, golxc_prefork_argv_len;
*/
import "C"

import "unsafe"

// TakePreforkFD returns the verdict pipe of a preforked lxc-start (see
// doc.go, "lxc-start's prefork") and forgets it, so it is handed out once.
// ok is false in any other process.
func TakePreforkFD() (fd int, ok bool) {
	fd = int(C.golxc_prefork_fd)
	if fd < 0 {
		return -1, false
	}
	C.golxc_prefork_fd = -1
	return fd, true
}

// PreforkTitleArea is the memory /proc/PID/cmdline shows in a preforked
// lxc-start, free for a new process title (prefork.c moved the argv and
// environment strings out of it); argvLen is the size of its original
// argv part. nil when not preforked or not arranged.
func PreforkTitleArea() (area []byte, argvLen int) {
	if C.golxc_prefork_title == nil || C.golxc_prefork_title_cap <= 0 {
		return nil, 0
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(C.golxc_prefork_title)), int(C.golxc_prefork_title_cap)),
		int(C.golxc_prefork_argv_len)
}
