// Package idmap owns the id maps of user namespaces: the subordinate id
// ranges /etc/subuid and /etc/subgid delegate to a user, the check of a
// container's lxc.idmap against them, and writing a process's maps
// (directly as root, through shadow's setuid newuidmap and newgidmap
// otherwise, as LXC does).
package idmap

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Default files of shadow's subordinate ids.
const (
	SubUIDFile = "/etc/subuid"
	SubGIDFile = "/etc/subgid"
)

// Range is one delegated range: host ids Start to Start+Count-1.
type Range struct {
	Start, Count uint64
}

// End is the last id of the range (Start when Count is 0).
func (r Range) End() uint64 {
	if r.Count == 0 {
		return r.Start
	}
	return r.Start + r.Count - 1
}

func (r Range) String() string { return fmt.Sprintf("%d-%d", r.Start, r.End()) }

// ParseSubIDs returns, in file order, the ranges of the lines
// "OWNER:START:COUNT" whose owner is the user's name or its uid in
// decimal, as shadow's newuidmap accepts both. Malformed lines are
// skipped, as shadow does.
func ParseSubIDs(r io.Reader, name string, uid uint32) ([]Range, error) {
	var out []Range
	num := strconv.FormatUint(uint64(uid), 10)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Split(strings.TrimSpace(sc.Text()), ":")
		if len(f) != 3 || (f[0] != name && f[0] != num) || f[0] == "" {
			continue
		}
		start, err1 := strconv.ParseUint(f[1], 10, 32)
		count, err2 := strconv.ParseUint(f[2], 10, 32)
		if err1 != nil || err2 != nil || count == 0 || start+count > 1<<32 {
			continue
		}
		out = append(out, Range{Start: start, Count: count})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("idmap: read subordinate ids: %w", err)
	}
	return out, nil
}

// ReadSubIDs reads path (a missing file delegates nothing).
func ReadSubIDs(path, name string, uid uint32) ([]Range, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("idmap: open %s: %w", path, err)
	}
	defer f.Close()
	rs, err := ParseSubIDs(f, name, uid)
	if err != nil {
		return nil, fmt.Errorf("idmap: %s: %w", path, err)
	}
	return rs, nil
}

// Covers reports whether the union of ranges holds every id of want:
// adjacent or overlapping lines count together, as in shadow's check.
func Covers(ranges []Range, want Range) bool {
	if want.Count == 0 {
		return true
	}
	next, last := want.Start, want.Start+want.Count // next id still to find
	for progress := true; progress && next < last; {
		progress = false
		for _, r := range ranges {
			if next >= r.Start && next < r.Start+r.Count {
				next, progress = r.Start+r.Count, true
			}
		}
	}
	return next >= last
}
