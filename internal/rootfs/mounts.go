// Package rootfs turns the host's view, inside a fresh private mount
// namespace, into the container's: rootfs, lxc.mount.* entries, autodev,
// devpts, console/ttys, then pivot_root. Every target inside the rootfs is
// reached through an fd that was resolved without leaving the rootfs.
package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/mapped"
	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/storage"
)

// DefaultRootfsMount is LXC's compiled-in lxc.rootfs.mount.
const DefaultRootfsMount = "/usr/lib/x86_64-linux-gnu/lxc/rootfs"

// Setup assembles a container's filesystem view. Call Prepare once, on the
// thread that will exec the payload, inside the container's new mount
// namespace.
type Setup struct {
	Name        string
	Spec        *config.Spec
	RootfsMount string // where to assemble the rootfs ("" = Spec.Rootfs.Mount or DefaultRootfsMount)
	ConsolePath string // host path of the console pty slave to bind at /dev/console ("" = none)
	RunHook     func(hookType string) error
	// PlanHook adds a hook type's commands to an exec plan (Plan); nil
	// makes a config with hooks inside the container not plannable.
	PlanHook func(p *nsexec.Plan, hookType string)
	LXCPath  string // optional: lets absolute targets use LXCPATH/NAME/rootfs as prefix, as LXC does
	// CloneFlags are the namespaces the container gets (CLONE_NEW*):
	// lxc.mount.auto's cgroup mounts depend on a cgroup namespace.
	CloneFlags uintptr

	root   *os.File // the assembled rootfs (or host "/" without a rootfs)
	devpts *os.File
	ttys   []*os.File // lxc.tty.max masters, allocated on devpts
}

// Prepare performs the whole filesystem setup in LXC's order and ends with
// the process rooted in the container's rootfs.
func (s *Setup) Prepare() error {
	if s.Spec == nil {
		return errors.New("rootfs setup: no container configuration given")
	}
	// Host mounts keep flowing in, ours never flow out.
	if err := unix.Mount("", "/", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("rootfs setup: making / a recursive slave mount: %v", err)
	}
	log.Tracef("Turned all mount table entries into dependent mounts")
	if err := s.hook("pre-mount"); err != nil {
		return err
	}
	if err := s.mountRootfs(); err != nil {
		return err
	}
	defer func() { s.root.Close(); s.root = nil }()

	autodev := s.Spec.Autodev && s.hasRootfs()
	if autodev {
		if err := s.mountAutodev(); err != nil {
			return err
		}
	}
	if err := s.mountAutoProcSys(); err != nil {
		return err
	}
	if err := s.mountFstab(); err != nil {
		return err
	}
	for i := range s.Spec.MountEntries {
		if err := s.applyEntry(fmt.Sprintf("lxc.mount.entry %d", i+1), &s.Spec.MountEntries[i]); err != nil {
			return err
		}
	}
	log.Debugf("Applied %d lxc.mount.entry lines", len(s.Spec.MountEntries))
	if err := s.mountAutoCgroup(); err != nil {
		return err
	}
	if err := s.hook("mount"); err != nil {
		return err
	}
	if autodev {
		if err := s.hook("autodev"); err != nil {
			return err
		}
		if err := s.fillAutodev(); err != nil {
			return err
		}
	}
	// The console is bound while its host path still names the host's
	// pty (without a rootfs, /dev/pts is about to become the new devpts).
	if err := s.setupConsole(); err != nil {
		return err
	}
	if err := s.setupDevpts(); err != nil {
		return err
	}
	if err := s.setupDevSymlinks(); err != nil {
		return err
	}
	return s.pivot()
}

// Devpts returns the container's devpts instance as a directory fd (nil
// when none was mounted). The caller owns it.
func (s *Setup) Devpts() (*os.File, error) {
	if s.devpts == nil {
		return nil, nil
	}
	f := s.devpts
	s.devpts = nil
	return f, nil
}

func (s *Setup) hasRootfs() bool { return s.Spec.Rootfs.Path != "" }

func (s *Setup) hook(kind string) error {
	if s.RunHook == nil {
		return nil
	}
	log.Tracef("Running %s hooks", kind)
	if err := s.RunHook(kind); err != nil {
		return fmt.Errorf("lxc.hook.%s: %v", kind, err)
	}
	return nil
}

