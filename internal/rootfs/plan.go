package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/nsexec"
)

// ErrNotPlannable says a setup needs the Go stage (Prepare): the reason is
// wrapped in the error.
var ErrNotPlannable = errors.New("not expressible as an exec plan")

// Plannable reports why s cannot be an exec plan ("" when it can): the
// plan covers what Prepare does (directory and overlay storage); hooks
// run inside the container need PlanHook.
func (s *Setup) Plannable() string {
	if s.Spec == nil {
		return "no configuration"
	}
	for _, h := range []string{"pre-mount", "mount", "autodev"} {
		if len(s.Spec.Hooks[h]) > 0 && s.PlanHook == nil {
			return "lxc.hook." + h + " runs inside the container"
		}
	}
	if s.hasRootfs() {
		switch t := s.Spec.Rootfs.Type; t {
		case "", "dir", "overlay", "overlayfs", "btrfs", "loop":
		default:
			return "lxc.rootfs.path of type " + t
		}
	}
	return ""
}

// Plan appends Prepare's steps to p as exec-plan operations for the C
// executor, in the same order, with the same checks and messages. What
// must happen on the host (creating the rootfs mount point, reading the
// fstab file and the host's cgroup hierarchies) happens here, now.
func (s *Setup) Plan(p *nsexec.Plan) error {
	if why := s.Plannable(); why != "" {
		return fmt.Errorf("%w: %s", ErrNotPlannable, why)
	}
	p.MountHost("rootfs setup: making / a recursive slave mount", "Turned all mount table entries into dependent mounts", "", "/", "", unix.MS_SLAVE|unix.MS_REC, "")
	s.planHook(p, "pre-mount")
	if err := s.planRootfs(p); err != nil {
		return err
	}
	autodev := s.Spec.Autodev && s.hasRootfs()
	if autodev {
		s.planAutodevMount(p)
	}
	s.planAutoProcSys(p)
	if err := s.planFstab(p); err != nil {
		return err
	}
	for i := range s.Spec.MountEntries {
		s.planEntry(p, fmt.Sprintf("lxc.mount.entry %d", i+1), &s.Spec.MountEntries[i])
	}
	if err := s.planAutoCgroup(p); err != nil {
		return err
	}
	s.planHook(p, "mount")
	if autodev {
		s.planHook(p, "autodev")
		nodes := make([]nsexec.Node, 0, len(autodevNodes))
		for _, n := range autodevNodes {
			nodes = append(nodes, nsexec.Node{Name: n.name, Major: n.major, Minor: n.minor})
		}
		p.Autodev(nodes)
	}
	s.planConsole(p)
	if max := s.Spec.PTYMax + s.Spec.TTYMax; max > 0 {
		p.Devpts(max, s.Spec.TTYMax, s.Spec.TTYDir, s.hasRootfs(), s.Spec.PTYMax > 0)
	}
	p.DevLinks()
	if s.hasRootfs() {
		p.Pivot(s.RootfsMount)
	}
	return nil
}

// planHook adds the kind's hooks (PlanHook says how to run them).
func (s *Setup) planHook(p *nsexec.Plan, kind string) {
	if len(s.Spec.Hooks[kind]) > 0 {
		s.PlanHook(p, kind)
	}
}

// heldLoops are loop devices attached for plans of this process.
var heldLoops []*os.File

