package tools

import (
	"errors"
	"io"
	"os"
	"strconv"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/terminal"
	"github.com/golxc/golxc/lxc"
	"golang.org/x/sys/unix"
)

func init() { register("lxc-console", runConsole) }

const consoleHelp = `--name=NAME [--tty NUMBER]

lxc-console logs on the container with the identifier NAME

Options :
  -n, --name=NAME      NAME of the container
  -t, --tty=NUMBER     console tty number
  -e, --escape=PREFIX  prefix for escape command
  --rcfile=FILE        Load configuration file FILE
`

func runConsole(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ttynum, escape := -1, 1
	t := &cli.Tool{
		Name: "lxc-console", Help: consoleHelp, AlwaysLog: true,
		Options: []cli.Option{
			{Short: 't', Long: "tty", Arg: cli.RequiredArg, Set: func(v string) error {
				n, err := strconv.ParseInt(v, 10, 32)
				if err != nil {
					return errBadCmdline
				}
				ttynum = int(n)
				return nil
			}},
			{Short: 'e', Long: "escape", Arg: cli.RequiredArg, Set: func(v string) error {
				e, err := terminal.EscapeByte(v)
				if err != nil {
					return errBadCmdline
				}
				escape = e
				return nil
			}},
		},
		Run: func(c *cli.Ctx) int { return consoleRun(c, ttynum, escape) },
	}
	return t.Main(argv, stdin, stdout, stderr)
}

func consoleRun(c *cli.Ctx, ttynum, escape int) int {
	ct, code := openSteps{say: sayLog, clear: true, rcfile: "Failed to load rcfile",
		control: "Insufficent privileges to control {name}"}.open(c, c.RCFile)
	if ct == nil {
		return code
	}
	in, out := fileOf(c.Stdin, os.Stdin), fileOf(c.Stdout, os.Stdout)
	tty, err := ct.ConsoleGetFD(ttynum)
	if err != nil {
		if errors.Is(err, lxc.ErrNotRunning) {
			log.Errorf("%s is not running", c.Name)
		} else {
			log.Errorf("%s - Denied access to tty", errnoText(unwrapErrno(err, unix.EBADF)))
		}
		return 1
	}
	defer tty.Close()
	var banner io.Writer = c.Stderr
	if c.Quiet {
		banner = io.Discard
	}
	err = tty.Session(lxc.ConsoleOptions{Stdin: in, Stdout: out, Banner: banner, Escape: escape})
	if errors.Is(err, lxc.ErrConsoleStdin) {
		// LXC watches stdin with epoll, which refuses regular files
		// and /dev/null: its answer for them.
		log.Errorf("Failed to add stdin handler")
		return 1
	}
	if err != nil {
		log.Errorf("%v", err)
		return 1
	}
	return 0
}

// fileOf returns r as an *os.File, or def when it is not one.
func fileOf[T any](r T, def *os.File) *os.File {
	if f, ok := any(r).(*os.File); ok {
		return f
	}
	return def
}

func unwrapErrno(err error, def unix.Errno) error {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return def
}
