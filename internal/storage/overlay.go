package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LXC's names for an overlay container's private directories, inside the
// container directory: overlay/delta is the upper layer, overlay/work the
// overlayfs work directory.
const (
	overlayPrivateDir = "overlay"
	overlayDeltaPath  = "overlay/delta"
	overlayWorkDir    = "work"
)

// overlayDriver: lower directory (usually the origin's rootfs) plus an
// upper directory in the container's own directory.
type overlayDriver struct{}

func (overlayDriver) Name() string      { return "overlay" }
func (overlayDriver) CanSnapshot() bool { return true }

// Create: lxc-create -B overlay keeps the template's files in
// LXCPATH/NAME/rootfs and the changes made while running in overlay/delta.
func (overlayDriver) Create(dest string, _ CreateOptions) (string, error) {
	if !strings.HasSuffix(dest, "/rootfs") {
		return "", fmt.Errorf("overlay storage: %q does not end in /rootfs", dest)
	}
	delta := filepath.Join(filepath.Dir(dest), overlayDeltaPath)
	if err := os.MkdirAll(delta, 0o755); err != nil {
		return "", fmt.Errorf("create overlay upper directory %s: %w", delta, err)
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return "", fmt.Errorf("create rootfs directory %s: %w", dest, err)
	}
	logf("Created overlay directories %q and %q", dest, delta)
	return "overlay:" + dest + ":" + delta, nil
}

// OverlayOptions are the mount options of an overlay rootfs with LXC's
// work directory (the upper directory's sibling "work"); it creates the
// upper and work directories.
// OverlayWorkDir is the overlay work directory that goes with upper
// (LXC 5.0.2: the upper directory's sibling "work").
func OverlayWorkDir(upper string) string { return filepath.Join(filepath.Dir(upper), overlayWorkDir) }

func OverlayOptions(r Rootfs, data string) (string, error) {
	lower, upper, err := r.Overlay()
	if err != nil {
		return "", err
	}
	work := OverlayWorkDir(upper)
	for _, d := range []string{upper, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", fmt.Errorf("lxc.rootfs.path %q: create overlay directory %s: %v", r.Raw, d, err)
		}
	}
	opts := "upperdir=" + upper + ",lowerdir=" + lower + ",workdir=" + work
	if data != "" {
		opts += "," + data
	}
	return opts, nil
}

func (overlayDriver) Mount(r Rootfs, data string) (*MountSpec, error) {
	opts, err := OverlayOptions(r, data)
	if err != nil {
		return nil, err
	}
	return &MountSpec{Source: "overlay", FSType: "overlay", Data: opts}, nil
}

// Clone makes an overlay snapshot: a dir origin becomes the lower layer;
// an overlay origin gives its lower layer and a copy of its upper one.
func (overlayDriver) Clone(j *CloneJob) (string, error) {
	if !j.Snapshot {
		return "", fmt.Errorf("the overlay storage driver can only be used for snapshots (add -s, or -B dir for a full copy)")
	}
	final := j.finalDir()
	delta := filepath.Join(j.BuildDir, overlayDeltaPath)
	for _, d := range []string{filepath.Join(j.BuildDir, "rootfs"), delta, filepath.Join(j.BuildDir, overlayPrivateDir, overlayWorkDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	newDelta := filepath.Join(final, overlayDeltaPath)
	switch {
	case j.Orig.Type == "dir":
		return "overlay:" + j.Orig.Path + ":" + newDelta, nil
	case IsOverlay(j.Orig.Type):
		// LXC splits at the first ':' here: the origin's lower layer is
		// shared, its upper layer copied.
		lower, oldDelta, ok := strings.Cut(j.Orig.Path, ":")
		if !ok {
			return "", fmt.Errorf("lxc.rootfs.path %q of %s: no \":\" between lower and upper directories", j.Orig.Raw, j.OldName)
		}
		if err := CopyTree(oldDelta, delta); err != nil {
			return "", fmt.Errorf("copy overlay upper directory %s: %w", oldDelta, err)
		}
		j.noRdep = snapshotDirPair(j.OldPath, j.OldName, j.NewPath, j.NewName)
		return "overlay:" + lower + ":" + newDelta, nil
	}
	return "", fmt.Errorf("an overlay clone of a %s container is not supported (LXC neither): use -B dir or -B %s", j.Orig.Type, j.Orig.Type)
}

// snapshotDirPair: one side lives in the other's "snaps" directory
// (LXCPATH/NAME/snaps), where LXC records no dependency.
func snapshotDirPair(oldPath, oldName, newPath, newName string) bool {
	o, n := filepath.Clean(oldPath), filepath.Clean(newPath)
	switch {
	case filepath.Base(o) == "snaps":
		return strings.HasPrefix(o, n+"/") && strings.HasPrefix(strings.TrimPrefix(o, n+"/"), newName)
	case filepath.Base(n) == "snaps":
		return strings.HasPrefix(n, o+"/") && strings.HasPrefix(strings.TrimPrefix(n, o+"/"), oldName)
	}
	return false
}

// Destroy removes the upper directory (the lower one belongs to the
// origin).
func (overlayDriver) Destroy(r Rootfs) error {
	_, upper, err := r.Overlay()
	if err != nil {
		return err
	}
	return removeOneDev(upper)
}
