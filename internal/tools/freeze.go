package tools

import (
	"io"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/log"
)

func init() {
	register("lxc-freeze", func(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
		return runFreezer(argv, stdin, stdout, stderr, true)
	})
}

const freezeHelp = `--name=NAME

lxc-freeze freezes a container with the identifier NAME

Options :
  -n, --name=NAME      NAME of the container
  --rcfile=FILE        Load configuration file FILE
`

// runFreezer is lxc-freeze (freeze) and lxc-unfreeze: freezing a stopped
// container fails, thawing one that is not frozen (or stopped) succeeds.
func runFreezer(argv []string, stdin io.Reader, stdout, stderr io.Writer, freeze bool) int {
	name, help, verb := "lxc-freeze", freezeHelp, "freeze"
	if !freeze {
		name, help, verb = "lxc-unfreeze", unfreezeHelp, "unfreeze"
	}
	t := &cli.Tool{
		Name: name, Help: help, AlwaysLog: true,
		Run: func(c *cli.Ctx) int {
			ct, code := openSteps{say: sayLog, noSuch: "No such container: {path}:{name}", rcfile: "Failed to load rcfile",
				control: "Insufficent privileges to control {path}:{name}"}.open(c, c.RCFile)
			if ct == nil {
				return code
			}
			var err error
			// LXC refuses both on a container it has no configuration for.
			if ct.Defined() || c.RCFile != "" {
				if freeze {
					err = ct.Freeze()
				} else {
					err = ct.Unfreeze()
				}
				if err == nil {
					return 0
				}
				if freeze && !ct.Running() {
					// LXC's lines for a container with no monitor: its
					// client announces FREEZING, then RUNNING again.
					log.Errorf("Connection refused - Failed to serve state clients")
					log.Errorf("Failed to freeze %s", c.Name)
					log.Errorf("Connection refused - Failed to serve state clients")
					log.Errorf("Failed to freeze %s:%s", c.LXCPath, c.Name)
					return 1
				}
				log.Errorf("%v", err)
			}
			log.Errorf("Failed to %s %s:%s", verb, c.LXCPath, c.Name)
			return 1
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}
