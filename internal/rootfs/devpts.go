package rootfs

import (
	"fmt"
	"os"
	"path"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/terminal"
)

// setupDevpts mounts a new devpts instance on /dev/pts and points
// /dev/ptmx at its ptmx, as LXC does when lxc.pty.max or lxc.tty.max ask
// for terminals. The lxc.tty.max ttys are allocated from this instance
// (inside, tty1 is pts/0) and bound onto /dev/ttyN.
func (s *Setup) setupDevpts() error {
	max := s.Spec.PTYMax + s.Spec.TTYMax
	if max <= 0 {
		return nil
	}
	if old, err := openInRoot(s.root, "dev/pts", createNone, true); err == nil {
		_ = unix.Unmount(fdPath(old), unix.MNT_DETACH) // e.g. the host's, via an rbind rootfs
		old.Close()
	}
	pts, err := openInRoot(s.root, "dev/pts", createDir, true)
	if err != nil {
		return fmt.Errorf("devpts: /dev/pts: %v", describe(err))
	}
	defer pts.Close()
	base := "newinstance,ptmxmode=0666,mode=0620"
	var mountErr error
	for _, opts := range []string{
		fmt.Sprintf("gid=5,%s,max=%d", base, max),
		fmt.Sprintf("%s,max=%d", base, max),
		"gid=5," + base,
		base,
	} {
		if mountErr = unix.Mount("devpts", fdPath(pts), "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, opts); mountErr == nil {
			log.Tracef("Mount options of the new devpts instance: %s", opts)
			break
		}
	}
	if mountErr != nil {
		return fmt.Errorf("devpts: mounting a new instance on /dev/pts: %v", mountErr)
	}
	log.Debugf("Mounted a new devpts instance on /dev/pts (max %d)", max)
	fd, err := openInRoot(s.root, "dev/pts", createNone, true)
	if err != nil {
		return fmt.Errorf("devpts: reopening /dev/pts: %v", describe(err))
	}
	dir, err := os.OpenFile(fdPath(fd), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	fd.Close()
	if err != nil {
		return fmt.Errorf("devpts: opening /dev/pts: %v", err)
	}
	s.devpts = dir
	if err := s.setupTTYs(); err != nil {
		return err
	}
	if s.Spec.PTYMax <= 0 {
		// Only the ttys wanted it: keep the fd, hide the mount.
		return unix.Unmount(fdPath(dir), unix.MNT_DETACH)
	}
	return s.setupPtmx()
}

// setupPtmx makes /dev/ptmx the new instance's ptmx: a bind mount (what
// AppArmor expects), else a symlink.
func (s *Setup) setupPtmx() error {
	dev, err := openInRoot(s.root, "dev", createNone, true)
	if err != nil {
		return fmt.Errorf("devpts: /dev: %v", describe(err))
	}
	defer dev.Close()
	dfd := int(dev.Fd())
	if err := unix.Unlinkat(dfd, "ptmx", 0); err != nil && err != unix.ENOENT {
		return fmt.Errorf("devpts: removing /dev/ptmx: %v", err)
	}
	if err := unix.Mknodat(dfd, "ptmx", unix.S_IFREG, 0); err != nil && err != unix.EEXIST {
		return fmt.Errorf("devpts: creating /dev/ptmx: %v", err)
	}
	src, err := openInRoot(s.root, "dev/pts/ptmx", createNone, true)
	if err == nil {
		defer src.Close()
		dst, err := openInRoot(s.root, "dev/ptmx", createNone, true)
		if err == nil {
			defer dst.Close()
			if unix.Mount(fdPath(src), fdPath(dst), "", unix.MS_BIND, "") == nil {
				log.Debugf("Mounted \"/dev/pts/ptmx\" onto \"/dev/ptmx\"")
				return nil
			}
		}
	}
	if err := unix.Unlinkat(dfd, "ptmx", 0); err != nil && err != unix.ENOENT {
		return fmt.Errorf("devpts: removing /dev/ptmx: %v", err)
	}
	if err := unix.Symlinkat("pts/ptmx", dfd, "ptmx"); err != nil {
		return fmt.Errorf("devpts: linking /dev/ptmx to pts/ptmx: %v", err)
	}
	log.Debugf("Created symlink from \"/dev/ptmx\" to \"pts/ptmx\"")
	return nil
}

// setupConsole binds ConsolePath at /dev/console (through lxc.tty.dir when set).
func (s *Setup) setupConsole() error {
	if s.ConsolePath == "" {
		return nil
	}
	if err := os.Chmod(s.ConsolePath, 0o620); err != nil {
		return fmt.Errorf("lxc.console: %v", unwrapPathErr(err))
	}
	if dir := s.Spec.TTYDir; dir != "" && s.hasRootfs() {
		inner := path.Join("dev", dir, "console")
		if err := s.bindOnto(s.ConsolePath, inner, "lxc.console"); err != nil {
			return err
		}
		return s.bindWithin(inner, "dev/console", "lxc.console")
	}
	return s.bindOnto(s.ConsolePath, "dev/console", "lxc.console")
}

// setupTTYs allocates lxc.tty.max ptys on the container's devpts and
// binds each slave at /dev/tty1..N; with lxc.tty.dir they live in
// /dev/DIR/ttyN and /dev/ttyN is a symlink to them. The masters are kept
// for the monitor (TTYs). Without a rootfs, as LXC, the host's ttys stay:
// the ptys are allocated but bound nowhere.
func (s *Setup) setupTTYs() error {
	for i := 0; i < s.Spec.TTYMax; i++ {
		p, err := terminal.OpenPTYAt(int(s.devpts.Fd()), "ptmx", 0)
		if err != nil {
			return fmt.Errorf("lxc.tty.max: allocating tty%d on the container's devpts: %w", i+1, err)
		}
		s.ttys = append(s.ttys, p.Master)
		name := fmt.Sprintf("pts/%d", p.Index)
		log.Debugf("Created tty %d as %s on the container's devpts", i+1, name)
		err = s.bindTTY(i+1, p.Peer, name)
		p.Peer.Close()
		if err != nil {
			return err
		}
	}
	if n := len(s.ttys); n > 0 {
		log.Infof("Finished creating %d tty devices", n)
		if s.hasRootfs() {
			log.Infof("Finished setting up %d /dev/tty<N> device(s)", n)
		}
	}
	return nil
}

// bindTTY binds one tty slave (named pts/N, for the log) at its /dev place.
func (s *Setup) bindTTY(n int, pts *os.File, ptsName string) error {
	if !s.hasRootfs() {
		return nil
	}
	name := fmt.Sprintf("tty%d", n)
	dir := s.Spec.TTYDir
	if dir == "" {
		log.Tracef("Binding tty %d (%s) at /dev/%s", n, ptsName, name)
		return s.bindOnto(fdPath(pts), path.Join("dev", name), "lxc.tty.max")
	}
	log.Tracef("Binding tty %d (%s) at /dev/%s/%s", n, ptsName, dir, name)
	if err := s.bindOnto(fdPath(pts), path.Join("dev", dir, name), "lxc.tty.max"); err != nil {
		return err
	}
	dev, err := openInRoot(s.root, "dev", createNone, true)
	if err != nil {
		return fmt.Errorf("lxc.tty.dir: /dev: %v", describe(err))
	}
	defer dev.Close()
	_ = unix.Unlinkat(int(dev.Fd()), name, 0)
	if err := unix.Symlinkat(path.Join(dir, name), int(dev.Fd()), name); err != nil {
		return fmt.Errorf("lxc.tty.dir: linking /dev/%s: %v", name, err)
	}
	log.Tracef("Created symlink from \"/dev/%s\" to \"%s\"", name, path.Join(dir, name))
	return nil
}

// TTYs hands over the masters of the lxc.tty.max ptys, tty1 first. The
// caller owns them.
func (s *Setup) TTYs() []*os.File {
	t := s.ttys
	s.ttys = nil
	return t
}

// bindOnto bind-mounts a host path onto rel inside the rootfs (created as a
// file if missing).
func (s *Setup) bindOnto(hostPath, rel, key string) error {
	tgt, err := openInRoot(s.root, rel, createFile, true)
	if err != nil {
		return fmt.Errorf("%s: /%s: %v", key, rel, describe(err))
	}
	defer tgt.Close()
	if err := unix.Mount(hostPath, fdPath(tgt), "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("%s: bind-mounting %s on /%s: %v", key, hostPath, rel, err)
	}
	log.Debugf("Bind mounted %q onto %q (%s)", hostPath, "/"+rel, key)
	return nil
}

// bindWithin bind-mounts one rootfs path onto another.
func (s *Setup) bindWithin(srcRel, dstRel, key string) error {
	src, err := openInRoot(s.root, srcRel, createNone, true)
	if err != nil {
		return fmt.Errorf("%s: /%s: %v", key, srcRel, describe(err))
	}
	defer src.Close()
	return s.bindOnto(fdPath(src), dstRel, key)
}
