package lxc

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/idmap"
	"github.com/golxc/golxc/internal/lock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/mapped"
	"github.com/golxc/golxc/internal/storage"
	"github.com/golxc/golxc/internal/templates"
)

// BackendStore is a rootfs storage type.
type BackendStore int

const (
	Btrfs BackendStore = iota + 1
	Directory
	LVM
	ZFS
	Aufs
	Overlayfs
	Loopback
	Best
)

// backendNames is static data (an array, not a map built at start).
var backendNames = [...]string{
	Btrfs: "btrfs", Directory: "dir", LVM: "lvm", ZFS: "zfs", Aufs: "aufs",
	Overlayfs: "overlayfs", Loopback: "loop", Best: "best",
}

func (b BackendStore) String() string {
	if b < 0 || int(b) >= len(backendNames) {
		return ""
	}
	return backendNames[b]
}

// Set parses a backing store name (flag.Value); "overlay" is Overlayfs.
func (b *BackendStore) Set(s string) error {
	if s == "overlay" {
		s = "overlayfs"
	}
	for k, v := range backendNames {
		if v == s && v != "" {
			*b = BackendStore(k)
			return nil
		}
	}
	return fmt.Errorf("%s is not a valid backing storage type", s)
}

// storageName is the storage driver of b for a container in lxcpath
// ("best": btrfs when lxcpath is on btrfs, else dir, as LXC's
// btrfs, zfs, lvm, dir order gives on a host without zfs and lvm).
func (b BackendStore) storageName(lxcpath string) string {
	switch b {
	case 0, Directory:
		return "dir"
	case Best:
		if storage.OnBtrfs(lxcpath) {
			return "btrfs"
		}
		return "dir"
	case Overlayfs:
		return "overlay"
	}
	return b.String()
}

// BackendStoreSpecs are the -B options.
type BackendStoreSpecs struct {
	FSType string // loop: mkfs type (default ext4)
	FSSize uint64 // loop: image size in bytes (default 1 GiB)
	Dir    *string
	ZFS    struct{ Root string }
	LVM    struct{ VG, LV, Thinpool string }
	RBD    struct{ Name, Pool string }
}

// TemplateOptions are the options of Create.
type TemplateOptions struct {
	Template     string // name, absolute path, or "" / "none" for no template
	Backend      BackendStore
	BackendSpecs *BackendStoreSpecs
	// ConfigFile is lxc-create -f: the initial config, replacing default.conf.
	ConfigFile string
	ExtraArgs  []string
	// Download template fields (go-lxc's): with Template "download" they
	// become the template's -d/-r/-a/--variant/--server/--keyid/
	// --keyserver/--no-validate/--flush-cache/--force-cache, before ExtraArgs.
	Distro, Release, Arch, Variant, Server, KeyID, KeyServer string
	DisableGPGValidation, FlushCache, ForceCache             bool
}

// BusyboxTemplateOptions creates a busybox container.
var BusyboxTemplateOptions = TemplateOptions{Template: "busybox", Backend: Directory}

// TemplateDirs are searched, in order, for lxc-NAME template scripts.
var TemplateDirs = []string{"/usr/local/share/golxc/templates", "/usr/share/lxc/templates"}

