package tools

import (
	"errors"
	"io"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/log"
)

func init() { register("lxc-cgroup", runCgroup) }

const cgroupHelp = `--name=NAME state-object [value]

Get or set the value of a state object (for example, 'cpuset.cpus')
in the container's cgroup for the corresponding subsystem.

Options :
  -n, --name=NAME      NAME of the container
  --rcfile=FILE        Load configuration file FILE
`

func runCgroup(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	t := &cli.Tool{
		Name: "lxc-cgroup", Help: cgroupHelp, AlwaysLog: true,
		Check: func(c *cli.Ctx) error {
			if len(c.Args) == 0 {
				return errors.New("could not parse command line")
			}
			return nil
		},
		Run: runCgroupCmd,
	}
	return t.Main(argv, stdin, stdout, stderr)
}

func runCgroupCmd(c *cli.Ctx) int {
	key := c.Args[0]
	ct, code := openSteps{say: sayLog, rcfile: "Failed to load rcfile",
		control: "Insufficent privileges to control {path}:{name}", running: "'{path}:{name}' is not running"}.open(c, c.RCFile)
	if ct == nil {
		return code
	}
	if len(c.Args) > 1 {
		value := c.Args[1]
		if err := ct.SetCgroupItem(key, value); err != nil {
			log.Infof("%v", err) // the log file gets the cause; stderr LXC's line
			log.Errorf("Failed to assign '%s' value to '%s' for '%s'", value, key, c.Name)
			return 1
		}
		return 0
	}
	v, err := ct.CgroupItemText(key)
	if err != nil {
		log.Infof("%v", err)
		log.Errorf("Failed to retrieve value of '%s' for '%s:%s'", key, c.LXCPath, c.Name)
		return 1
	}
	// LXC prints the raw file, newline included, and one more newline.
	io.WriteString(c.Stdout, v+"\n")
	return 0
}
