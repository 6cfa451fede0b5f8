package lxc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A mount under the container's directory or its external rootfs makes
// Destroy refuse before removing anything (one read of the mount table
// covers both trees).
func TestDestroyRefusesMountedTrees(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (mounts)")
	}
	for _, external := range []bool{false, true} {
		lp := t.TempDir()
		dir := filepath.Join(lp, "spf-mnt")
		rootfs := filepath.Join(dir, "rootfs")
		if external {
			rootfs = filepath.Join(t.TempDir(), "ext-rootfs")
		}
		mnt := filepath.Join(rootfs, "mnt")
		for _, d := range []string{dir, mnt} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "config"), []byte("lxc.rootfs.path = dir:"+rootfs+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=64k"); err != nil {
			t.Fatal(err)
		}
		c, err := NewContainer("spf-mnt", lp)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Destroy()
		unix.Unmount(mnt, unix.MNT_DETACH)
		if !errors.Is(err, ErrDestroyFailed) || !strings.Contains(err.Error(), mnt+" is still mounted") {
			t.Errorf("external=%v: %v", external, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "config")); err != nil {
			t.Errorf("external=%v: the config went: %v", external, err)
		}
		if err := c.Destroy(); err != nil {
			t.Errorf("external=%v: after the unmount: %v", external, err)
		}
		if _, err := os.Stat(rootfs); !os.IsNotExist(err) {
			t.Errorf("external=%v: rootfs left: %v", external, err)
		}
	}
}

func TestMountUnder(t *testing.T) {
	mounts := []string{"/", "/proc", "/var/lib/lxc/c1/rootfs/dev", "/var/lib/lxc/c10"}
	if mp, ok := mountUnder(mounts, "/var/lib/lxc/c1/"); !ok || mp != "/var/lib/lxc/c1/rootfs/dev" {
		t.Errorf("c1: %q %v", mp, ok)
	}
	if mp, ok := mountUnder(mounts, "/var/lib/lxc/c2"); ok {
		t.Errorf("c2: %q", mp)
	}
	if mp, ok := mountUnder(mounts, "/var/lib/lxc/c10"); !ok || mp != "/var/lib/lxc/c10" {
		t.Errorf("c10: %q %v", mp, ok)
	}
}
