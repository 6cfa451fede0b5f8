package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/completion"
)

// The subcommands bash completion offers for golxc image are the ones
// golxc-image runs and its usage lists.
func TestImageCommandsMatchCompletion(t *testing.T) {
	offered := completion.ImageCommands()
	for _, c := range offered {
		var out, errb bytes.Buffer
		run([]string{c, "--help"}, strings.NewReader(""), &out, &errb)
		if strings.Contains(errb.String(), "unknown command") {
			t.Errorf("completion offers %q, golxc-image does not run it: %s", c, errb.String())
		}
	}
	_, cmds, _ := strings.Cut(usage, "Commands:\n")
	for _, m := range regexp.MustCompile(`(?m)^  ([a-z]+) `).FindAllStringSubmatch(cmds, -1) {
		found := false
		for _, c := range offered {
			found = found || c == m[1]
		}
		if !found {
			t.Errorf("golxc image %s (in its usage) is not offered by completion.ImageCommands", m[1])
		}
	}
}