// Create creates the container: directory, config, rootfs, template. On
// any failure (or SIGINT/SIGTERM) everything it made is removed.
func (c *Container) Create(o TemplateOptions) (err error) {
	unlock, err := c.lockDisk()
	if err != nil {
		return err
	}
	defer unlock()
	if c.Defined() {
		return fmt.Errorf("%w: %s", ErrAlreadyDefined, c.ConfigFileName())
	}
	if err := storage.Unavailable(o.Backend.storageName(c.lxcpath)); err != nil {
		return err
	}
	tmpl, builtin, err := templates.Resolve(o.Template, TemplateDirs)
	if err != nil {
		return err
	}
	log.Debugf("Template %q resolved to %q (built-in %q)", o.Template, tmpl, builtin)
	if builtin == templates.BuiltinDownload {
		// As go-lxc hands them to LXC: template arguments (and so in the
		// config header's "Parameters passed to the template").
		o.ExtraArgs = append(downloadArgs(o), o.ExtraArgs...)
	}
	initial, err := initialConfig(o.ConfigFile)
	if err != nil {
		return err
	}
	// The new config is written with LXC 5 names whatever spelling
	// default.conf or -f used.
	initial.ModernizeText()
	if err := checkUserMaps(initial); err != nil {
		return err
	}
	if err := os.MkdirAll(c.lxcpath, 0o755); err != nil {
		return fmt.Errorf("create lxcpath %s: %w", c.lxcpath, err)
	}
	dir := c.Dir()
	u := &undo{}
	// A directory without a config (e.g. holding only NAME.log, opened by
	// -l before the create) is reused, as LXC does; only what this create
	// made is removed on failure.
	switch err := os.Mkdir(dir, 0o770); {
	case err == nil:
		u.add(func() { os.RemoveAll(dir) })
	case errors.Is(err, os.ErrExist):
		st, _ := os.Lstat(dir)
		u.add(func() {
			// Only while DIR is still the directory found here.
			if now, err := os.Lstat(dir); err == nil && st != nil && os.SameFile(st, now) {
				os.Remove(c.ConfigFileName())
			}
		})
	default:
		return fmt.Errorf("create container directory: %w", err)
	}
	os.Chmod(dir, 0o770)
	ns, maps := createUserNS(initial)
	if ns != nil {
		// The container's root must reach its directory once it runs in
		// its user namespace, as LXC's chown_mapped_root does (a user
		// keeps the group, as with LXC).
		log.Debugf("Giving %s to the container's root %d:%d", dir, ns.RootUID, ns.RootGID)
		if err := chownRootOwned(dir, ns, maps); err != nil {
			return fmt.Errorf("give %s to the container's root (lxc.idmap): %w", dir, err)
		}
		if os.Geteuid() != 0 {
			// Files of the mapped ids are the user's to remove only
			// from inside the container's user namespace.
			u.add(func() { mapped.RemoveAll(maps, dir) })
		}
	}
	// An interrupted create must not leave a half container behind: the
	// template is killed first, then what was made is removed.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	stop := make(chan struct{})
	killTemplate := make(chan struct{})
	templateDone := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			log.Infof("Received %v: killing the template and removing what was created", s)
			close(killTemplate)
			<-templateDone
			u.run()
			signal.Reset()
			syscall.Kill(os.Getpid(), s.(syscall.Signal))
		case <-stop:
		}
	}()
	defer func() {
		close(stop)
		signal.Stop(sigs)
		if err != nil {
			u.run()
		}
	}()
	templateFinished := sync.OnceFunc(func() { close(templateDone) })
	defer templateFinished()
	partial, err := lock.CreatePartial(dir)
	if err != nil {
		return err
	}
	log.Tracef("Created %q to mark container as partially created", lock.PartialName)
	defer partial.Done()

	noTemplate := templates.IsNone(o.Template)
	rootfs, raw := "", ""
	if !noTemplate {
		raw, rootfs, err = c.makeRootfs(o, u)
		if err != nil {
			return err
		}
		initial.RemoveLines("lxc.rootfs.path")
		if err := initial.Set("lxc.rootfs.path", raw); err != nil {
			return err
		}
	}
	if err := initial.Save(c.ConfigFileName()); err != nil {
		return err
	}
	log.Tracef("Saved config file %q", c.ConfigFileName())
	if noTemplate {
		log.Infof("Created container %s without a template", c.name)
		return c.LoadConfigFile(c.ConfigFileName())
	}
	dirBefore, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	log.Debugf("Running template %s for %q with rootfs %q", tmpl, c.name, rootfs)
	run := func() error { return c.runTemplate(tmpl, builtin, rootfs, o, ns, maps, killTemplate) }
	if r := storage.Parse(raw); r.Type == "loop" {
		// The template fills the image through a mount, as LXC's create
		// does for block storage. The built-in template runs in a mount
		// namespace of its own, so that not even a SIGKILL leaves it
		// mounted; an external one needs the mount on the host.
		if builtin != "" {
			inner := run
			run = func() error { return withPrivateMount(r, rootfs, inner) }
		} else {
			umount, err := storage.MountAt(r, rootfs)
			if err != nil {
				return err
			}
			u.add(umount)
			defer umount()
		}
	}
	err = run()
	templateFinished()
	if err != nil {
		return err
	}
	log.Debugf("Template %s finished", tmpl)
	// The header is written into DIR/config: a template that swapped the
	// directory (e.g. for a symlink to a host dir) must not redirect it.
	if dirAfter, err := os.Lstat(dir); err != nil || !os.SameFile(dirBefore, dirAfter) {
		return fmt.Errorf("template %s replaced the container directory %s; refusing to write through it", tmpl, dir)
	}
	if err := templates.PrependHeader(c.ConfigFileName(), tmpl, o.ExtraArgs); err != nil {
		return err
	}
	log.Tracef("Wrote the template header into %q", c.ConfigFileName())
	log.Infof("Created container %s from template %s", c.name, tmpl)
	return c.LoadConfigFile(c.ConfigFileName())
}

