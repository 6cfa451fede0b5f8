package lxc

import "io/fs"

// mountTarget is what attachTree does with the path a mount goes onto.
type mountTarget int

const (
	targetCreate  mountTarget = iota // missing: made as LXC makes it
	targetKeep                       // of the right type: mounted onto, its data kept underneath
	targetReplace                    // of the wrong type or a symlink: removed and made, as LXC does
)

// mountTargetAction decides for a target that exists (mode from lstat)
// or not. LXC's create_mount_target removes whatever is there and makes
// a directory or a file; golxc does so only where the mount could not go
// onto what is there (a directory onto a non-directory or the reverse,
// which the kernel refuses, or a symlink, which LXC replaces), so that
// a target of the right type loses nothing.
func mountTargetAction(exists bool, mode fs.FileMode, isDir bool) mountTarget {
	switch {
	case !exists:
		return targetCreate
	case mode&fs.ModeSymlink != 0:
		return targetReplace
	case mode.IsDir() != isDir:
		return targetReplace
	}
	return targetKeep
}
