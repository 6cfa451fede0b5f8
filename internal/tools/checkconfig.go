package tools

import (
	"io"
	"os"

	"golang.org/x/term"

	"github.com/golxc/golxc/internal/checkconfig"
	"github.com/golxc/golxc/internal/cli"
)

func init() { register("lxc-checkconfig", runCheckconfig) }

// runCheckconfig ignores its arguments, as LXC's script does.
func runCheckconfig(_ []string, _ io.Reader, stdout, _ io.Writer) int {
	color := false
	if f, ok := stdout.(*os.File); ok {
		color = term.IsTerminal(int(f.Fd()))
	}
	return checkconfig.Run(stdout, color, os.Getenv("CONFIG"), cli.Version)
}
