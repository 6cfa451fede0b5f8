package main

/*
#include "capi.h"
*/
import "C"

import (
	"os"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
)

// The methods that ask the running container's monitor (command socket).

func monitor(c *C.lxc_c) (*cmdsock.Client, bool) {
	x := container(c)
	cl, err := cmdsock.Dial(x.ConfigPath(), x.Name())
	if err != nil {
		fail(c, errNotRunning)
		return nil, false
	}
	return cl, true
}

//export golxcGetRunningConfigItem
func golxcGetRunningConfigItem(c *C.lxc_c, key *C.char) *C.char {
	cl, ok := monitor(c)
	if !ok {
		return nil
	}
	defer cl.Close()
	v, err := cl.ConfigItem(optString(key))
	if err != nil {
		fail(c, err)
		return nil
	}
	return C.CString(v)
}

// fdOut hands the caller its own copy of a received fd.
func fdOut(c *C.lxc_c, get func(*cmdsock.Client) (*os.File, error)) C.int {
	cl, ok := monitor(c)
	if !ok {
		return -1
	}
	defer cl.Close()
	f, err := get(cl)
	if err != nil {
		fail(c, err)
		return -1
	}
	defer f.Close()
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		fail(c, err)
		return -1
	}
	return C.int(fd)
}

//export golxcDevptsFd
func golxcDevptsFd(c *C.lxc_c) C.int {
	return fdOut(c, (*cmdsock.Client).DevptsFD)
}

//export golxcSeccompNotifyFd
func golxcSeccompNotifyFd(c *C.lxc_c) C.int {
	return fdOut(c, (*cmdsock.Client).SeccompNotifyFD)
}