// initialConfig is the -f file, or lxc.default_config when no -f is given.
func initialConfig(file string) (*config.Config, error) {
	conf := config.New()
	if file == "" {
		file = config.DefaultConfigFile()
		if _, err := os.Stat(file); err != nil {
			return conf, nil
		}
	}
	if err := conf.Load(file); err != nil {
		return nil, err
	}
	return conf, nil
}

// makeRootfs creates the rootfs storage: it returns lxc.rootfs.path and
// the directory the template fills (LXCPATH/NAME/rootfs, or --dir).
func (c *Container) makeRootfs(o TemplateOptions, u *undo) (raw, rootfs string, err error) {
	backend := o.Backend.storageName(c.lxcpath)
	var so storage.CreateOptions
	if sp := o.BackendSpecs; sp != nil {
		if sp.Dir != nil {
			so.Dir = *sp.Dir
		}
		so.FSType, so.FSSize = sp.FSType, sp.FSSize
	}
	if backend == "dir" {
		rootfs, err = c.makeDirRootfs(so.Dir, u)
		return "dir:" + rootfs, rootfs, err
	}
	d, err := storage.Lookup(backend)
	if err != nil {
		return "", "", err
	}
	rootfs = storage.MountPoint(c.Dir())
	log.Debugf("Creating %s storage for %s", backend, c.name)
	raw, err = d.Create(rootfs, so)
	if err != nil {
		os.RemoveAll(rootfs)
		return "", "", err
	}
	u.add(func() {
		if err := storage.Destroy(raw); err != nil {
			log.Warnf("Failed to remove the storage %q of the failed create: %v", raw, err)
		}
		os.RemoveAll(rootfs)
	})
	log.Tracef("Created %s storage %q", backend, raw)
	return raw, rootfs, os.Chmod(rootfs, 0o755)
}

// withPrivateMount runs f with r mounted at target in a mount namespace
// of its own: a goroutine on a thread that unshares its mounts and dies
// with them (it is never unlocked), so the host never sees the mount. f
// must do its file work on that goroutine (the built-in template does).
func withPrivateMount(r storage.Rootfs, target string, f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			errc <- fmt.Errorf("private mount namespace for the template: %w", err)
			return
		}
		if err := unix.Mount("", "/", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
			errc <- fmt.Errorf("private mount namespace for the template: %w", err)
			return
		}
		umount, err := storage.MountAt(r, target)
		if err != nil {
			errc <- err
			return
		}
		err = f()
		umount()
		errc <- err
	}()
	return <-errc
}

// makeDirRootfs creates the dir-backed rootfs (LXCPATH/NAME/rootfs or --dir).
func (c *Container) makeDirRootfs(dir string, u *undo) (string, error) {
	rootfs := storage.MountPoint(c.Dir())
	if dir != "" {
		rootfs = dir
		if !filepath.IsAbs(rootfs) {
			return "", fmt.Errorf("--dir should use absolute path")
		}
	}
	if _, err := os.Stat(rootfs); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(rootfs, 0o755); err != nil {
			return "", fmt.Errorf("create rootfs %s: %w", rootfs, err)
		}
		log.Tracef("Created directory %q", rootfs)
		u.add(func() { os.RemoveAll(rootfs) })
	}
	return rootfs, os.Chmod(rootfs, 0o755)
}

