// Package buildinfo says which golxc answered: its own version and the
// commit it was built from. The tools' --version keeps printing the LXC
// version they speak (5.0.2), which scripts parse.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is golxc's own release number.
const Version = "0.1.0"

// LXCVersion is the LXC release whose interface golxc implements.
const LXCVersion = "5.0.2"

// commit is set by make build (-X), the VCS revision it built from.
var commit string

// Commit is the VCS revision the binary was built from ("unknown" outside
// a checkout), with "+dirty" for uncommitted changes: make build's stamp,
// else Go's own.
func Commit() string {
	if commit != "" {
		return commit
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}

// String is the line `golxc version` prints.
func String() string {
	return fmt.Sprintf("golxc %s (commit %s, %s), implementing LXC %s", Version, Commit(), runtime.Version(), LXCVersion)
}
