package lxc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/storage"
	"github.com/golxc/golxc/internal/storage/rdeps"
)

// Snapshot is one snapshot of a container (go-lxc's fields).
type Snapshot struct {
	Name        string // snapN
	CommentPath string // SNAPDIR/snapN/comment (it may not exist)
	Timestamp   string // "YYYY:MM:DD HH:MM:SS", local time
	Path        string // the snapshot directory (an lxcpath)
}

// ErrSnapshotNotFound: no such snapshot.
const ErrSnapshotNotFound = lxcError("snapshot not found")

// Snapshot takes a snapshot (snapN, the next free N) of the stopped
// container: a storage snapshot where its backend has one (overlay,
// btrfs), else a full copy. Name and MACs are kept.
func (c *Container) Snapshot() (*Snapshot, error) { return c.SnapshotWithComment("") }

// SnapshotWithComment is Snapshot with a comment file copied into the
// snapshot (lxc-snapshot -c).
func (c *Container) SnapshotWithComment(commentFile string) (*Snapshot, error) {
	if !c.Defined() {
		return nil, ErrNotDefined
	}
	spec, err := c.Spec()
	if err != nil {
		return nil, err
	}
	if spec.Rootfs.Raw == "" {
		return nil, fmt.Errorf("%s has no lxc.rootfs.path to snapshot", c.name)
	}
	var comment []byte
	if commentFile != "" {
		if comment, err = os.ReadFile(commentFile); err != nil {
			return nil, fmt.Errorf("comment file: %w", err)
		}
	}
	dir := c.snapshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create snapshot directory %s: %w", dir, err)
	}
	name := nextSnapName(dir)
	r := storage.Parse(spec.Rootfs.Raw)
	d, err := storage.DriverOf(r)
	if err != nil {
		return nil, err
	}
	// LXC copies what its backend cannot snapshot (a directory, a loop
	// image) and keeps the backend type.
	snap := d.CanSnapshot() && r.Type != "dir"
	if !snap {
		log.Infof("Snapshot of %s-backed container %s is a copy", r.Type, c.name)
	}
	o := CloneOptions{ConfigPath: dir, KeepName: true, KeepMAC: true, Snapshot: snap}
	if r.Type != "dir" {
		o.Backend.Set(r.Type)
	}
	if err := c.Clone(name, o); err != nil {
		return nil, err
	}
	s := &Snapshot{Name: name, Path: dir, CommentPath: filepath.Join(dir, name, "comment"),
		Timestamp: time.Now().Format("2006:01:02 15:04:05")}
	if err := os.WriteFile(filepath.Join(dir, name, "ts"), []byte(s.Timestamp), 0o644); err != nil {
		return s, err
	}
	if comment != nil {
		if err := os.WriteFile(s.CommentPath, comment, 0o644); err != nil {
			return s, err
		}
	}
	log.Infof("Created snapshot %s of %s", name, c.name)
	return s, nil
}

// nextSnapName is snapN for the first N without an entry in dir.
func nextSnapName(dir string) string {
	for i := 0; ; i++ {
		n := "snap" + strconv.Itoa(i)
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			return n
		}
	}
}

// Snapshots lists the container's snapshots, in snapN order.
func (c *Container) Snapshots() ([]Snapshot, error) {
	if !c.Defined() {
		return nil, ErrNotDefined
	}
	dir := c.snapshotDir()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Snapshot
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "config")); err != nil {
			continue
		}
		ts, _ := os.ReadFile(filepath.Join(dir, e.Name(), "ts"))
		out = append(out, Snapshot{Name: e.Name(), Path: dir, Timestamp: string(ts),
			CommentPath: filepath.Join(dir, e.Name(), "comment")})
	}
	sort.Slice(out, func(i, j int) bool { return snapLess(out[i].Name, out[j].Name) })
	return out, nil
}

func snapLess(a, b string) bool {
	na, ea := strconv.Atoi(strings.TrimPrefix(a, "snap"))
	nb, eb := strconv.Atoi(strings.TrimPrefix(b, "snap"))
	if ea == nil && eb == nil {
		return na < nb
	}
	return a < b
}

// snapshotNamed checks that the snapshot exists.
func (c *Container) snapshotNamed(name string) (*Container, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	s := &Container{name: name, lxcpath: c.snapshotDir()}
	if !s.Defined() {
		return nil, fmt.Errorf("%w: %s has no snapshot %s (see lxc-snapshot -L)", ErrSnapshotNotFound, c.name, name)
	}
	return NewContainer(name, c.snapshotDir())
}

// DestroySnapshot destroys one snapshot.
func (c *Container) DestroySnapshot(s Snapshot) error {
	sc, err := c.snapshotNamed(s.Name)
	if err != nil {
		return err
	}
	return sc.Destroy()
}

// RestoreSnapshot makes container name (in the container's lxcpath) from
// the snapshot: a new container, or, when name is the container's own
// name ("" too), the container replaced by the snapshot (its snapshots
// stay).
func (c *Container) RestoreSnapshot(s Snapshot, name string) error {
	if !c.Defined() {
		return ErrNotDefined
	}
	if name == "" {
		name = c.name
	}
	if rdeps.HasDependents(c.Dir()) {
		return fmt.Errorf("%w: %s's rootfs has dependent snapshots", ErrHasClones, c.name)
	}
	sc, err := c.snapshotNamed(s.Name)
	if err != nil {
		return err
	}
	spec, err := c.Spec()
	if err != nil {
		return err
	}
	r := storage.Parse(spec.Rootfs.Raw)
	o := CloneOptions{Snapshot: r.Type != "dir" && r.Type != "loop"}
	if r.Type != "" {
		o.Backend.Set(r.Type)
	}
	if name != c.name {
		o.ConfigPath = c.lxcpath
		return sc.Clone(name, o)
	}
	return c.restoreOver(sc, o)
}

// restoreOver replaces the container by a clone of snapshot sc, keeping
// its snapshots (and an overlay container's rootfs directory, which may be
// their lower layer): the old container moves aside, the clone is built
// under its name, adopting those, and the old one is then removed.
func (c *Container) restoreOver(sc *Container, o CloneOptions) error {
	if c.Running() {
		return ErrRunning
	}
	spec, err := c.Spec()
	if err != nil {
		return err
	}
	oldRaw := spec.Rootfs.Raw
	keepRootfs := storage.IsOverlay(storage.Parse(oldRaw).Type)
	o.ConfigPath = c.lxcpath
	o.adopt = []string{"snaps"}
	if keepRootfs {
		o.adopt = append(o.adopt, "rootfs")
	}
	// The config goes first: the directory, with the snapshots the clone
	// reads from, stays where their paths point.
	cfg := c.ConfigFileName()
	saved := filepath.Join(c.Dir(), ".config.restore")
	if err := os.Rename(cfg, saved); err != nil {
		return err
	}
	// As LXC's destroy of the old container: its origins forget it; the
	// clone records itself again.
	me := storage.Dep{Path: c.lxcpath, Name: c.name}
	origins := rdeps.Rdepends(c.Dir())
	rdeps.Update(origins, me, false)
	if err := sc.Clone(c.name, o); err != nil {
		os.Rename(saved, cfg)
		rdeps.Update(origins, me, true)
		return err
	}
	log.Infof("Restored snapshot %s over %s", sc.name, c.name)
	return c.LoadConfigFile(c.ConfigFileName())
}
