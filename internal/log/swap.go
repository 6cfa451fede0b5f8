package log

import (
	"io"
	"os"
)

// State is one whole logger configuration, open file included.
type State struct {
	prefix, name string
	file         *os.File
	level        Level
	quiet        bool
	stderr       io.Writer
}

// Initial is the configuration a process starts with: no file, errors on
// stderr, prefix "lxc".
func Initial() State { return State{prefix: "lxc", level: ERROR, stderr: os.Stderr} }

// Swap installs s and returns the configuration it replaces, closing
// nothing. lxc-start, when it runs its monitor in-process, keeps the
// tool's log and the monitor's apart with it: each phase logs exactly as
// it would in a process of its own.
func Swap(s State) State {
	std.mu.Lock()
	defer std.mu.Unlock()
	old := State{std.prefix, std.name, std.file, std.level, std.quiet, std.stderr}
	std.prefix, std.name, std.file, std.level, std.quiet, std.stderr =
		s.prefix, s.name, s.file, s.level, s.quiet, s.stderr
	refloor()
	return old
}
