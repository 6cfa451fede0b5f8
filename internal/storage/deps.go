package storage

import (
	"bytes"
	"strconv"
	"strings"
)

// Dependency files as LXC writes them. A snapshot clone's directory holds
// lxc_rdepends: "LXCPATH\nNAME\n" per container it depends on. Each of
// those holds lxc_snapshots: the same pairs for every clone depending on
// it (or, in LXC's legacy format, a bare count).
const (
	RdependsFile  = "lxc_rdepends"
	SnapshotsFile = "lxc_snapshots"
)

// Dep is one (lxcpath, name) pair.
type Dep struct{ Path, Name string }

func (d Dep) line() string { return d.Path + "\n" + d.Name + "\n" }

// ParseDeps reads the pairs of a dependency file; a trailing odd line is
// reported as bad.
func ParseDeps(data []byte) (deps []Dep, bad bool) {
	lines := strings.Split(string(data), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i := 0; i+1 < len(lines); i += 2 {
		deps = append(deps, Dep{strings.TrimRight(lines[i], "\r\n"), strings.TrimRight(lines[i+1], "\r\n")})
	}
	return deps, len(lines)%2 != 0
}

// AddDep is data with d appended (LXC appends even duplicates). A legacy
// count is incremented instead.
func AddDep(data []byte, d Dep) []byte {
	if n, ok := legacyCount(data); ok {
		return []byte(strconv.Itoa(n+1) + "\n")
	}
	return append(append([]byte(nil), data...), d.line()...)
}

// RemoveDep is data without any occurrence of d (a legacy count is
// decremented). Empty means the file goes.
func RemoveDep(data []byte, d Dep) []byte {
	if n, ok := legacyCount(data); ok {
		if n <= 1 {
			return nil
		}
		return []byte(strconv.Itoa(n-1) + "\n")
	}
	return bytes.ReplaceAll(data, []byte(d.line()), nil)
}

// legacyCount: the file is LXC 1.x's bare number.
func legacyCount(data []byte) (int, bool) {
	s := strings.TrimSpace(string(data))
	n, err := strconv.Atoi(s)
	return n, err == nil && s != ""
}

// HasDependents is LXC's has_fs_snapshots on an lxc_snapshots file's
// contents: non-empty, and not a legacy zero count.
func HasDependents(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	if n, ok := legacyCount(data); ok {
		return n != 0
	}
	return true
}
