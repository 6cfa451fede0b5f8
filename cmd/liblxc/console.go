package main

/*
#include <stdlib.h>
#include <string.h>
#include "capi.h"
*/
import "C"

import (
	"errors"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/lxc"
)

// console_getfd, console and console_log: the container's terminals and
// console ring buffer, through its monitor (package lxc).

// golxcConsoleGetfd returns the connection that holds the tty (closing
// it frees the slot) and sets *ptxfd to the pty multiplexer, as liblxc;
// -ECONNREFUSED when the container is not running, -1 when no tty
// could be had.
//
//export golxcConsoleGetfd
func golxcConsoleGetfd(c *C.lxc_c, ttynum, ptxfd *C.int) C.int {
	if ttynum == nil || ptxfd == nil {
		fail(c, errors.New("console_getfd: ttynum and ptxfd must not be NULL"))
		return -1
	}
	tty, err := container(c).ConsoleGetFD(int(*ttynum))
	if errors.Is(err, lxc.ErrNotRunning) {
		// liblxc's answer: its command socket refused the connection.
		fail(c, err)
		return -C.int(unix.ECONNREFUSED)
	}
	if err != nil {
		fail(c, err)
		return -1
	}
	num := tty.Num()
	ptx, holder, err := tty.Release()
	if err != nil {
		fail(c, err)
		return -1
	}
	*ttynum, *ptxfd = C.int(num), C.int(ptx)
	return C.int(holder)
}

// fdWriter writes to a descriptor the caller owns (never closes it).
type fdWriter int

func (w fdWriter) Write(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := unix.Write(int(w), b[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}

// golxcConsole runs lxc_console: 0 once the user typed the escape
// sequence or the tty went away, -1 when no session could be had.
//
//export golxcConsole
func golxcConsole(c *C.lxc_c, ttynum, stdinfd, stdoutfd, stderrfd, escape C.int) C.int {
	// The session reads through its own copy: an *os.File closes its
	// descriptor when collected, and stdinfd is the caller's.
	in, err := unix.FcntlInt(uintptr(stdinfd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		fail(c, err)
		return -1
	}
	stdin := os.NewFile(uintptr(in), "console stdin")
	defer stdin.Close()
	// As liblxc: the caller becomes a session leader if it can, and the
	// banner goes to the process's stderr (stderrfd is not used).
	_, _ = unix.Setsid()
	err = container(c).Console(lxc.ConsoleOptions{Tty: int(ttynum), Stdin: stdin, Stdout: fdWriter(stdoutfd),
		Banner: fdWriter(2), Escape: int(escape)})
	if err != nil {
		fail(c, err)
		return -1
	}
	return 0
}

// golxcConsoleLog is liblxc's console_log: 0 with *read_max and data set
// (malloc'd, the caller frees it); -ENODATA, -EFAULT or -ENOENT with both
// cleared; -ECONNREFUSED when the container is not running.
//
//export golxcConsoleLog
func golxcConsoleLog(c *C.lxc_c, l *C.struct_lxc_console_log) C.int {
	if l == nil || l.read_max == nil {
		fail(c, errors.New("console_log: log and log->read_max must not be NULL"))
		return -C.int(unix.EINVAL)
	}
	b, err := container(c).ConsoleLog(lxc.ConsoleLogOptions{ClearLog: bool(l.clear), ReadLog: bool(l.read),
		ReadMax: uint64(*l.read_max)})
	var e unix.Errno
	switch {
	case err == nil:
	case errors.Is(err, lxc.ErrNotRunning):
		fail(c, err)
		return -C.int(unix.ECONNREFUSED)
	case errors.As(err, &e):
		switch e {
		case unix.ENODATA:
			logError(C.GoString(c.name), "The console log is empty")
		case unix.EFAULT:
			logError(C.GoString(c.name), "The container does not keep a console log")
		case unix.ENOENT:
			logError(C.GoString(c.name), "The container does not keep a console log file")
		default:
			fail(c, err)
			return -C.int(e)
		}
		*l.read_max, l.data = 0, nil
		return -C.int(e)
	default:
		fail(c, err)
		return -1
	}
	*l.read_max, l.data = C.uint64_t(len(b)), nil
	if len(b) > 0 {
		l.data = (*C.char)(C.malloc(C.size_t(len(b) + 1)))
		C.memcpy(unsafe.Pointer(l.data), unsafe.Pointer(&b[0]), C.size_t(len(b)))
		*(*byte)(unsafe.Add(unsafe.Pointer(l.data), len(b))) = 0
	}
	return 0
}
