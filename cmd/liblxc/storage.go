package main

/*
#include <stdlib.h>
#include "capi.h"
*/
import "C"

import (
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/golxc/golxc/lxc"
)

// Clone flags (lxccontainer.h).
const (
	cloneKeepName      = 1 << 0
	cloneKeepMAC       = 1 << 1
	cloneSnapshot      = 1 << 2
	cloneKeepBdevType  = 1 << 3
	cloneMaybeSnapshot = 1 << 4
	cloneAllowRunning  = 1 << 6
)

// golxcClone clones c; the C side wraps the new container in a struct.
//
//export golxcClone
func golxcClone(c *C.lxc_c, newname, lxcpath *C.char, flags C.int, bdevtype *C.char, newsize C.uint64_t, hookargs **C.char) C.bool {
	x := container(c)
	o := lxc.CloneOptions{
		ConfigPath:   optString(lxcpath),
		KeepName:     flags&cloneKeepName != 0,
		KeepMAC:      flags&cloneKeepMAC != 0,
		Snapshot:     flags&(cloneSnapshot|cloneMaybeSnapshot) != 0,
		AllowRunning: flags&cloneAllowRunning != 0,
		NewSize:      uint64(newsize),
		HookArgs:     goStrings(hookargs),
	}
	if b := optString(bdevtype); b != "" {
		if err := o.Backend.Set(b); err != nil {
			fail(c, err)
			return false
		}
	}
	name := optString(newname)
	if name == "" {
		name = x.Name()
	}
	return cbool(x.Clone(name, o), c)
}

//export golxcRename
func golxcRename(c *C.lxc_c, newname *C.char) C.bool {
	return cbool(container(c).Rename(optString(newname)), c)
}

// golxcSnapshot returns the new snapshot's number (snapN), -1 on failure.
//
//export golxcSnapshot
func golxcSnapshot(c *C.lxc_c, comment *C.char) C.int {
	s, err := container(c).SnapshotWithComment(optString(comment))
	if err != nil {
		fail(c, err)
		return -1
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s.Name, "snap"))
	if err != nil {
		fail(c, fmt.Errorf("snapshot %q: unexpected name", s.Name))
		return -1
	}
	return C.int(n)
}

// golxcSnapshotList fills a calloc'd array of struct lxc_snapshot (the C
// side sets each free method).
//
//export golxcSnapshotList
func golxcSnapshotList(c *C.lxc_c, out **C.struct_lxc_snapshot) C.int {
	l, err := container(c).Snapshots()
	if err != nil {
		fail(c, err)
		return -1
	}
	if out == nil || len(l) == 0 {
		return C.int(len(l))
	}
	arr := (*C.struct_lxc_snapshot)(C.calloc(C.size_t(len(l)), C.size_t(unsafe.Sizeof(C.struct_lxc_snapshot{}))))
	entries := unsafe.Slice(arr, len(l))
	for i := range entries {
		e := &entries[i]
		e.name = C.CString(l[i].Name)
		e.comment_pathname = C.CString(l[i].CommentPath)
		e.timestamp = C.CString(l[i].Timestamp)
		e.lxcpath = C.CString(l[i].Path)
		C.golxc_snapshot_init(e)
	}
	*out = arr
	return C.int(len(l))
}

//export golxcSnapshotRestore
func golxcSnapshotRestore(c *C.lxc_c, snap, newname *C.char) C.bool {
	return cbool(container(c).RestoreSnapshot(lxc.Snapshot{Name: optString(snap)}, optString(newname)), c)
}

//export golxcSnapshotDestroy
func golxcSnapshotDestroy(c *C.lxc_c, snap *C.char) C.bool {
	return cbool(container(c).DestroySnapshot(lxc.Snapshot{Name: optString(snap)}), c)
}

//export golxcDestroyWithSnapshots
func golxcDestroyWithSnapshots(c *C.lxc_c) C.bool {
	return cbool(container(c).DestroyWithAllSnapshots(), c)
}

//export golxcSnapshotDestroyAll
func golxcSnapshotDestroyAll(c *C.lxc_c) C.bool {
	return cbool(container(c).DestroyAllSnapshots(), c)
}