func (c *Container) runTemplate(tmpl, builtin, rootfs string, o TemplateOptions, ns *templates.UserNS, maps []config.IDMap, kill <-chan struct{}) error {
	a := templates.Args{
		Path: c.Dir(), Name: c.name, Rootfs: rootfs, ExtraArgs: o.ExtraArgs,
		ConfigFile: c.ConfigFileName(), MappedUID: -1, MappedGID: -1,
	}
	quiet := c.verbosity&Quiet != 0
	if builtin == templates.BuiltinDownload {
		return c.runDownload(a, ns, maps, quiet, kill)
	}
	if builtin == "busybox" && ns != nil && os.Geteuid() != 0 {
		// A user cannot give files away: the template runs as the root
		// of the container's user namespace (LXC runs its script there).
		log.Debugf("Running the busybox template as the container's root (%d:%d on the host)", ns.RootUID, ns.RootGID)
		if err := mapped.Chown(maps, 0, 0, rootfs); err != nil {
			return fmt.Errorf("give %s to the container's root (lxc.idmap): %w", rootfs, err)
		}
		return mapped.Busybox(maps, a, quiet)
	}
	if builtin == "busybox" {
		if err := templates.Busybox(a); err != nil {
			return err
		}
		if ns == nil {
			return nil
		}
		// Built in Go, in this process: its files are shifted to the
		// container's ids afterwards, as if written in its namespace.
		spec, err := c.initialSpec()
		if err != nil {
			return err
		}
		log.Debugf("Shifting the ownership of %s to the container's lxc.idmap", rootfs)
		if err := templates.ShiftOwnership(rootfs, spec.IDMap); err != nil {
			return fmt.Errorf("give the rootfs to the container's ids (lxc.idmap): %w", err)
		}
		return nil
	}
	if ns != nil {
		// The template runs as the container's root: it must own the
		// rootfs it fills.
		if err := mapped.Chown(maps, 0, 0, rootfs); err != nil {
			return fmt.Errorf("give %s to the container's root (lxc.idmap): %w", rootfs, err)
		}
		log.Debugf("Gave %s to the container's root %d:%d", rootfs, ns.RootUID, ns.RootGID)
	}
	return templates.RunExternal(tmpl, a, templates.RunOptions{Quiet: quiet, UserNS: ns, Kill: kill})
}

// createUserNS is the user namespace templates run in for an idmapped
// container, with the maps it comes from (nil without lxc.idmap, or when
// the maps give no root user and group). A user's namespace is mapped
// through newuidmap/newgidmap, as LXC's lxc-usernsexec does.
func createUserNS(initial *config.Config) (*templates.UserNS, []config.IDMap) {
	spec, err := initial.Spec()
	if err != nil || len(spec.IDMap) == 0 {
		return nil, nil
	}
	ns, ok := templates.UserNSFor(spec.IDMap, os.Geteuid(), os.Getegid())
	if !ok {
		log.Warnf("lxc.idmap has no map for the container's root user and group: the rootfs stays owned by the caller")
		return nil, nil
	}
	return &ns, spec.IDMap
}

// checkUserMaps: a user's lxc.idmap must lie in its /etc/subuid and
// /etc/subgid ranges; checked before anything is created, so a missing
// range is one line that says how to grant it and leaves nothing behind.
func checkUserMaps(initial *config.Config) error {
	if os.Geteuid() == 0 {
		return nil
	}
	spec, err := initial.Spec()
	if err != nil || len(spec.IDMap) == 0 {
		return nil
	}
	uids, gids := idmap.Split(spec.IDMap)
	return idmap.CheckCaller(uids, gids)
}

// chownRootOwned gives the container directory to the container's root:
// root sets both ids, a user only the uid (the group stays its own, so
// it keeps reaching the directory), as LXC.
func chownRootOwned(dir string, ns *templates.UserNS, maps []config.IDMap) error {
	if os.Geteuid() == 0 {
		return os.Chown(dir, ns.RootUID, ns.RootGID)
	}
	return mapped.Chown(maps, 0, -1, dir)
}

func (c *Container) initialSpec() (*config.Spec, error) {
	conf := config.New()
	if err := conf.Load(c.ConfigFileName()); err != nil {
		return nil, err
	}
	return conf.Spec()
}

// undo collects cleanup steps run in reverse order, at most once (from
// the failing create or from its signal handler, whichever comes first).
type undo struct {
	mu    sync.Mutex
	steps []func()
	once  bool
}

func (u *undo) add(f func()) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.steps = append(u.steps, f)
}

func (u *undo) run() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.once {
		return
	}
	u.once = true
	if len(u.steps) > 0 {
		log.Debugf("Undoing %d step(s) of the failed create", len(u.steps))
	}
	for i := len(u.steps) - 1; i >= 0; i-- {
		u.steps[i]()
	}
}
