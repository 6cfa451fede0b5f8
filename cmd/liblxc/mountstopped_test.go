package main

import (
	"path/filepath"
	"testing"
)

// TestMountStoppedSameAsLXC: on a defined container that is not running,
// mount returns -EINVAL without lxc.mount.auto = shmounts: and -1 with
// it, umount 1, and nothing is left in the shared mount directory, under
// golxc's library as under LXC's (whose forked child finds no init).
func TestMountStoppedSameAsLXC(t *testing.T) {
	needRoot(t)
	needHeaders(t)
	dir := built(t)
	bin := filepath.Join(t.TempDir(), "mount_stopped")
	gcc(t, bin, "testdata/mount_stopped.c", "-L"+dir, "-llxc")
	src := t.TempDir()
	name := "capi-mntstop"
	run := programRun(t, dir, []string{name}, func(lxcpath string) []string {
		return []string{bin, name, lxcpath, src, t.TempDir()}
	})
	fromGolxc := run(libEnv(dir))
	want := `createl: 1
mount no shmounts: -22
set shmounts: 1
mount stopped: -1
mount tmpfs stopped: -1
umount stopped: 1
running: 0
shmounts entries: 0
destroy: 1
`
	if fromGolxc != want {
		t.Errorf("got:\n%s\nwant:\n%s", fromGolxc, want)
	}
	sameAsLXC(t, fromGolxc, run)
}
