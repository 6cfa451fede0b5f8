package main

/*
#include "capi.h"
*/
import "C"

import (
	"errors"

	"golang.org/x/sys/unix"
)

// mount and umount with liblxc's return values: -EINVAL without a loaded
// config and (mount) without lxc.mount.auto = shmounts:, which LXC 5.0.2
// requires; then mount says -1 (also for flags lxc.ErrMountFlags
// refuses) and umount 1 when the work fails.

func mountGate(c *C.lxc_c, needShmounts bool) C.int {
	if !state(c).loaded {
		fail(c, errors.New("Container or configuration is NULL"))
		return -C.int(unix.EINVAL)
	}
	if !needShmounts {
		return 0
	}
	spec, err := container(c).Spec()
	if err != nil {
		fail(c, err)
		return -C.int(unix.EINVAL)
	}
	if spec.MountAuto.Shmounts == "" {
		fail(c, errors.New("Host path to shared mountpoint must be specified in the config (lxc.mount.auto = shmounts:HOST)"))
		return -C.int(unix.EINVAL)
	}
	return 0
}

//export golxcMount
func golxcMount(c *C.lxc_c, source, target, fstype *C.char, flags C.ulong, data *C.char) C.int {
	if r := mountGate(c, true); r != 0 {
		return r
	}
	if err := container(c).Mount(optString(source), optString(target), optString(fstype), uintptr(flags), optString(data)); err != nil {
		fail(c, err) // flags Mount refuses too: -1, as LXC 5.0.2's child's mount fails
		return -1
	}
	return 0
}

//export golxcUmount
func golxcUmount(c *C.lxc_c, target *C.char, flags C.ulong) C.int {
	if r := mountGate(c, false); r != 0 {
		return r
	}
	if err := container(c).Unmount(optString(target), int(flags)); err != nil {
		fail(c, err)
		return 1
	}
	return 0
}