// planRootfs mounts lxc.rootfs.path as its storage driver says (overlay
// directories are created and loop devices attached now, on the host) at
// its mount point, which it creates now on the host, and opens it as the
// root.
func (s *Setup) planRootfs(p *nsexec.Plan) error {
	if !s.hasRootfs() {
		log.Debugf("No lxc.rootfs.path: the container uses the host's root")
		p.OpenRoot("/", "rootfs setup: opening /")
		return nil
	}
	rfs := s.Spec.Rootfs
	if rfs.OptionsErr != nil {
		return rfs.OptionsErr
	}
	if rfs.PathErr != nil {
		return rfs.PathErr
	}
	mnt, err := s.rootfsMountPoint()
	if err != nil {
		return err
	}
	s.RootfsMount = mnt
	mounted := fmt.Sprintf("Mounted rootfs %q onto %q with options %q", rfs.Path, mnt, rfs.Options)
	m, err := rootfsMountSpec(rfs, s.Spec.IDMap)
	if err != nil {
		return err
	}
	if m.Hold != nil {
		// The executor mounts later, in another process: the loop
		// device must stay attached until then, so this process holds
		// it for its life (it detaches once unmounted and released).
		heldLoops = append(heldLoops, m.Hold)
	}
	if m.Bind() {
		p.MountHost(fmt.Sprintf("lxc.rootfs.path: bind-mounting %q on %q", m.Source, mnt), mounted, m.Source, mnt, "", unix.MS_BIND|unix.MS_REC, "")
		if extra := rfs.Flags &^ (unix.MS_BIND | unix.MS_REC); extra != 0 {
			p.MountHost(fmt.Sprintf("lxc.rootfs.options %q: remounting %q", rfs.Options, mnt), "", "", mnt, "", unix.MS_REMOUNT|unix.MS_BIND|extra, "")
		}
	} else {
		p.MountHost(fmt.Sprintf("lxc.rootfs.path: mounting %s %q on %q", rfs.Type, rfs.Raw, mnt), mounted, m.Source, mnt, m.FSType, rfs.Flags, m.Data)
	}
	if rfs.Propagation != 0 {
		p.MountHost(fmt.Sprintf("lxc.rootfs.options %q: setting propagation on %q", rfs.Options, mnt), "", "", mnt, "", rfs.Propagation, "")
	}
	p.OpenRoot(mnt, fmt.Sprintf("rootfs setup: opening %q", mnt))
	return nil
}

func (s *Setup) planAutodevMount(p *nsexec.Plan) {
	size := s.Spec.AutodevTmpfsSize
	if size <= 0 {
		size = defaultAutodevSize
	}
	p.MountIn(nsexec.In{DstErr: "lxc.autodev: /dev", MountErr: "lxc.autodev: mounting tmpfs on /dev",
		Src: "none", Dst: "dev", Create: nsexec.CreateDir, NoSymlinks: true, FSType: "tmpfs",
		Data: fmt.Sprintf("size=%d,mode=755", size), Log: fmt.Sprintf("Prepared \"/dev\" (tmpfs size=%d)", size)})
	p.MkdirIn("dev/pts", true, "lxc.autodev: /dev/pts")
}

func (s *Setup) planAutoProcSys(p *nsexec.Plan) {
	dirs, steps := autoProcSysSteps(s.Spec.MountAuto, s.Spec.Caps.Keeps(unix.CAP_NET_ADMIN))
	for _, d := range dirs {
		s.planAutoDir(p, d)
	}
	for _, st := range steps {
		if st.dst == "" {
			p.UmountIn(st.src, true, fmt.Sprintf("lxc.mount.auto: unmounting %q", st.src))
			continue
		}
		what := st.fstype
		if what == "" {
			what = st.src
		}
		m := nsexec.In{SrcErr: fmt.Sprintf("lxc.mount.auto: %q", st.src), DstErr: fmt.Sprintf("lxc.mount.auto: %q", st.dst),
			MountErr: fmt.Sprintf("lxc.mount.auto: mounting %s on %q", what, "/"+st.dst),
			Src:      st.src, Dst: st.dst, NoSymlinks: true, FSType: st.fstype, Flags: st.flags, SkipMissing: true,
			Log: fmt.Sprintf("Mounted automount %q on %q type %q with flags %#x", st.src, "/"+st.dst, st.fstype, st.flags)}
		if st.fstype == "" && st.src != "" {
			m.SrcMode = nsexec.SrcInRootStrict
		}
		if st.flags&unix.MS_REMOUNT != 0 {
			m.SrcMode, m.Src = nsexec.SrcAsIs, ""
		}
		p.MountIn(m)
	}
}

