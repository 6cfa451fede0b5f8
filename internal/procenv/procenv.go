// Package procenv tunes the Go runtime of golxc's helper processes (the
// monitor and the namespace stages) through their environment, and hides
// that tuning from whatever they later run.
package procenv

import (
	"os"
	"strings"
)

// marker records that golxc, not the user, set GOMAXPROCS.
const marker = "_GOLXC_SET_GOMAXPROCS"

// SingleP returns env with GOMAXPROCS=1 unless the user set GOMAXPROCS.
// A helper process does one thing at a time: one P means fewer runtime
// threads to start, to keep in memory and, for lxc-execute's init, to tear
// down at exit.
func SingleP(env []string) []string {
	for _, kv := range env {
		if strings.HasPrefix(kv, "GOMAXPROCS=") {
			return env
		}
	}
	return append(env, "GOMAXPROCS=1", marker+"=1")
}

// Restore removes what SingleP added from this process's environment, so
// hooks and payloads see the caller's environment. The runtime has read
// GOMAXPROCS by then.
func Restore() {
	if os.Getenv(marker) != "" {
		os.Unsetenv("GOMAXPROCS")
		os.Unsetenv(marker)
	}
}
