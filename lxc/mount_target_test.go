package lxc

import (
	"io/fs"
	"testing"
)

func TestMountTargetAction(t *testing.T) {
	for _, c := range []struct {
		name   string
		exists bool
		mode   fs.FileMode
		isDir  bool
		want   mountTarget
	}{
		{"missing, dir source", false, 0, true, targetCreate},
		{"missing, file source", false, 0, false, targetCreate},
		{"dir onto dir", true, fs.ModeDir | 0o755, true, targetKeep},
		{"file onto file", true, 0o644, false, targetKeep},
		{"file onto device node", true, fs.ModeDevice | fs.ModeCharDevice, false, targetKeep},
		{"dir onto file", true, 0o644, true, targetReplace},
		{"file onto dir", true, fs.ModeDir | 0o755, false, targetReplace},
		{"dir onto symlink", true, fs.ModeSymlink | 0o777, true, targetReplace},
		{"file onto symlink", true, fs.ModeSymlink | 0o777, false, targetReplace},
	} {
		if got := mountTargetAction(c.exists, c.mode, c.isDir); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}
