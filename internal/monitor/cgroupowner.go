package monitor

import (
	"os"
	"path/filepath"
	"sort"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/mapped"
)

// chownPayload gives an idmapped container's payload cgroups to its root,
// as LXC's chown_cgroup does, so that an init inside (systemd) can manage
// its own subtree: the directory (0775) and the files that attach
// processes (0664; on cgroup2 also the delegation files) go to the
// container's root group, and to the caller's uid inside the namespace,
// which for root is no uid of the container's and becomes its root, for a
// user is the user itself (its monitor keeps managing them). Failures only
// cost the container that ability: they are logged, as in LXC.
func chownPayload(c *cgroups, maps []config.IDMap) {
	if c == nil || c.cg == nil || len(maps) == 0 {
		return
	}
	uid, hasUID := mappedRoot(maps, 'u')
	gid, hasGID := mappedRoot(maps, 'g')
	if !hasUID || !hasGID {
		return
	}
	paths := c.cg.Paths()
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var targets []string
	for _, k := range keys {
		dir := paths[k]
		files := []string{"tasks", "cgroup.procs"}
		if k == "unified" {
			files = []string{"cgroup.procs", "cgroup.subtree_control", "cgroup.threads"}
		}
		if err := os.Chmod(dir, 0o775); err != nil {
			log.Warnf("Failed to chmod cgroup %s for the container's root: %v", dir, err)
			continue
		}
		targets = append(targets, dir)
		for _, f := range files {
			p := filepath.Join(dir, f)
			if os.Chmod(p, 0o664) == nil {
				targets = append(targets, p)
			}
		}
	}
	if len(targets) == 0 {
		return
	}
	var err error
	if os.Geteuid() == 0 {
		for _, p := range targets {
			if e := os.Lchown(p, uid, gid); e != nil && err == nil {
				err = e
			}
		}
	} else {
		err = mapped.Chown(maps, -1, 0, targets...)
	}
	if err != nil {
		log.Warnf("Failed to give the payload cgroups to the container's root: %v", err)
		return
	}
	log.Debugf("Gave %d payload cgroup directories and files to the container's root (%d:%d)", len(targets), uid, gid)
}