// planAutoDir: drop what the rootfs bind brought along on dir, make sure
// the directory exists.
func (s *Setup) planAutoDir(p *nsexec.Plan, dir string) {
	if s.hasRootfs() {
		p.UmountIn(dir, true, "")
	}
	p.MkdirIn(dir, true, "lxc.mount.auto")
}

// planFstab reads lxc.mount.fstab's file now (the monitor sees the same
// host files as the stage before its pivot).
func (s *Setup) planFstab(p *nsexec.Plan) error {
	entries, err := readFstab(s.Spec.MountFstab)
	if err != nil {
		return err
	}
	for i := range entries {
		e := &entries[i]
		s.planEntry(p, fmt.Sprintf("lxc.mount.fstab %s:%d", e.File, e.Line), e)
	}
	return nil
}

// planEntry is applyEntry's decisions; the C performs them.
func (s *Setup) planEntry(p *nsexec.Plan, label string, e *config.MountEntry) {
	if e.Err != nil {
		p.Fail(e.Err.Error())
		return
	}
	rel, skip := s.entryTarget(e.Target)
	if skip {
		logf("Ignoring mount point %q: not under the rootfs", e.Target)
		return
	}
	p.MountEntry(nsexec.Entry{
		Label: label, Source: e.Source, Target: e.Target, Rel: rel,
		Relative:    e.Relative,
		CheckSource: !e.Relative && e.Flags&unix.MS_BIND != 0,
		FSType:      e.FSType, Flags: e.Flags, Data: e.Data,
		Create:      int(e.Create),
		Optional:    e.Optional,
		NoSymlinks:  e.FSType == "proc" || e.FSType == "sysfs",
		Remount:     e.Flags&unix.MS_REMOUNT != 0 || (e.Flags&unix.MS_BIND != 0 && e.Flags&bindRemountFlags != 0),
		ClearFlags:  e.ClearFlags,
		Propagation: e.Propagation,
	})
}

func (s *Setup) planAutoCgroup(p *nsexec.Plan) error {
	env, err := s.cgroupEnvFor()
	if err != nil {
		return err
	}
	mounts, remountRO, err := autoCgroupMounts(s.Spec.MountAuto.Cgroup, env)
	if err != nil {
		return err
	}
	for _, m := range mounts {
		p.MountIn(nsexec.In{DstErr: "lxc.mount.auto", MountErr: fmt.Sprintf("lxc.mount.auto: mounting %s on /%s", m.fstype, m.rel),
			Src: m.src, Dst: m.rel, Create: nsexec.CreateDir, NoSymlinks: true, FSType: m.fstype, Flags: m.flags, Data: m.data})
	}
	if remountRO {
		p.MountIn(nsexec.In{DstErr: "lxc.mount.auto", MountErr: "lxc.mount.auto: remounting /sys/fs/cgroup read-only",
			Dst: cgroupBase, NoSymlinks: true, Flags: cgroupRemountFlags, Data: cgroupTmpfsData})
	}
	return nil
}

// planConsole binds the console's pty at /dev/console (through
// lxc.tty.dir when set).
func (s *Setup) planConsole(p *nsexec.Plan) {
	if s.ConsolePath == "" {
		return
	}
	p.ChmodHost(s.ConsolePath, 0o620, "lxc.console")
	bind := func(mode int, src, rel string) {
		p.MountIn(nsexec.In{SrcErr: "lxc.console: /" + src, DstErr: "lxc.console: /" + rel,
			MountErr: fmt.Sprintf("lxc.console: bind-mounting %s on /%s", src, rel),
			SrcMode:  mode, Src: src, Dst: rel, Create: nsexec.CreateFile, NoSymlinks: true, Flags: unix.MS_BIND})
	}
	if dir := s.Spec.TTYDir; dir != "" && s.hasRootfs() {
		inner := path.Join("dev", dir, "console")
		bind(nsexec.SrcAsIs, s.ConsolePath, inner)
		bind(nsexec.SrcInRootStrict, inner, "dev/console")
		return
	}
	bind(nsexec.SrcAsIs, s.ConsolePath, "dev/console")
}
