package cli

import (
	"sync"
	"sync/atomic"
)

// describing, while Describe runs, receives the Tool that Main was given
// instead of parsing and running it.
var (
	describeMu sync.Mutex
	describing atomic.Pointer[func(*Tool)]
)

// Describe returns the Tool (name, help text, option table) that run hands
// to Main, without parsing or running anything: man pages and shell
// completion are generated from the very tables the tools parse with.
// ok is false when run never reached Main (a tool not built on Tool).
func Describe(run func()) (t *Tool, ok bool) {
	describeMu.Lock()
	defer describeMu.Unlock()
	hook := func(got *Tool) { t = got }
	describing.Store(&hook)
	defer describing.Store(nil)
	run()
	return t, t != nil
}

// describeHook hands t to a running Describe; it reports whether it did.
func describeHook(t *Tool) bool {
	h := describing.Load()
	if h == nil {
		return false
	}
	(*h)(t)
	return true
}

// CommonOptions is the option block every Tool accepts after its own
// (-n, -h/-?, --usage, --version, -q, -o, -l, -P, --rcfile).
func CommonOptions() []Option { return append([]Option(nil), usageCommon...) }

// CommonHelp is the "Common options" part of --help ("%s" is the tool).
func CommonHelp() string { return commonHelp }
