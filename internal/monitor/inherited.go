package monitor

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// markInheritedCloseOnExec makes every fd above 2 close-on-exec. Whatever
// the caller of lxc-start -F or lxc-execute leaked to us (a shell's or a
// CI runner's pipes) must not reach the container init; LXC closes such
// fds too (lxc_check_inherited). Our own fds are close-on-exec already.
// It returns the fds it marked: a preforked lxc-start closes them when it
// becomes the monitor.
func markInheritedCloseOnExec() []int {
	var marked []int
	forEachFDAbove2(func(fd int) {
		if !closeOnExec(fd) {
			unix.CloseOnExec(fd)
			marked = append(marked, fd)
			log.Debugf("Marked inherited fd %d close-on-exec", fd)
		}
	})
	return marked
}

func closeOnExec(fd int) bool {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil && flags&unix.FD_CLOEXEC != 0
}

// forEachFDAbove2 calls f for every open fd above 2 but the one it lists
// /proc/self/fd with.
func forEachFDAbove2(f func(fd int)) {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	self := int(d.Fd())
	for _, n := range names {
		fd, err := strconv.Atoi(n)
		if err != nil || fd <= 2 || fd == self {
			continue
		}
		f(fd)
	}
	d.Close()
}

// closeLeakedFDs closes, in a freshly exec'd monitor, every fd above 2
// without FD_CLOEXEC: this process opens all of its own close-on-exec
// (the status pipe is marked before this runs), so such an fd was leaked
// by the program that started the monitor. golxc marks its own first
// (markInheritedCloseOnExec), another program using package lxc does not,
// and a monitor holding its caller's pipe would keep e.g. a shell's
// $(...) waiting for the container's whole life.
// It returns the fds it closed, for the log opened later.
func closeLeakedFDs() []int {
	var closed []int
	forEachFDAbove2(func(fd int) {
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			unix.Close(fd)
			closed = append(closed, fd)
		}
	})
	return closed
}

// leakedFDsClosed are the fds closeLeakedFDs closed in this monitor.
var leakedFDsClosed []int

// logLeakedFDsClosed says, once the log is open, which fds were closed.
func logLeakedFDsClosed() {
	for _, fd := range leakedFDsClosed {
		log.Infof("Closed inherited fd %d", fd)
	}
	leakedFDsClosed = nil
}
