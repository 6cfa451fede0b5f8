package spawn

import (
	"fmt"
	"os"
	"strings"

	"github.com/golxc/golxc/internal/config"
)

// writeIDMaps installs the id maps of the user namespace that process pid
// has just unshared. Root writes /proc/<pid>/{uid,gid}_map directly; an
// unprivileged caller will need newuidmap/newgidmap (the C stage already
// turns dumpable on for them), which is not implemented yet.
func writeIDMaps(pid int, uidMap, gidMap []config.IDMap) error {
	if len(uidMap) == 0 || len(gidMap) == 0 {
		return fmt.Errorf("spawn: CLONE_NEWUSER needs both a uid map and a gid map (lxc.idmap u and g lines)")
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("spawn: writing id maps as uid %d needs newuidmap/newgidmap, which golxc does not use yet: run as root", os.Geteuid())
	}
	// gid_map before uid_map mirrors LXC; both are single writes.
	if err := writeMap(pid, "gid_map", gidMap); err != nil {
		return err
	}
	return writeMap(pid, "uid_map", uidMap)
}

func writeMap(pid int, name string, m []config.IDMap) error {
	var b strings.Builder
	for _, e := range m {
		fmt.Fprintf(&b, "%d %d %d\n", e.NSID, e.HostID, e.Range)
	}
	path := fmt.Sprintf("/proc/%d/%s", pid, name)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("spawn: open %s: %w", path, err)
	}
	// The kernel needs the whole map in one write(2).
	_, werr := f.Write([]byte(b.String()))
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("spawn: write %s %q: %w", path, strings.ReplaceAll(strings.TrimSpace(b.String()), "\n", "; "), unwrapPath(werr))
	}
	return nil
}

// unwrapPath drops *PathError's duplicate "write /proc/..:" prefix.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
