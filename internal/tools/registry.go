// Package tools holds one file per lxc-* tool. Each tool is a thin layer
// over the public lxc package.
package tools

import (
	"fmt"
	"io"
	"sort"
)

// Runner runs a tool with argv (argv[0] is the name as invoked) and
// returns its exit code.
type Runner func(argv []string, stdin io.Reader, stdout, stderr io.Writer) int

// registry holds the implemented tools, in registration order: a short
// list scanned once per run costs less than a map built at every start.
var registry = make([]registered, 0, len(AllNames))

type registered struct {
	name string
	run  Runner
}

func register(name string, r Runner) { registry = append(registry, registered{name, r}) }

// AllNames lists every lxc-* tool name LXC has, implemented or not (the
// README's tool table), lxc-shutdown, LXC 1.0's name the seeds use, and
// lxc-sandbox, golxc's own (seed 004); links are made only for Implemented
// ones.
var AllNames = []string{
	"lxc-attach", "lxc-autostart", "lxc-cgroup", "lxc-checkconfig", "lxc-checkpoint",
	"lxc-config", "lxc-console", "lxc-copy", "lxc-create", "lxc-destroy", "lxc-device",
	"lxc-execute", "lxc-freeze", "lxc-info", "lxc-ls", "lxc-monitor", "lxc-net", "lxc-sandbox", "lxc-shutdown", "lxc-snapshot",
	"lxc-start", "lxc-stop", "lxc-top", "lxc-unfreeze", "lxc-unshare", "lxc-update-config",
	"lxc-usernsexec", "lxc-wait",
}

// Lookup returns the runner of a tool; unknown lxc-* names get a runner
// that says the tool is not implemented yet and exits 1.
func Lookup(name string) (Runner, bool) {
	for _, t := range registry {
		if t.name == name {
			return t.run, true
		}
	}
	for _, n := range AllNames {
		if n == name {
			return notImplemented(name), true
		}
	}
	return nil, false
}

// Implemented lists the tools that have a real implementation.
func Implemented() []string {
	var names []string
	for _, t := range registry {
		names = append(names, t.name)
	}
	sort.Strings(names)
	return names
}

func notImplemented(name string) Runner {
	return func(argv []string, _ io.Reader, _, stderr io.Writer) int {
		fmt.Fprintf(stderr, "%s: not implemented yet in golxc (see the tool table in golxc's README)\n", name)
		return 1
	}
}
