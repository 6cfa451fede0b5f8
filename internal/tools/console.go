package tools

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/terminal"
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
	client, err := cmdsock.Dial(c.LXCPath, c.Name)
	if err != nil {
		log.Errorf("%s is not running", c.Name)
		return 1
	}
	in, out := fileOf(c.Stdin, os.Stdin), fileOf(c.Stdout, os.Stdout)
	tty, err := client.TTYFD(ttynum)
	if err != nil {
		if errors.Is(err, cmdsock.ErrNotRunning) {
			log.Errorf("%s is not running", c.Name)
		} else {
			log.Errorf("%s - Denied access to tty", errnoText(unwrapErrno(err, unix.EBADF)))
		}
		return 1
	}
	defer tty.Close()
	// LXC watches stdin with epoll, which refuses regular files and
	// /dev/null: keep its answer for them.
	if !pollable(int(in.Fd())) {
		log.Errorf("Failed to add stdin handler")
		return 1
	}
	// As LXC, the banner is printed before raw mode (so with CR LF).
	if !c.Quiet {
		e := rune('a' + escape - 1)
		fmt.Fprintf(c.Stderr, "\nConnected to tty %d\nType <Ctrl+%c q> to exit the console, <Ctrl+%c Ctrl+%c> to enter Ctrl+%c itself\n",
			tty.Num, e, e, e, e)
	}
	if terminal.IsTerminal(int(in.Fd())) {
		restore, err := terminal.Raw(int(in.Fd()))
		if err != nil {
			log.Errorf("%v", err)
			return 1
		}
		defer restore()
		defer terminal.FollowSize(int(in.Fd()), int(tty.PTX.Fd()))()
	}
	p := &terminal.Proxy{In: in, Out: out, PTX: tty.PTX, Escape: escape}
	if err := p.Run(); err != nil && !errors.Is(err, terminal.ErrDetached) {
		log.Errorf("console: %v", err)
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

// pollable reports whether epoll accepts fd (not a regular file or /dev/null).
func pollable(fd int) bool {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return true
	}
	defer unix.Close(ep)
	err = unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
	return err != unix.EPERM
}

func unwrapErrno(err error, def unix.Errno) error {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return def
}
