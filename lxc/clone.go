package lxc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/hooks"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/storage"
	"github.com/golxc/golxc/internal/storage/rdeps"
)

// CloneOptions are the options of Clone (go-lxc's, plus lxc-copy's).
type CloneOptions struct {
	Backend    BackendStore // 0: LXC's choice (overlay for a snapshot of a directory, else the origin's type)
	ConfigPath string       // lxcpath of the clone ("" = the origin's)
	KeepName   bool         // keep lxc.uts.name and the rootfs's /etc/hostname
	KeepMAC    bool         // keep the hwaddrs
	Snapshot   bool         // copy-on-write snapshot instead of a copy

	AllowRunning bool     // clone a running container
	NewSize      uint64   // size of new block storage (bytes; 0 = the origin's or 1 GiB)
	HookArgs     []string // extra arguments for lxc.hook.clone

	// adopt: entries of an existing, config-less directory of the
	// clone's name that move into the clone (a restore keeps "snaps").
	adopt []string
}

// ErrCloneFailed is what a failed clone wraps.
const ErrCloneFailed = lxcError("cloning the container failed")

// cloneTempPrefix names the hidden directory a clone is built in: the
// clone appears under its name only once complete.
const cloneTempPrefix = ".golxc-clone-"

// Clone copies (or snapshots) the container as name. The clone is built
// in a hidden directory and renamed into place at the end: an interrupted
// clone leaves no half container, and the origin is not modified until
// the clone exists (its lxc_snapshots then records a snapshot clone).
func (c *Container) Clone(name string, o CloneOptions) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if !c.Defined() {
		return ErrNotDefined
	}
	if err := c.ConfigError(); err != nil {
		return err
	}
	unlockDisk, err := c.lockDisk()
	if err != nil {
		return err
	}
	// Released before the origins' lxc_snapshots are updated: that takes
	// the same lock, which an OFD lock does not share even with itself.
	unlock := sync.OnceFunc(unlockDisk)
	defer unlock()
	if !o.AllowRunning && c.Running() {
		return fmt.Errorf("%w: original container (%s) is running; use --allowrunning if you want to force a snapshot of the running container", ErrCloneFailed, c.name)
	}
	newPath := c.lxcpath
	if o.ConfigPath != "" {
		newPath = strings.TrimRight(o.ConfigPath, "/")
	}
	nc := &Container{name: name, lxcpath: newPath}
	if nc.Defined() {
		return fmt.Errorf("%w: %s exists", ErrAlreadyDefined, nc.ConfigFileName())
	}
	if nc.Dir() == c.Dir() {
		return fmt.Errorf("%w: the clone would replace its origin %s", ErrCloneFailed, c.Dir())
	}
	unlockNew, err := nc.lockDisk()
	if err != nil {
		return err
	}
	defer unlockNew()
	spec, err := c.Spec()
	if err != nil {
		return err
	}
	if spec.Rootfs.Raw == "" {
		return fmt.Errorf("%w: %s has no lxc.rootfs.path to copy", ErrCloneFailed, c.name)
	}
	orig := storage.Parse(spec.Rootfs.Raw)
	want := ""
	if o.Backend != 0 {
		want = o.Backend.storageName(newPath)
	}
	snap := o.Snapshot || (want == "" && c.btrfsDefaultSnapshot(orig, newPath))
	plan, err := storage.PlanClone(orig.Type, want, snap, c.lxcpath, newPath)
	if err != nil {
		return err
	}
	maps := userCloneMaps(spec)
	if maps != nil {
		if err := userClonePossible(plan, spec.Hooks[hooks.Clone]); err != nil {
			return fmt.Errorf("%w: %v", ErrCloneFailed, err)
		}
	}
	log.Debugf("Cloning %s into %s as %s storage (snapshot %v)", c.Dir(), nc.Dir(), plan.Type, plan.Snapshot)
	if err := os.MkdirAll(newPath, 0o755); err != nil {
		return fmt.Errorf("create lxcpath %s: %w", newPath, err)
	}
	sweepCloneTemps(newPath)
	b, err := newCloneBuild(newPath, name)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			b.remove()
		}
	}()
	job := &storage.CloneJob{
		Orig: orig, OldName: c.name, OldPath: c.lxcpath, NewName: name, NewPath: newPath,
		BuildDir: b.dir, Type: plan.Type, Snapshot: plan.Snapshot, NewSize: o.NewSize,
	}
	raw, err := storage.Clone(job)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCloneFailed, err)
	}
	b.raw = raw
	if maps != nil {
		if err := userOverlayClone(maps, b.dir, raw, nc.name, o.KeepName); err != nil {
			return fmt.Errorf("%w: %v", ErrCloneFailed, err)
		}
	}
	if err := c.writeCloneConfig(nc, b.dir, raw, o); err != nil {
		return fmt.Errorf("%w: %v", ErrCloneFailed, err)
	}
	if plan.Snapshot {
		if err := rdeps.CopyRdepends(c.Dir(), b.dir); err != nil {
			log.Infof("Error copying reverse dependencies: %v", err)
		}
	}
	if plan.NeedRdep && !job.NoRdep() {
		if err := rdeps.AddRdepend(b.dir, storage.Dep{Path: c.lxcpath, Name: c.name}); err != nil {
			log.Warnf("Error adding reverse dependency from %s to %s: %v", name, c.name, err)
		}
	}
	if maps == nil {
		if err := c.updateCloneRootfs(nc, b, spec.Hooks[hooks.Clone], o); err != nil {
			return fmt.Errorf("%w: %v", ErrCloneFailed, err)
		}
	}
	if err := b.adopt(nc.Dir(), o.adopt); err != nil {
		return fmt.Errorf("%w: %v", ErrCloneFailed, err)
	}
	if err := b.commit(nc.Dir()); err != nil {
		return fmt.Errorf("%w: %v", ErrCloneFailed, err)
	}
	done = true
	if b.trash != "" {
		removeCloneTemp(b.trash)
	}
	unlock()
	rdeps.ModAll(nc.Dir(), newPath, name, true)
	log.Infof("Cloned %s to %s", c.name, name)
	return nil
}

