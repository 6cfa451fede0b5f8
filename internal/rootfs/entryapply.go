package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
)

// entryTarget maps an entry's target to a path relative to s.root. skip is
// set for absolute targets outside the rootfs, which LXC ignores.
func (s *Setup) entryTarget(t string) (rel string, skip bool) {
	if !s.hasRootfs() || !filepath.IsAbs(t) {
		return strings.TrimLeft(t, "/"), false
	}
	// LXC matches these prefixes with strstr(), anywhere in the target.
	if s.LXCPath != "" {
		p := filepath.Join(s.LXCPath, s.Name, "rootfs")
		if i := strings.Index(t, p); i >= 0 {
			return strings.TrimLeft(t[i+len(p):], "/"), false
		}
	}
	if p := s.Spec.Rootfs.Path; p != "" {
		if i := strings.Index(t, p); i >= 0 {
			return strings.TrimLeft(t[i+len(p):], "/"), false
		}
	}
	return "", true
}

// bindRemountFlags are the per-mount flags a bind mount only honours on a
// second, remounting mount(2) call.
const bindRemountFlags = unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC |
	unix.MS_NOATIME | unix.MS_NODIRATIME | unix.MS_RELATIME | unix.MS_STRICTATIME

// applyEntry mounts one parsed entry; label names it in errors
// ("lxc.mount.entry 3", "lxc.mount.fstab FILE:LINE").
func (s *Setup) applyEntry(label string, e *config.MountEntry) error {
	if e.Err != nil {
		return e.Err // a line LXC too accepts when loading and fails here
	}
	rel, skip := s.entryTarget(e.Target)
	if skip {
		logf("Ignoring mount point %q: not under the rootfs", e.Target)
		return nil
	}
	fail := func(format string, args ...any) error {
		err := fmt.Errorf("%s (%s -> %s): "+format, append([]any{label, e.Source, e.Target}, args...)...)
		if e.Optional {
			logf("skipping optional entry: %v", err)
			return nil
		}
		return err
	}
	// LXC makes the create=dir/file target before it tries the mount, so
	// an optional entry whose source is missing still leaves the target.
	noSource := func(format string, args ...any) error {
		if e.Optional && e.Create != createNone {
			if tgt, err := openInRoot(s.root, rel, e.Create, false); err == nil {
				logf("created %s for optional entry %s without a source", rel, label)
				tgt.Close()
			}
		}
		return fail(format, args...)
	}

	src := e.Source
	if e.Relative {
		f, err := openInRoot(s.root, e.Source, createNone, false)
		if err != nil {
			if errors.Is(err, unix.ENOENT) {
				return noSource("source does not exist; add 'optional' to skip it")
			}
			return fail("source: %v", describe(err))
		}
		defer f.Close()
		src = fdPath(f)
	} else if e.Flags&unix.MS_BIND != 0 {
		if _, err := os.Stat(src); err != nil {
			if os.IsNotExist(err) {
				return noSource("source does not exist; add 'optional' to skip it")
			}
			return fail("source: %v", describe(err))
		}
	}

	// proc and sysfs must land exactly where asked: no symlink at all.
	strict := e.FSType == "proc" || e.FSType == "sysfs"
	tgt, err := openInRoot(s.root, rel, e.Create, strict)
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return fail("target %q does not exist; add 'create=dir' or 'create=file'", rel)
		}
		return fail("%v", describe(err))
	}
	defer tgt.Close()

	if e.Flags&unix.MS_REMOUNT == 0 {
		if err := unix.Mount(src, fdPath(tgt), e.FSType, e.Flags, e.Data); err != nil {
			return fail("mount failed: %v", err)
		}
	}
	log.Debugf("Mounted %q on %q with filesystem type %q, flags %#x, data %q (%s)", e.Source, "/"+rel, e.FSType, e.Flags, e.Data, label)
	needRemount := e.Flags&unix.MS_REMOUNT != 0 || (e.Flags&unix.MS_BIND != 0 && e.Flags&bindRemountFlags != 0)
	if !needRemount && e.Propagation == 0 {
		return nil
	}
	// Reopen: tgt still points below the mount we just made.
	top, err := openInRoot(s.root, rel, createNone, strict)
	if err != nil {
		return fail("reopening target: %v", describe(err))
	}
	defer top.Close()
	if needRemount {
		flags := e.Flags&^unix.MS_REC | unix.MS_REMOUNT
		data := e.Data
		if e.Flags&unix.MS_BIND != 0 {
			// Keep what the source mount locks (nosuid, nodev...) unless
			// the entry explicitly asks otherwise, as LXC does.
			flags |= sourceMountFlags(src) &^ e.ClearFlags
			data = ""
		}
		if err := unix.Mount("", fdPath(top), e.FSType, flags, data); err != nil {
			return fail("remount failed: %v", err)
		}
		log.Debugf("Remounted %q with flags %#x to respect bind or remount options", "/"+rel, flags)
	}
	if e.Propagation != 0 {
		if err := unix.Mount("", fdPath(top), "", e.Propagation, ""); err != nil {
			return fail("setting propagation failed: %v", err)
		}
	}
	return nil
}

// sourceMountFlags reads the flags of the mount holding path.
func sourceMountFlags(path string) uintptr {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0
	}
	var f uintptr
	for _, m := range []struct{ st, ms uintptr }{
		{unix.ST_RDONLY, unix.MS_RDONLY}, {unix.ST_NOSUID, unix.MS_NOSUID},
		{unix.ST_NODEV, unix.MS_NODEV}, {unix.ST_NOEXEC, unix.MS_NOEXEC},
	} {
		if uintptr(st.Flags)&m.st != 0 {
			f |= m.ms
		}
	}
	return f
}

// describe strips Go's "open x:" decoration down to what the user needs.
func describe(err error) error {
	var esc *escapeError
	var sym *symlinkError
	if errors.As(err, &esc) || errors.As(err, &sym) {
		return err
	}
	return unwrapPathErr(err)
}
