package templates

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

// UserNS is how a template runs for a container with lxc.idmap: in a user
// namespace with the container's maps, plus one entry that maps the
// caller's own ids to a free container id so that the template can still
// reach the files the caller owns (the config). LXC does the same through
// lxc-usernsexec and passes that container id as --mapped-uid/--mapped-gid.
type UserNS struct {
	UIDMaps, GIDMaps     []syscall.SysProcIDMap
	MappedUID, MappedGID int // the caller's ids inside the namespace
	RootUID, RootGID     int // host ids of the container's root
}

// UserNSFor builds the namespace for maps and the caller's euid/egid; ok
// is false unless the maps give the container a root user and group (LXC
// cannot start such a container either).
func UserNSFor(maps []config.IDMap, euid, egid int) (ns UserNS, ok bool) {
	var rootU, rootG bool
	ns.UIDMaps, ns.MappedUID, ns.RootUID, rootU = sideMaps(maps, 'u', uint32(euid))
	ns.GIDMaps, ns.MappedGID, ns.RootGID, rootG = sideMaps(maps, 'g', uint32(egid))
	return ns, rootU && rootG
}

func sideMaps(maps []config.IDMap, typ byte, caller uint32) (out []syscall.SysProcIDMap, mapped, root int, hasRoot bool) {
	mapped, root = -1, -1
	for _, m := range maps {
		if m.Type != typ {
			continue
		}
		out = append(out, syscall.SysProcIDMap{ContainerID: int(m.NSID), HostID: int(m.HostID), Size: int(m.Range)})
		if m.NSID == 0 && m.Range > 0 {
			root, hasRoot = int(m.HostID), true
		}
		if caller >= m.HostID && uint64(caller) < uint64(m.HostID)+uint64(m.Range) {
			mapped = int(m.NSID + caller - m.HostID)
		}
	}
	if mapped < 0 {
		mapped = int(freeNSID(maps, typ))
		out = append(out, syscall.SysProcIDMap{ContainerID: mapped, HostID: int(caller), Size: 1})
	}
	return out, mapped, root, hasRoot
}

// freeNSID is the lowest container id no map of type typ covers.
func freeNSID(maps []config.IDMap, typ byte) uint32 {
	free := uint32(0)
	for again := true; again; {
		again = false
		for _, m := range maps {
			if m.Type == typ && free >= m.NSID && uint64(free) < uint64(m.NSID)+uint64(m.Range) {
				free, again = m.NSID+m.Range, true
			}
		}
	}
	return free
}

// HostID maps a container id to the host through maps of type typ; ok is
// false when no map covers it.
func HostID(maps []config.IDMap, typ byte, id uint32) (uint32, bool) {
	for _, m := range maps {
		if m.Type == typ && id >= m.NSID && uint64(id) < uint64(m.NSID)+uint64(m.Range) {
			return m.HostID + id - m.NSID, true
		}
	}
	return 0, false
}

// ShiftOwnership gives every file under root (root included) the host ids
// its current ids map to, as if it had been written inside the container's
// user namespace: golxc's built-in template runs in lxc-create itself, and
// LXC runs templates in that namespace. Ids outside the maps are left.
// Each inode is shifted once (hard links), symlinks themselves are
// chowned, and set-id bits that chown clears are put back.
func ShiftOwnership(root string, maps []config.IDMap) error {
	type inode struct{ dev, ino uint64 }
	seen := map[inode]bool{}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		key := inode{st.Dev, st.Ino}
		if seen[key] {
			return nil
		}
		seen[key] = true
		uid, uok := HostID(maps, 'u', st.Uid)
		gid, gok := HostID(maps, 'g', st.Gid)
		if !uok && !gok {
			return nil
		}
		newUID, newGID := -1, -1
		if uok {
			newUID = int(uid)
		}
		if gok {
			newGID = int(gid)
		}
		if err := os.Lchown(p, newUID, newGID); err != nil {
			return err
		}
		if mode := st.Mode & (unix.S_ISUID | unix.S_ISGID); mode != 0 && st.Mode&unix.S_IFMT != unix.S_IFLNK {
			return unix.Chmod(p, st.Mode&0o7777)
		}
		return nil
	})
}