// btrfsDefaultSnapshot is LXC's should_default_to_snapshot: a btrfs
// subvolume rootfs cloned within one btrfs filesystem is snapshotted.
func (c *Container) btrfsDefaultSnapshot(orig storage.Rootfs, newPath string) bool {
	return (orig.Type == "btrfs" || orig.Type == "dir") && storage.IsSubvolume(orig.Path) &&
		storage.OnBtrfs(c.Dir()) && storage.OnBtrfs(newPath)
}

// writeCloneConfig writes the clone's config (and its copies of hook
// scripts and the fstab file) into the build directory.
func (c *Container) writeCloneConfig(nc *Container, dir, raw string, o CloneOptions) error {
	text, err := os.ReadFile(c.ConfigFileName())
	if err != nil {
		return err
	}
	newText, copies := rewriteCloneConfig(string(text), cloneEdit{
		OldDir: c.Dir(), NewDir: nc.Dir(), Rootfs: raw, NewName: nc.name,
		KeepName: o.KeepName, KeepMAC: o.KeepMAC,
	}, randomMAC)
	for _, cp := range copies {
		to := filepath.Join(dir, strings.TrimPrefix(cp.To, nc.Dir()+"/"))
		if err := storage.CopyFile(cp.From, to, false); err != nil {
			return fmt.Errorf("copy %s for the clone: %w", cp.From, err)
		}
		log.Debugf("Copied %q to %q", cp.From, cp.To)
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(newText), 0o640); err != nil {
		return err
	}
	log.Tracef("Wrote the config of clone %s", nc.name)
	return nil
}

// updateCloneRootfs runs lxc.hook.clone and writes the new hostname into
// the clone's rootfs, mounted for the purpose when it is not a directory.
func (c *Container) updateCloneRootfs(nc *Container, b *cloneBuild, cloneHooks []string, o CloneOptions) error {
	if o.KeepName && len(cloneHooks) == 0 {
		return nil
	}
	r := storage.Parse(b.buildRaw())
	if len(cloneHooks) == 0 && !overlayMayHave(r, "etc/hostname") {
		// Nothing to run and no hostname file in any layer: no mount.
		return nil
	}
	rootfs := r.Path
	if r.Type != "dir" && r.Type != "btrfs" {
		rootfs = storage.MountPoint(b.dir)
		umount, err := storage.MountAt(r, rootfs)
		if err != nil {
			return fmt.Errorf("mount the clone's rootfs: %w", err)
		}
		defer umount()
	}
	if len(cloneHooks) > 0 {
		hc := hooks.Context{
			Name: nc.name, ConfigFile: filepath.Join(b.dir, "config"), RootfsMount: rootfs,
			RootfsPath: b.raw, ExtraEnv: []string{"LXC_SRC_NAME=" + c.name}, ExtraArgs: o.HookArgs,
		}
		if err := hooks.Run(hooks.Clone, cloneHooks, hc); err != nil {
			return fmt.Errorf("error executing clone hook for %s: %w", nc.name, err)
		}
	}
	if !o.KeepName {
		if err := writeHostname(rootfs, nc.name); err != nil {
			return err
		}
	}
	return nil
}

// overlayMayHave: rel may exist in the overlay r (some layer has it);
// true for other storage types, which are looked at through a mount.
func overlayMayHave(r storage.Rootfs, rel string) bool {
	if !storage.IsOverlay(r.Type) {
		return true
	}
	lower, upper, err := r.Overlay()
	if err != nil {
		return true
	}
	for _, layer := range append(strings.Split(lower, ":"), upper) {
		if _, err := os.Lstat(filepath.Join(layer, rel)); err == nil {
			return true
		}
	}
	return false
}

// writeHostname replaces ROOTFS/etc/hostname when it is there, never
// through a symlink (it would lead out of the rootfs).
func writeHostname(rootfs, name string) error {
	etc := filepath.Join(rootfs, "etc")
	if st, err := os.Lstat(etc); err != nil || !st.IsDir() {
		return nil
	}
	path := filepath.Join(etc, "hostname")
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		log.Errorf("unable to open %s: ignoring", path)
		return nil
	}
	_, err = f.WriteString(name)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		log.Debugf("Wrote hostname %q into %s", name, path)
	}
	return err
}

