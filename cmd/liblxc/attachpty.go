package main

/*
#include "capi.h"
*/
import "C"

import (
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/attach"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/terminal"
)

// LXC_ATTACH_TERMINAL, as liblxc: the attached process gets a pty of the
// container's devpts as its controlling terminal and in place of each of
// its std streams that is a terminal (none: it is hung up soon); the
// caller's attach proxies it to the caller's controlling terminal
// (/dev/tty, in raw mode; none: output only to log_fd) and to log_fd,
// until the process and its children have closed it.

// attachPTY allocates the pty into the plan (raw fds: the fork is in C).
func attachPTY(lxcpath, name string, pid int, p *C.struct_golxc_attach_plan) error {
	cl, err := cmdsock.Dial(lxcpath, name)
	if err != nil {
		return errNotRunning
	}
	defer cl.Close()
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		pidfd = -1
	} else {
		defer unix.Close(pidfd)
	}
	ptx, pts, err := attach.ContainerPTY(cl, pid, pidfd)
	if err != nil {
		return err
	}
	defer ptx.Close()
	defer pts.Close()
	m, err := unix.FcntlInt(ptx.Fd(), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return err
	}
	s, err := unix.FcntlInt(pts.Fd(), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		unix.Close(m)
		return err
	}
	// The child puts the slave in place of the std streams that are
	// terminals, as liblxc does; p.fds stay the caller's.
	p.pty_ptx, p.pty_pts = C.int(m), C.int(s)
	return nil
}

// golxcAttachTerminal proxies the attached process's pty (the plan's
// pty_ptx; its slave must be closed here already) until it hangs up.
//
//export golxcAttachTerminal
func golxcAttachTerminal(ptxfd, logfd C.int) {
	// A copy: an *os.File closes its descriptor, and ptxfd is the plan's.
	dup, err := unix.FcntlInt(uintptr(ptxfd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return
	}
	ptx := os.NewFile(uintptr(dup), "attach pty")
	defer ptx.Close()
	px := &terminal.Proxy{PTX: ptx, Out: io.Discard}
	if logfd >= 0 {
		px.Log = fdWriter(logfd)
	}
	if fd, err := unix.Open("/dev/tty", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NOCTTY, 0); err == nil {
		peer := os.NewFile(uintptr(fd), "/dev/tty")
		defer peer.Close()
		if terminal.IsTerminal(fd) {
			_ = terminal.CopySize(fd, int(ptxfd))
			if restore, err := terminal.Raw(fd); err == nil {
				defer restore()
			}
			px.In, px.Out = peer, peer
		}
	}
	_ = px.Run()
}
