package spawn

import (
	"fmt"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/idmap"
)

// writeIDMaps installs the id maps of the user namespace that process pid
// has just unshared: root writes them itself, a user goes through
// newuidmap/newgidmap (the C stage turns dumpable on for them).
func writeIDMaps(pid int, uidMap, gidMap []config.IDMap) error {
	if err := idmap.Write(pid, uidMap, gidMap); err != nil {
		return fmt.Errorf("spawn: %w", err)
	}
	return nil
}