// cloneBuild is the hidden directory a clone is assembled in. It is
// flock'ed while in use: one nobody holds is the leftover of a killed
// clone, which the next clone into the lxcpath removes.
type cloneBuild struct {
	dir  string
	raw  string // the clone's lxc.rootfs.path (final paths)
	lock *os.File
	dest string

	adopted []string // entries taken from dest (given back by remove)
	trash   string   // where the rest of dest went
}

func newCloneBuild(lxcpath, name string) (*cloneBuild, error) {
	dir, err := os.MkdirTemp(lxcpath, cloneTempPrefix+name+"-")
	if err != nil {
		return nil, fmt.Errorf("create the clone's build directory in %s: %w", lxcpath, err)
	}
	f, err := os.Open(dir)
	if err == nil {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	os.Chmod(dir, 0o770)
	log.Tracef("Building the clone in %q", dir)
	return &cloneBuild{dir: dir, lock: f, dest: filepath.Join(lxcpath, name)}, nil
}

// buildRaw is the clone's lxc.rootfs.path as seen before the rename.
func (b *cloneBuild) buildRaw() string {
	return strings.ReplaceAll(b.raw, b.dest+"/", b.dir+"/")
}

// commit renames the build directory to the clone's name (an empty
// directory of that name, e.g. made for lxc-copy -e, is replaced).
func (b *cloneBuild) commit(dest string) error {
	if err := unix.Renameat2(unix.AT_FDCWD, b.dir, unix.AT_FDCWD, dest, unix.RENAME_NOREPLACE); err != nil {
		if !errors.Is(err, unix.EEXIST) || os.Remove(dest) != nil {
			return fmt.Errorf("move the clone into place at %s: %w", dest, err)
		}
		if err := unix.Renameat2(unix.AT_FDCWD, b.dir, unix.AT_FDCWD, dest, unix.RENAME_NOREPLACE); err != nil {
			return fmt.Errorf("move the clone into place at %s: %w", dest, err)
		}
	}
	log.Tracef("Moved %q to %q", b.dir, dest)
	b.lock.Close()
	return nil
}

// adopt moves the named entries of dest into the build directory (an
// empty directory the clone made there is replaced), then moves what is
// left of dest aside, to be removed once the clone is in place.
func (b *cloneBuild) adopt(dest string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	for _, n := range names {
		from, to := filepath.Join(dest, n), filepath.Join(b.dir, n)
		if _, err := os.Lstat(from); err != nil {
			continue
		}
		os.Remove(to)
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("keep %s: %w", from, err)
		}
		b.adopted = append(b.adopted, n)
		log.Tracef("Moved %q into the clone", from)
	}
	trash, err := os.MkdirTemp(filepath.Dir(dest), cloneTempPrefix+"old-")
	if err == nil {
		os.Remove(trash)
		err = os.Rename(dest, trash)
	}
	if err != nil {
		return fmt.Errorf("move %s aside: %w", dest, err)
	}
	b.trash = trash
	return nil
}

// remove undoes a failed clone.
func (b *cloneBuild) remove() {
	if b.trash != "" {
		if err := os.Rename(b.trash, b.dest); err != nil {
			log.Errorf("Failed to move %s back to %s: %v", b.trash, b.dest, err)
		}
	}
	for _, n := range b.adopted {
		os.Remove(filepath.Join(b.dest, n))
		if err := os.Rename(filepath.Join(b.dir, n), filepath.Join(b.dest, n)); err != nil {
			log.Errorf("Failed to give %s back to %s: %v; it stays in %s", n, b.dest, err, b.dir)
			b.lock.Close()
			return
		}
	}
	removeCloneTemp(b.dir)
	b.lock.Close()
}

func removeCloneTemp(dir string) {
	unix.Unmount(filepath.Join(dir, "rootfs"), unix.MNT_DETACH)
	unix.Unmount(filepath.Join(dir, ".origin"), unix.MNT_DETACH)
	if sub := filepath.Join(dir, "rootfs"); storage.IsSubvolume(sub) {
		storage.SubvolumeDelete(sub)
	}
	if err := removeTree(dir); err != nil {
		log.Warnf("Failed to remove %s: %v", dir, err)
		return
	}
	log.Debugf("Removed the unfinished clone %q", dir)
}

// sweepCloneTemps removes what killed clones left in lxcpath.
func sweepCloneTemps(lxcpath string) {
	entries, _ := os.ReadDir(lxcpath)
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), cloneTempPrefix) {
			continue
		}
		dir := filepath.Join(lxcpath, e.Name())
		f, err := os.Open(dir)
		if err != nil {
			continue
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
			if _, err := os.Stat(filepath.Join(dir, "snaps")); err == nil {
				// Snapshots are never removed behind the user's back.
				log.Warnf("%s holds the snapshots of an interrupted restore: move %s back into its container", dir, filepath.Join(dir, "snaps"))
			} else {
				removeCloneTemp(dir)
			}
		}
		f.Close()
	}
}
