package tools

import (
	"io"
	"strings"

	"github.com/golxc/golxc/internal/cli"
)

// Plain lists the tools that parse their own command line instead of
// through cli.Tool, as LXC's scripts and small programs do; their manual
// entries are written by hand (internal/manpage checks them against each
// tool's usage text).
var Plain = []string{"lxc-checkconfig", "lxc-config", "lxc-net", "lxc-update-config", "lxc-usernsexec"}

// Describe returns the cli.Tool a tool parses its command line with (name,
// --help text, option table) without running it; ok is false for Plain
// tools and unknown names.
func Describe(name string) (*cli.Tool, bool) {
	for _, p := range Plain {
		if p == name {
			return nil, false
		}
	}
	for _, t := range registry {
		if t.name == name {
			// --help as a safety net: were a tool not to reach Main it
			// would only print its usage.
			return cli.Describe(func() {
				t.run([]string{name, "--help"}, strings.NewReader(""), io.Discard, io.Discard)
			})
		}
	}
	return nil, false
}
