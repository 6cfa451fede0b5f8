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
func runCheckconfig(argv []string, _ io.Reader, stdout, stderr io.Writer) int {
	color := false
	if f, ok := stdout.(*os.File); ok {
		color = term.IsTerminal(int(f.Fd()))
	}
	return checkconfig.Run(checkconfig.Options{
		Stdout: stdout, Stderr: stderr, Color: color,
		ConfigPath: os.Getenv("CONFIG"), Version: cli.Version, Argv0: argv[0],
	})
}
