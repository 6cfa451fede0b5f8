package tools

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-start", runStart) }

const startHelp = `--name=NAME -- COMMAND

lxc-start start COMMAND in specified container NAME

Options :
  -n, --name=NAME        NAME of the container
  -d, --daemon           Daemonize the container (default)
  -F, --foreground       Start with the current tty attached to /dev/console
  -p, --pidfile=FILE     Create a file with the process id
  -f, --rcfile=FILE      Load configuration file FILE
  -c, --console=FILE     Use specified FILE for the container console
  -L, --console-log=FILE Log container console output to FILE
  -C, --close-all-fds    If any fds are inherited, close them
                         Note: --daemon implies --close-all-fds
  -s, --define KEY=VAL   Assign VAL to configuration variable KEY
      --share-[net|ipc|uts|pid]=NAME Share a namespace with another container or pid
`

// startFlags are the options lxc-start and lxc-execute share.
type startFlags struct {
	daemon, foreground bool
	defines            []string
	share              map[string]string
}

func (f *startFlags) defineOpt() cli.Option {
	return cli.Option{Short: 's', Long: "define", Arg: cli.RequiredArg, Set: func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		k = strings.TrimSpace(k)
		if !ok || !strings.HasPrefix(k, "lxc.") {
			return fmt.Errorf("could not parse command line: -s %q must be lxc.KEY=VALUE", v)
		}
		f.defines = append(f.defines, k+"="+strings.TrimSpace(val))
		return nil
	}}
}

func (f *startFlags) shareOpts() []cli.Option {
	var opts []cli.Option
	for _, ns := range []string{"net", "ipc", "uts", "pid"} {
		ns := ns
		opts = append(opts, cli.Option{Long: "share-" + ns, Arg: cli.RequiredArg, Set: func(v string) error {
			if f.share == nil {
				f.share = map[string]string{}
			}
			f.share[ns] = v
			return nil
		}})
	}
	return opts
}

// openForStart resolves the rcfile (-f or --rcfile) and the container for
// lxc-start and lxc-execute; without any config it prints LXC's message.
func openForStart(c *cli.Ctx, rc *string, noConfig string) (*lxc.Container, int) {
	if *rc == "" {
		*rc = c.RCFile
	}
	ct, err := lxc.NewContainer(c.Name, c.LXCPath)
	if err != nil {
		return nil, c.Fail(err)
	}
	if *rc == "" && !ct.Defined() {
		c.Errorf("%s", noConfig)
		return nil, 1
	}
	return ct, 0
}

func runStart(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f := &startFlags{}
	var rc, console, consoleLog, pidfile string
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	opts := []cli.Option{
		{Short: 'd', Long: "daemon", Set: func(string) error { f.daemon = true; return nil }},
		{Short: 'F', Long: "foreground", Set: func(string) error { f.foreground = true; return nil }},
		{Short: 'f', Long: "rcfile", Arg: cli.RequiredArg, Set: str(&rc)},
		f.defineOpt(),
		{Short: 'c', Long: "console", Arg: cli.RequiredArg, Set: str(&console)},
		{Short: 'L', Long: "console-log", Arg: cli.RequiredArg, Set: str(&consoleLog)},
		{Short: 'C', Long: "close-all-fds", Set: func(string) error { return nil }},
		{Short: 'p', Long: "pidfile", Arg: cli.RequiredArg, Set: str(&pidfile)},
	}
	t := &cli.Tool{
		Name: "lxc-start", Help: startHelp, AlwaysLog: true,
		Options: append(opts, f.shareOpts()...),
		Run: func(c *cli.Ctx) int {
			ct, code := openForStart(c, &rc, "No container config specified")
			if ct == nil {
				return code
			}
			if rc != "" {
				if _, err := os.Stat(rc); err != nil {
					return c.Fail(fmt.Errorf("rcfile %s: %v", rc, err))
				}
			}
			ct.WantDaemonize(!f.foreground)
			_, err := ct.StartWith(lxc.StartOptions{
				RCFile: rc, Defines: f.defines, Command: c.Args, ConsolePath: console,
				ConsoleLog: consoleLog, PidFile: pidfile, Share: f.share,
				LogFile: c.LogFile, LogLevel: c.LogPriority, Quiet: c.Quiet, UID: -1, GID: -1,
				ProcessExitsAfter: true,
			})
			if errors.Is(err, lxc.ErrAlreadyRunning) {
				c.Errorf("%s: Container is already running", c.Name)
				return 0
			}
			if err != nil {
				return c.Fail(err)
			}
			return 0
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}
