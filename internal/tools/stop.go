package tools

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/lxc"
)

func init() {
	register("lxc-stop", runStop)
	register("lxc-shutdown", runShutdown)
}

const stopHelp = `--name=NAME [-W] [-r|-k|--nokill] [-t timeout]

lxc-stop stops a container with the identifier NAME

Options :
  -n, --name=NAME   NAME of the container
  -r, --reboot      reboot the container
  -W, --nowait      don't wait for shutdown or reboot to complete
  -t, --timeout=T   wait T seconds before hard-stopping
  -k, --kill        kill container rather than request clean shutdown
      --nolock      Avoid using API locks
      --nokill      Only request clean shutdown, don't force kill after timeout
  --rcfile=FILE     Load configuration file FILE
`

type stopOpts struct {
	reboot, nowait, kill, nolock, nokill bool
	timeout                              int
	timeoutSet                           bool
}

func runStop(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return stopTool("lxc-stop", stopHelp, nil).Main(argv, stdin, stdout, stderr)
}

const shutdownHelp = `--name=NAME [-w] [-r] [-t timeout]

lxc-shutdown is LXC 1.0's name for a clean halt; LXC 1.0 replaced it with
lxc-stop, which golxc runs: it asks init to halt, waits, and kills the
container after the timeout

Options :
  -n, --name=NAME   NAME of the container
  -w, --wait        wait for the shutdown to complete (lxc-stop always does)
  -r, --reboot      reboot the container
  -t, --timeout=T   wait T seconds before hard-stopping
  (and every lxc-stop option)
`

// runShutdown is lxc-shutdown (the seeds' LXC 1.0 name): lxc-stop without
// -k, accepting the old -w, with one line saying what replaced it.
func runShutdown(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	wait := cli.Option{Short: 'w', Long: "wait", Set: func(string) error { return nil }}
	t := stopTool("lxc-shutdown", shutdownHelp, &wait)
	run := t.Run
	t.Run = func(c *cli.Ctx) int {
		if !c.Quiet {
			fmt.Fprintf(c.Stderr, "lxc-shutdown: deprecated since LXC 1.0: running 'lxc-stop -n %s' (a clean halt); use lxc-stop from now on\n", c.Name)
		}
		return run(c)
	}
	return t.Main(argv, stdin, stdout, stderr)
}

// stopTool is lxc-stop's command line under name, with extra accepted.
func stopTool(name, help string, extra *cli.Option) *cli.Tool {
	o := &stopOpts{timeout: 60}
	flag := func(p *bool) func(string) error { return func(string) error { *p = true; return nil } }
	t := &cli.Tool{
		Name: name, Help: help, AlwaysLog: true,
		Options: []cli.Option{
			{Short: 'r', Long: "reboot", Set: flag(&o.reboot)},
			{Short: 'W', Long: "nowait", Set: flag(&o.nowait)},
			{Short: 't', Long: "timeout", Arg: cli.RequiredArg, Set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil {
					return errors.New("Invalid timeout")
				}
				o.timeout, o.timeoutSet = n, true
				return nil
			}},
			{Short: 'k', Long: "kill", Set: flag(&o.kill)},
			{Long: "nokill", Set: flag(&o.nokill)},
			{Long: "nolock", Set: flag(&o.nolock)},
		},
		Check: func(c *cli.Ctx) error { return o.check() },
		Run:   func(c *cli.Ctx) int { return o.run(c) },
	}
	if extra != nil {
		t.Options = append(t.Options, *extra)
	}
	return t
}

func (o *stopOpts) check() error {
	switch {
	case o.timeout < -1:
		return errors.New("Invalid timeout")
	case o.kill && o.nokill:
		return errors.New("-k can't be used with --nokill")
	case o.kill && o.reboot:
		return errors.New("-k can't be used with -r")
	case o.kill && o.timeoutSet:
		return errors.New("-k doesn't allow timeouts")
	case o.nolock && !o.kill:
		return errors.New("--nolock may only be used with -k")
	}
	if o.nowait {
		o.timeout = 0
	}
	return nil
}

func (o *stopOpts) run(c *cli.Ctx) int {
	ct, err := lxc.NewContainer(c.Name, c.LXCPath)
	if err != nil {
		return c.Fail(err)
	}
	useConfigLog(c, ct)
	if !ct.Running() {
		c.Errorf("%s is not running", c.Name)
		return 2
	}
	if o.kill {
		if err := ct.Stop(); err != nil {
			// Another stop won the race since Running(): same as LXC's
			// answer for a container that is not running.
			if errors.Is(err, lxc.ErrNotRunning) {
				c.Errorf("%s is not running", c.Name)
				return 2
			}
			return c.Fail(err)
		}
		if !ct.Wait(lxc.STOPPED, 30*time.Second) {
			return c.Fail(errors.New("still running 30s after the kill; check its monitor process"))
		}
		return 0
	}
	timeout := time.Duration(o.timeout) * time.Second
	if o.timeout == -1 {
		timeout = -1
	}
	if o.reboot {
		// As LXC: wait (-t, 60 s by default; -W not at all) for the
		// container to run again.
		if err := ct.RebootWithTimeout(timeout); err != nil {
			return c.Fail(err)
		}
		return 0
	}
	err = ct.Shutdown(timeout)
	if err == nil {
		return 0
	}
	if errors.Is(err, lxc.ErrNotRunning) {
		return 0
	}
	if !errors.Is(err, lxc.ErrShutdownFailed) {
		return c.Fail(err)
	}
	if o.nokill {
		return 1
	}
	if err := ct.Stop(); err != nil && !errors.Is(err, lxc.ErrNotRunning) {
		return c.Fail(err)
	}
	if !ct.Wait(lxc.STOPPED, 30*time.Second) {
		return c.Fail(errors.New("still running 30s after the kill; check its monitor process"))
	}
	return 0
}
