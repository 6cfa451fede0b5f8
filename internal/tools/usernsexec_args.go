package tools

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/idmap"
)

// usernsexecUsage is LXC 5.0.2's text (printed on stdout for -h and for
// a bad option or map).
const usernsexecUsage = `usage: %s [-h] [-m <uid-maps>] [-s] -- [command [arg ..]]

  -h            this message

  -m <uid-maps> uid maps to use

  -s:           map self
  uid-maps: [u|g|b]:ns_id:host_id:range
            [u|g|b]: map user id, group id, or both
            ns_id: the base id in the new namespace
            host_id: the base id in the parent namespace
            range: how many ids to map
  Note: This program uses newuidmap(2) and newgidmap(2).
        As such, /etc/subuid and /etc/subgid must grant the
        calling user permission to use the mapped ranges
`

// usernsexecArgs is a parsed lxc-usernsexec command line.
type usernsexecArgs struct {
	maps    []config.IDMap // in command-line order, b: gives u then g
	mapSelf bool
	help    bool
	cmd     []string
}

// parseUsernsexec parses "m:hs" as glibc's getopt does: options may follow
// operands (they are permuted) until "--". A usage error returns the
// message glibc prints on stderr ("" for a bad map, where LXC prints only
// the usage).
func parseUsernsexec(prog string, args []string) (a usernsexecArgs, bad bool, msg string) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			a.cmd = append(a.cmd, args[i+1:]...)
			break
		}
		if len(arg) < 2 || arg[0] != '-' {
			a.cmd = append(a.cmd, arg)
			continue
		}
		for j := 1; j < len(arg); j++ {
			switch c := arg[j]; c {
			case 'h':
				a.help = true
				return a, false, ""
			case 's':
				a.mapSelf = true
			case 'm':
				v := arg[j+1:]
				if v == "" {
					if i+1 >= len(args) {
						return a, true, fmt.Sprintf("%s: option requires an argument -- 'm'\n", prog)
					}
					i++
					v = args[i]
				}
				m, ok := parseUsernsexecMap(v)
				if !ok {
					return a, true, ""
				}
				a.maps = append(a.maps, m...)
				j = len(arg)
			default:
				return a, true, fmt.Sprintf("%s: invalid option -- '%c'\n", prog, c)
			}
		}
	}
	return a, false, ""
}

// parseUsernsexecMap reads "u|g|b:NSID:HOSTID:RANGE".
func parseUsernsexecMap(s string) ([]config.IDMap, bool) {
	f := strings.Split(s, ":")
	if len(f) != 4 || len(f[0]) != 1 || !strings.Contains("ugb", f[0]) {
		return nil, false
	}
	var n [3]uint32
	for i, x := range f[1:] {
		v, err := strconv.ParseUint(x, 10, 32)
		if err != nil {
			return nil, false
		}
		n[i] = uint32(v)
	}
	var out []config.IDMap
	for _, t := range []byte{'u', 'g'} {
		if f[0][0] == t || f[0][0] == 'b' {
			out = append(out, config.IDMap{Type: t, NSID: n[0], HostID: n[1], Range: n[2]})
		}
	}
	return out, true
}

// usernsexecDefaultMaps is what runs without -m: the caller's first
// /etc/subuid and first /etc/subgid range, both at id 0 (LXC takes only
// the first line of each: with more it cannot know which one is meant).
func usernsexecDefaultMaps(subuid, subgid []idmap.Range) ([]config.IDMap, bool) {
	if len(subuid) == 0 || len(subgid) == 0 {
		return nil, false
	}
	return []config.IDMap{
		{Type: 'u', NSID: 0, HostID: uint32(subuid[0].Start), Range: uint32(subuid[0].Count)},
		{Type: 'g', NSID: 0, HostID: uint32(subgid[0].Start), Range: uint32(subgid[0].Count)},
	}, true
}

// usernsexecMapSelf adds -s's entries: the caller's gid, then uid, each
// at a namespace id counted as LXC does: from 0, walking the maps in
// order, an id inside a map moves on by that map's range.
func usernsexecMapSelf(maps []config.IDMap, uid, gid uint32) []config.IDMap {
	var nsuid, nsgid uint64
	for _, m := range maps {
		p := &nsgid
		if m.Type == 'u' {
			p = &nsuid
		}
		if *p >= uint64(m.NSID) && *p < uint64(m.NSID)+uint64(m.Range) {
			*p += uint64(m.Range)
		}
	}
	return append(maps,
		config.IDMap{Type: 'g', NSID: uint32(nsgid), HostID: gid, Range: 1},
		config.IDMap{Type: 'u', NSID: uint32(nsuid), HostID: uid, Range: 1})
}
