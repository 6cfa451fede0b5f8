package log

import "sync/atomic"

// current is the Logger the package functions write through. It is the
// log package's one piece of process state: the logger is process-wide
// by design (see Logger).
var current atomic.Pointer[Logger]

func init() { current.Store(New()) }

// Current returns the Logger the package functions write through.
func Current() *Logger { return current.Load() }

// Install makes lg the current Logger and returns the one it replaces,
// which stays open and usable through its methods. A preforked lxc-start
// installs its monitor's Logger the moment it becomes the monitor, so
// every monitor goroutine logs the monitor's way whatever lxc-start still
// does, and lxc-start ends through the Logger Install returned; the
// monitor's is never handed back.
func Install(lg *Logger) *Logger { return current.Swap(lg) }
