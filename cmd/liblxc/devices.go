package main

/*
#include "capi.h"
*/
import "C"

import (
	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/lxc"
)

// optArgs is LXC's optional destination: none when NULL.
func optArgs(s *C.char) []string {
	if s == nil {
		return nil
	}
	return []string{C.GoString(s)}
}

//export golxcAddDeviceNode
func golxcAddDeviceNode(c *C.lxc_c, src, dst *C.char) C.bool {
	return cbool(container(c).AddDeviceNode(optString(src), optArgs(dst)...), c)
}

//export golxcRemoveDeviceNode
func golxcRemoveDeviceNode(c *C.lxc_c, src, dst *C.char) C.bool {
	return cbool(container(c).RemoveDeviceNode(optString(src), optArgs(dst)...), c)
}

//export golxcAttachInterface
func golxcAttachInterface(c *C.lxc_c, dev, dst *C.char) C.bool {
	return cbool(container(c).AttachInterface(optString(dev), optString(dst)), c)
}

//export golxcDetachInterface
func golxcDetachInterface(c *C.lxc_c, dev, dst *C.char) C.bool {
	return cbool(container(c).DetachInterface(optString(dev), optString(dst)), c)
}

//export golxcCheckpoint
func golxcCheckpoint(c *C.lxc_c, dir *C.char, stop, verbose C.bool) C.bool {
	o := lxc.CheckpointOptions{Directory: optString(dir), Stop: bool(stop), Verbose: bool(verbose)}
	return cbool(container(c).Checkpoint(o), c)
}

//export golxcRestore
func golxcRestore(c *C.lxc_c, dir *C.char, verbose C.bool) C.bool {
	o := lxc.RestoreOptions{Directory: optString(dir), Verbose: bool(verbose)}
	return cbool(container(c).Restore(o), c)
}

// golxcInitPidfd: a pidfd for init (the caller closes it), -1 when the
// container is not running.
//
//export golxcInitPidfd
func golxcInitPidfd(c *C.lxc_c) C.int {
	pid := container(c).InitPid()
	if pid <= 0 {
		fail(c, errNotRunning)
		return -1
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		fail(c, err)
		return -1
	}
	unix.CloseOnExec(fd)
	return C.int(fd)
}