// mountRootfs mounts lxc.rootfs.path at the rootfs mount point and opens it.
func (s *Setup) mountRootfs() error {
	if !s.hasRootfs() {
		f, err := os.OpenFile("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("rootfs setup: opening /: %v", err)
		}
		log.Debugf("No lxc.rootfs.path: the container uses the host's root")
		s.root = f
		return nil
	}
	mnt, err := s.rootfsMountPoint()
	if err != nil {
		return err
	}
	rfs := s.Spec.Rootfs
	if rfs.OptionsErr != nil {
		return rfs.OptionsErr
	}
	if rfs.PathErr != nil {
		return rfs.PathErr
	}
	flags, prop := rfs.Flags, rfs.Propagation
	m, err := rootfsMountSpec(rfs, s.Spec.IDMap)
	if err != nil {
		return err
	}
	// A loop device stays attached only while the mount holds it.
	defer m.Release()
	if m.Bind() {
		if err := unix.Mount(m.Source, mnt, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("lxc.rootfs.path: bind-mounting %q on %q: %v", m.Source, mnt, err)
		}
		if extra := flags &^ (unix.MS_BIND | unix.MS_REC); extra != 0 {
			if err := unix.Mount("", mnt, "", unix.MS_REMOUNT|unix.MS_BIND|extra, ""); err != nil {
				return fmt.Errorf("lxc.rootfs.options %q: remounting %q: %v", rfs.Options, mnt, err)
			}
		}
	} else if err := unix.Mount(m.Source, mnt, m.FSType, flags, m.Data); err != nil {
		return fmt.Errorf("lxc.rootfs.path: mounting %s %q on %q: %v", rfs.Type, rfs.Raw, mnt, err)
	}
	if prop != 0 {
		if err := unix.Mount("", mnt, "", prop, ""); err != nil {
			return fmt.Errorf("lxc.rootfs.options %q: setting propagation on %q: %v", rfs.Options, mnt, err)
		}
	}
	f, err := os.OpenFile(mnt, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("rootfs setup: opening %q: %v", mnt, err)
	}
	log.Debugf("Mounted rootfs %q onto %q with options %q", rfs.Path, mnt, rfs.Options)
	s.root = f
	return nil
}

// rootfsMountPoint picks and creates the assembly directory.
func (s *Setup) rootfsMountPoint() (string, error) {
	mnt := s.RootfsMount
	if mnt == "" {
		mnt = s.Spec.Rootfs.Mount
	}
	if mnt == "" {
		mnt = DefaultRootfsMount
	}
	if err := os.MkdirAll(mnt, 0o755); err == nil {
		return mnt, nil
	}
	// Read-only /usr and the like: fall back to a runtime directory.
	alt := filepath.Join(config.GolxcRuntimeDir(), s.Name, "rootfs")
	if err := os.MkdirAll(alt, 0o755); err != nil {
		return "", fmt.Errorf("lxc.rootfs.mount: cannot create %q nor %q: %v", mnt, alt, err)
	}
	s.RootfsMount = alt
	return alt, nil
}

// rootfsMountSpec asks the rootfs's storage driver how to mount it
// (creating an overlay's upper and work directories, attaching a loop
// device).
// maps is the container's lxc.idmap: a user (not root) makes an overlay's
// upper and work directories as the container's root, since they sit in
// the container's directory, which that root owns.
func rootfsMountSpec(rfs config.RootfsSpec, maps []config.IDMap) (*storage.MountSpec, error) {
	r := storage.Rootfs{Type: rfs.Type, Path: rfs.Path, Raw: rfs.Raw}
	if r.Type == "" {
		r.Type = "dir"
	}
	d, err := storage.DriverOf(r)
	if err != nil {
		return nil, fmt.Errorf("lxc.rootfs.path %q: %v", rfs.Raw, err)
	}
	if storage.IsOverlay(r.Type) && os.Geteuid() != 0 && len(maps) > 0 {
		if _, upper, err := r.Overlay(); err == nil {
			if err := mapped.MkdirAll(maps, upper, storage.OverlayWorkDir(upper)); err != nil {
				return nil, fmt.Errorf("lxc.rootfs.path: creating overlay upper and work dirs as the container's root: %v", err)
			}
		}
	}
	return d.Mount(r, rfs.Data)
}

// mountFstab reads lxc.mount.fstab's file now (it may have changed since
// the config was loaded), parses all its lines, then mounts them in order.
func (s *Setup) mountFstab() error {
	entries, err := readFstab(s.Spec.MountFstab)
	if err != nil {
		return err
	}
	for i := range entries {
		e := &entries[i]
		if err := s.applyEntry(fmt.Sprintf("lxc.mount.fstab %s:%d", e.File, e.Line), e); err != nil {
			return err
		}
	}
	return nil
}

// readFstab reads and parses lxc.mount.fstab's file ("" reads nothing)
// at start, all lines before any is mounted: the file may have changed
// since the config was loaded.
func readFstab(file string) ([]config.MountEntry, error) {
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("lxc.mount.fstab: %v", unwrapPathErr(err))
	}
	return config.ParseFstab(file, data)
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

// logf keeps debug chatter out of the way of tests that drive Prepare directly.
var logf = log.Debugf
