package lxc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/mapped"
	"github.com/golxc/golxc/internal/storage"
)

// A plain user's container (lxc.idmap) belongs to its mapped ids: the
// files of a clone must too. golxc does that for overlay snapshots, which
// copy no files of the rootfs (lxc-test-unpriv's lxc-copy -s): the new
// layer's directories go to the container's root, and the new hostname
// is written into the upper layer, since a user cannot mount the overlay
// on the host. Copies of the rootfs itself (which LXC makes with rsync in
// the container's user namespace) are refused in one line.

// userCloneMaps is the container's lxc.idmap when a user (not root)
// clones it, else nil.
func userCloneMaps(spec *config.Spec) []config.IDMap {
	if os.Geteuid() == 0 || len(spec.IDMap) == 0 {
		return nil
	}
	return spec.IDMap
}

// userClonePossible says why a user's clone cannot be made ("" plan
// types golxc handles: overlay snapshots without clone hooks).
func userClonePossible(plan storage.ClonePlan, cloneHooks []string) error {
	if !storage.IsOverlay(plan.Type) || !plan.Snapshot {
		return errors.New("as a user golxc clones an unprivileged container only as an overlay snapshot so far: use lxc-copy -s (-B overlay)")
	}
	if len(cloneHooks) > 0 {
		return errors.New("lxc.hook.clone: clone hooks of a user's unprivileged container are not run by golxc yet: remove the hook or clone as root")
	}
	return nil
}

// userOverlayClone gives the clone's overlay directories to the
// container's root and writes its hostname into the upper layer.
func userOverlayClone(maps []config.IDMap, buildDir, raw, name string, keepName bool) error {
	r := storage.Parse(raw)
	lower, upper, err := r.Overlay()
	if err != nil {
		return err
	}
	// The raw spec names the final directory; the layer is still in the
	// build directory.
	rel, err := filepath.Rel(filepath.Dir(filepath.Dir(upper)), upper)
	if err != nil {
		return err
	}
	delta := filepath.Join(buildDir, rel)
	work := storage.OverlayWorkDir(delta)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	owned := []string{filepath.Dir(delta), delta, work, filepath.Join(buildDir, "rootfs")}
	if !keepName {
		if made, err := upperHostname(lower, delta, name); err != nil {
			return err
		} else {
			owned = append(owned, made...)
		}
	}
	if err := mapped.Chown(maps, 0, 0, owned...); err != nil {
		return fmt.Errorf("give the clone's overlay directories to the container's root: %w", err)
	}
	// The container directory too, keeping the user's group (as a
	// create does): the container's root must reach its layers.
	if err := mapped.Chown(maps, 0, -1, buildDir); err != nil {
		return fmt.Errorf("give the clone's directory to the container's root: %w", err)
	}
	log.Debugf("Gave %v to the container's root", owned)
	return nil
}

// upperHostname writes name as etc/hostname in the upper layer delta when
// a lower layer has that file, and returns what it created.
func upperHostname(lower, delta, name string) ([]string, error) {
	found := false
	for _, l := range filepath.SplitList(lower) {
		if st, err := os.Lstat(filepath.Join(l, "etc", "hostname")); err == nil && st.Mode().IsRegular() {
			found = true
			break
		}
	}
	if !found {
		return nil, nil
	}
	etc := filepath.Join(delta, "etc")
	if err := os.Mkdir(etc, 0o755); err != nil && !os.IsExist(err) {
		return nil, err
	}
	file := filepath.Join(etc, "hostname")
	if err := os.WriteFile(file, []byte(name+"\n"), 0o644); err != nil {
		return nil, err
	}
	return []string{etc, file}, nil
}
