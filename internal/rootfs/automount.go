package rootfs

import (
	"errors"
	"fmt"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/mountinfo"
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// autoStep is one row of LXC's lxc.mount.auto table. An empty dst means
// "unmount src". Paths are relative to the rootfs.
type autoStep struct {
	src, dst, fstype string
	flags            uintptr
	needsNetAdmin    bool // skipped when the container will lack CAP_NET_ADMIN
}

const procFlags = unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_NOSUID

var (
	// proc:mixed: /proc/sys read-only except /proc/sys/net (parked on
	// /proc/tty meanwhile), /proc/sysrq-trigger read-only.
	procMixed = []autoStep{
		{"proc", "proc", "proc", procFlags, false},
		{"proc/sys/net", "proc/tty", "", unix.MS_BIND, true},
		{"proc/sys", "proc/sys", "", unix.MS_BIND, false},
		{"", "proc/sys", "", unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY, false},
		{"proc/tty", "proc/sys/net", "", unix.MS_MOVE, true},
		{"proc/sysrq-trigger", "proc/sysrq-trigger", "", unix.MS_BIND, false},
		{"", "proc/sysrq-trigger", "", unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY, false},
	}
	procRW = []autoStep{{"proc", "proc", "proc", procFlags, false}}
	sysRW  = []autoStep{{"sysfs", "sys", "sysfs", 0, false}}
	sysRO  = []autoStep{{"sysfs", "sys", "sysfs", unix.MS_RDONLY, false}}
	// sys:mixed: read-only /sys but writable devices/virtual/net, taken
	// from a read-write sysfs staged on /proc/sys.
	sysMixed = []autoStep{
		{"sysfs", "proc/sys", "sysfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, false},
		{"sysfs", "sys", "sysfs", unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, false},
		{"proc/sys/devices/virtual/net", "sys/devices/virtual/net", "", unix.MS_BIND, false},
		{"proc/sys", "", "", 0, false},
	}
)

// autoProcSysSteps is the decision behind the proc and sys parts of
// lxc.mount.auto, shared by the Go stage and the init plan: which
// directories to prepare and which steps to take, in order (steps that
// need CAP_NET_ADMIN only when the container keeps it).
func autoProcSysSteps(ma config.MountAuto, netAdmin bool) (dirs []string, steps []autoStep) {
	var all []autoStep
	if ma.Proc != "" {
		dirs = append(dirs, "proc")
		if ma.Proc == "rw" {
			all = append(all, procRW...)
		} else {
			all = append(all, procMixed...)
		}
	}
	if ma.Sys != "" {
		dirs = append(dirs, "sys")
		switch ma.Sys {
		case "rw":
			all = append(all, sysRW...)
		case "ro":
			all = append(all, sysRO...)
		default:
			all = append(all, sysMixed...)
		}
	}
	for _, st := range all {
		if !st.needsNetAdmin || netAdmin {
			steps = append(steps, st)
		}
	}
	return dirs, steps
}

// mountAutoProcSys does the proc and sys parts of lxc.mount.auto.
func (s *Setup) mountAutoProcSys() error {
	dirs, steps := autoProcSysSteps(s.Spec.MountAuto, s.Spec.Caps.Keeps(unix.CAP_NET_ADMIN))
	for _, d := range dirs {
		if err := s.prepareAutoDir(d); err != nil {
			return err
		}
	}
	for _, st := range steps {
		if err := s.autoStep(st); err != nil {
			return fmt.Errorf("lxc.mount.auto: %v", err)
		}
	}
	return nil
}

// prepareAutoDir drops whatever the rootfs bind brought along on dir and
// makes sure the directory exists.
func (s *Setup) prepareAutoDir(dir string) error {
	if s.hasRootfs() {
		if f, err := openInRoot(s.root, dir, createNone, true); err == nil {
			_ = unix.Unmount(fdPath(f), unix.MNT_DETACH)
			f.Close()
		}
	}
	f, err := openInRoot(s.root, dir, createDir, true)
	if err != nil {
		return fmt.Errorf("lxc.mount.auto: %v", describe(err))
	}
	return f.Close()
}

func (s *Setup) autoStep(st autoStep) error {
	if st.dst == "" {
		f, err := openInRoot(s.root, st.src, createNone, true)
		if err != nil {
			return fmt.Errorf("unmounting %q: %v", st.src, describe(err))
		}
		defer f.Close()
		if err := unix.Unmount(fdPath(f), unix.MNT_DETACH); err != nil {
			return fmt.Errorf("unmounting %q: %v", st.src, err)
		}
		log.Tracef("Unmounted %q", "/"+st.src)
		return nil
	}
	src := st.src
	if st.fstype == "" && src != "" {
		f, err := openInRoot(s.root, src, createNone, true)
		if errors.Is(err, unix.ENOENT) {
			logf("lxc.mount.auto: %q does not exist, skipping", src)
			return nil
		}
		if err != nil {
			return fmt.Errorf("%q: %v", src, describe(err))
		}
		defer f.Close()
		src = fdPath(f)
	}
	dst, err := openInRoot(s.root, st.dst, createNone, true)
	if errors.Is(err, unix.ENOENT) {
		logf("lxc.mount.auto: %q does not exist, skipping", st.dst)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%q: %v", st.dst, describe(err))
	}
	defer dst.Close()
	if st.flags&unix.MS_REMOUNT != 0 {
		src = ""
	}
	if err := unix.Mount(src, fdPath(dst), st.fstype, st.flags, ""); err != nil {
		what := st.fstype
		if what == "" {
			what = st.src
		}
		return fmt.Errorf("mounting %s on %q: %v", what, "/"+st.dst, err)
	}
	log.Tracef("Mounted automount %q on %q type %q with flags %#x", st.src, "/"+st.dst, st.fstype, st.flags)
	return nil
}

// cgroupMount is one mount of lxc.mount.auto's cgroup part, relative to
// the rootfs.
type cgroupMount struct {
	src, rel, fstype string
	flags            uintptr
	data             string
}

// cgroupBase is where lxc.mount.auto puts the cgroup mounts.
const cgroupBase = "sys/fs/cgroup"

// cgroupEnv is what lxc.mount.auto's cgroup decision depends on besides
// the setting itself.
type cgroupEnv struct {
	keepsSysAdmin bool // the container keeps CAP_SYS_ADMIN
	inCgroupNS    bool // the container has a cgroup namespace of its own
	pureUnified   bool // the host has only cgroup2, mounted on /sys/fs/cgroup
	hier          []cgroupHierarchy
}

// cgroupEnvFor reads the host's cgroup mounts for the decision.
func (s *Setup) cgroupEnvFor() (cgroupEnv, error) {
	hier, pure, err := hostCgroupHierarchies()
	if err != nil {
		return cgroupEnv{}, fmt.Errorf("lxc.mount.auto: reading host cgroup hierarchies: %v", err)
	}
	return cgroupEnv{
		keepsSysAdmin: s.Spec.Caps.Keeps(unix.CAP_SYS_ADMIN),
		inCgroupNS:    s.CloneFlags&unix.CLONE_NEWCGROUP != 0,
		pureUnified:   pure,
		hier:          hier,
	}, nil
}

// autoCgroupMounts is the decision behind lxc.mount.auto's cgroup part,
// shared by the Go stage and the init plan, with LXC 5.0.2's rules: a
// container that keeps CAP_SYS_ADMIN in a cgroup namespace mounts its
// cgroups itself (nothing is mounted unless :force); on a cgroup2-only
// host, or for "cgroup2", one cgroup2 on /sys/fs/cgroup (which needs a
// cgroup namespace: without one it would show the host's whole tree);
// otherwise a tmpfs on /sys/fs/cgroup with one cgroup filesystem per host
// hierarchy (in a cgroup namespace these show the container's own
// subtree; without one, "mixed" mounts them read-only). remountRO: the
// tmpfs is made read-only once filled.
func autoCgroupMounts(cg config.CgroupMount, env cgroupEnv) (mounts []cgroupMount, remountRO bool, err error) {
	if cg.Mode == "" {
		return nil, false, nil
	}
	force := cg.Force || !env.keepsSysAdmin || env.pureUnified
	if env.inCgroupNS && !force {
		log.Tracef("lxc.mount.auto: no cgroup mounts: the container keeps CAP_SYS_ADMIN and mounts its cgroups itself (add :force to mount them)")
		return nil, false, nil
	}
	cgFlags := uintptr(unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_RELATIME)
	if env.pureUnified || cg.V2 {
		if !env.inCgroupNS {
			return nil, false, fmt.Errorf("lxc.mount.auto: the cgroup2 hierarchy cannot be mounted in a container without a cgroup namespace (it would show the host's whole tree): give the container one (lxc.namespace.keep/clone) or drop cgroup from lxc.mount.auto")
		}
		if cg.Mode == "ro" {
			cgFlags |= unix.MS_RDONLY
		}
		return []cgroupMount{{"cgroup2", cgroupBase, "cgroup2", cgFlags, ""}}, false, nil
	}
	mounts = append(mounts, cgroupMount{"cgroup_root", cgroupBase, "tmpfs", cgFlags, cgroupTmpfsData})
	for _, h := range env.hier {
		flags := cgFlags
		if cg.Mode == "ro" || (cg.Mode == "mixed" && !env.inCgroupNS) {
			flags |= unix.MS_RDONLY
		}
		mounts = append(mounts, cgroupMount{h.fstype, path.Join(cgroupBase, h.name), h.fstype, flags, h.opts})
	}
	return mounts, cg.Mode == "ro" || cg.Mode == "mixed", nil
}

const (
	cgroupTmpfsData = "size=10240k,mode=755"
	// cgroupRemountFlags make the filled tmpfs read-only.
	cgroupRemountFlags = unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_RELATIME
)

// mountAutoCgroup does the cgroup part of lxc.mount.auto, after /sys is in
// place.
func (s *Setup) mountAutoCgroup() error {
	env, err := s.cgroupEnvFor()
	if err != nil {
		return err
	}
	mounts, remountRO, err := autoCgroupMounts(s.Spec.MountAuto.Cgroup, env)
	if err != nil {
		return err
	}
	for _, m := range mounts {
		if err := s.mountFS(m.src, m.rel, m.fstype, m.flags, m.data); err != nil {
			return err
		}
	}
	if remountRO {
		f, err := openInRoot(s.root, cgroupBase, createNone, true)
		if err != nil {
			return fmt.Errorf("lxc.mount.auto: %v", describe(err))
		}
		defer f.Close()
		if err := unix.Mount("", fdPath(f), "", cgroupRemountFlags, cgroupTmpfsData); err != nil {
			return fmt.Errorf("lxc.mount.auto: remounting /sys/fs/cgroup read-only: %v", err)
		}
	}
	return nil
}

func (s *Setup) mountFS(src, rel, fstype string, flags uintptr, data string) error {
	f, err := openInRoot(s.root, rel, createDir, true)
	if err != nil {
		return fmt.Errorf("lxc.mount.auto: %v", describe(err))
	}
	defer f.Close()
	if err := unix.Mount(src, fdPath(f), fstype, flags, data); err != nil {
		return fmt.Errorf("lxc.mount.auto: mounting %s on /%s: %v", fstype, rel, err)
	}
	return nil
}

type cgroupHierarchy struct{ name, fstype, opts string }

// hostCgroupHierarchies lists the cgroup mounts under /sys/fs/cgroup as
// seen before pivot, with the options that select their controllers, and
// whether cgroup2 itself is mounted on /sys/fs/cgroup (a cgroup2-only
// host).
func hostCgroupHierarchies() (out []cgroupHierarchy, pureUnified bool, err error) {
	ms, err := mountinfo.Read()
	if err != nil {
		return nil, false, err
	}
	seen := map[string]bool{}
	for _, m := range ms {
		if m.FSType == "cgroup2" && m.Point == "/sys/fs/cgroup" {
			pureUnified = true
		}
		if (m.FSType != "cgroup" && m.FSType != "cgroup2") || path.Dir(m.Point) != "/sys/fs/cgroup" || seen[m.Point] {
			continue
		}
		seen[m.Point] = true
		var opts []string
		for _, o := range strings.Split(m.Super, ",") {
			if o != "rw" && o != "ro" {
				opts = append(opts, o)
			}
		}
		out = append(out, cgroupHierarchy{name: path.Base(m.Point), fstype: m.FSType, opts: strings.Join(opts, ",")})
	}
	return out, pureUnified, nil
}
