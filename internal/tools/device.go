package tools

import (
	"io"
	"os"
	"strings"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-device", runDevice) }

const deviceHelp = `--name=NAME -- add|del DEV

lxc-device attach or detach DEV to or from container.

Options :
  -n, --name=NAME      NAME of the container
  --rcfile=FILE        Load configuration file FILE
`

// runDevice is lxc-device: "add DEV [NAME]" moves a host network device
// into the running container, or creates the device node DEV there and
// allows it in its devices cgroup; "del" undoes either. As LXC, the verb
// may be abbreviated (any prefix of add or del).
func runDevice(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	t := &cli.Tool{
		Name: "lxc-device", Help: deviceHelp, AlwaysLog: true,
		Run: func(c *cli.Ctx) int {
			if os.Geteuid() != 0 {
				c.Errorf("%s must be run as root", c.Prog)
				return 1
			}
			ct, code := openSteps{say: sayTool, rcfile: "Failed to load rcfile: {err}",
				running: "Container {name} is not running"}.open(c, c.RCFile)
			if ct == nil {
				return code
			}
			if len(c.Args) < 2 {
				c.Errorf("Error: no command given (Please see --help output)")
				return 1
			}
			verb, dev, dst := c.Args[0], c.Args[1], c.Args[1]
			var err error
			if len(c.Args) > 2 {
				dst = c.Args[2]
			}
			switch {
			case strings.HasPrefix("add", verb):
				if lxc.HostHasInterface(dev) {
					err = ct.AttachInterface(dev, dst)
				} else {
					err = ct.AddDeviceNode(dev, dst)
				}
				if err != nil {
					c.Errorf("Failed to add %s to %s: %v", dev, c.Name, err)
					return 1
				}
			case strings.HasPrefix("del", verb):
				if ct.HasInterface(dev) {
					err = ct.DetachInterface(dev, dst)
				} else {
					err = ct.RemoveDeviceNode(dev, dst)
				}
				if err != nil {
					c.Errorf("Failed to del %s from %s: %v", dev, c.Name, err)
					return 1
				}
			default:
				c.Errorf("Error: Please use add or del (Please see --help output)")
				return 1
			}
			return 0
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}
