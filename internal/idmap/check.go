package idmap

import (
	"fmt"
	"strings"

	"github.com/golxc/golxc/internal/config"
)

// Caller is who asks for the maps: the user newuidmap checks.
type Caller struct {
	Name     string
	UID, GID uint32
}

// Split returns the u and g entries of a container's lxc.idmap.
func Split(maps []config.IDMap) (uids, gids []config.IDMap) {
	for _, m := range maps {
		switch m.Type {
		case 'u':
			uids = append(uids, m)
		case 'g':
			gids = append(gids, m)
		}
	}
	return uids, gids
}

// MissingRangeError says which host ids of a map the caller was not
// delegated, and the usermod command that delegates every missing one.
type MissingRangeError struct {
	Map   config.IDMap // the first entry that is not allowed
	File  string       // /etc/subuid or /etc/subgid
	User  string
	Grant string // usermod --add-subuids A-B --add-subgids A-B USER
}

func (e *MissingRangeError) Error() string {
	kind := "uids"
	if e.Map.Type == 'g' {
		kind = "gids"
	}
	r := hostRange(e.Map)
	return fmt.Sprintf("lxc.idmap = %c %d %d %d: host %s %s are not delegated to %s in %s: as root run: %s",
		e.Map.Type, e.Map.NSID, e.Map.HostID, e.Map.Range, kind, r, e.User, e.File, e.Grant)
}

func hostRange(m config.IDMap) Range { return Range{Start: uint64(m.HostID), Count: uint64(m.Range)} }

// Check verifies that newuidmap and newgidmap will accept the maps for
// the caller: every host range lies within the caller's delegated ranges,
// except a single id that is the caller's own (shadow lets a user map
// its own uid and gid anywhere). The error names the first entry that is
// not allowed and the usermod command that grants all of them.
func Check(uids, gids []config.IDMap, who Caller, subuid, subgid []Range) error {
	var first *config.IDMap
	var file string
	var grant []string
	for _, side := range []struct {
		maps  []config.IDMap
		typ   byte
		own   uint32
		have  []Range
		file  string
		under string
	}{
		{uids, 'u', who.UID, subuid, SubUIDFile, "--add-subuids"},
		{gids, 'g', who.GID, subgid, SubGIDFile, "--add-subgids"},
	} {
		for _, m := range side.maps {
			m.Type = side.typ
			if m.Range == 0 || (m.Range == 1 && m.HostID == side.own) || Covers(side.have, hostRange(m)) {
				continue
			}
			if first == nil {
				first, file = &m, side.file
			}
			grant = append(grant, side.under, hostRange(m).String())
		}
	}
	if first == nil {
		return nil
	}
	return &MissingRangeError{
		Map: *first, File: file, User: who.Name,
		Grant: "usermod " + strings.Join(grant, " ") + " " + who.Name,
	}
}
