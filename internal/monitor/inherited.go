package monitor

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// markInheritedCloseOnExec makes every fd above 2 close-on-exec. Whatever
// the caller of lxc-start -F or lxc-execute leaked to us (a shell's or a
// CI runner's pipes) must not reach the container init; LXC closes such
// fds too (lxc_check_inherited). Our own fds are close-on-exec already.
func markInheritedCloseOnExec() {
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
		unix.CloseOnExec(fd)
	}
	d.Close()
}
