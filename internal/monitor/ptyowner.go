package monitor

import (
	"fmt"
	"os"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/mapped"
)

// chownTerminals hands the console pty (allocated on the host's devpts)
// to the container's root when it runs in a user namespace, as LXC does:
// the init stage is root only inside its namespace and must open, chmod
// and bind it. The ttys need nothing: the init stage allocates them on
// the container's own devpts.
func chownTerminals(in *instance, maps []config.IDMap) error {
	uid, hasUID := mappedRoot(maps, 'u')
	gid, hasGID := mappedRoot(maps, 'g')
	if !hasUID && !hasGID {
		return nil
	}
	var paths []string
	if in.con != nil {
		paths = append(paths, in.con.pty.slavePath)
	}
	if os.Geteuid() != 0 && len(paths) > 0 {
		// A user gives them away as the root of the container's user
		// namespace (LXC's userns_exec_mapped_root).
		cu, cg := -1, -1
		if hasUID {
			cu = 0
		}
		if hasGID {
			cg = 0
		}
		if err := mapped.Chown(maps, cu, cg, paths...); err != nil {
			return fmt.Errorf("lxc.idmap: give terminal %s to the container's root (%d:%d): %w", paths[0], uid, gid, err)
		}
		log.Tracef("Gave %v to the container's root (%d:%d) from inside its user namespace", paths, uid, gid)
		return nil
	}
	for _, p := range paths {
		if err := os.Lchown(p, uid, gid); err != nil {
			return fmt.Errorf("lxc.idmap: give terminal %s to the container's root (%d:%d): %w", p, uid, gid, err)
		}
	}
	return nil
}

// mappedRoot is the host id of id 0 in the container, or (-1, false).
func mappedRoot(maps []config.IDMap, typ byte) (int, bool) {
	for _, m := range maps {
		if m.Type == typ && m.NSID == 0 && m.Range > 0 {
			return int(m.HostID), true
		}
	}
	return -1, false
}
