package query

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/cmdsock"
)

// StopHelp is lxc-stop's help text.
const StopHelp = `--name=NAME [-W] [-r|-k|--nokill] [-t timeout]

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

// StopOpts are lxc-stop's options once parsed and checked.
type StopOpts struct {
	Reboot, NoWait, Kill, NoLock, NoKill bool
	Timeout                              int
	TimeoutSet                           bool
}

// StopTool is lxc-stop's command line under name, with extra accepted;
// run gets the checked options.
func StopTool(name, help string, extra *cli.Option, run func(*cli.Ctx, *StopOpts) int) *cli.Tool {
	o := &StopOpts{Timeout: 60}
	flag := func(p *bool) func(string) error { return func(string) error { *p = true; return nil } }
	t := &cli.Tool{
		Name: name, Help: help, AlwaysLog: true,
		Options: []cli.Option{
			{Short: 'r', Long: "reboot", Set: flag(&o.Reboot)},
			{Short: 'W', Long: "nowait", Set: flag(&o.NoWait)},
			{Short: 't', Long: "timeout", Arg: cli.RequiredArg, Set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil {
					return errors.New("Invalid timeout")
				}
				o.Timeout, o.TimeoutSet = n, true
				return nil
			}},
			{Short: 'k', Long: "kill", Set: flag(&o.Kill)},
			{Long: "nokill", Set: flag(&o.NoKill)},
			{Long: "nolock", Set: flag(&o.NoLock)},
		},
		Check: func(c *cli.Ctx) error { return o.check() },
		Run:   func(c *cli.Ctx) int { return run(c, o) },
	}
	if extra != nil {
		t.Options = append(t.Options, *extra)
	}
	return t
}

func (o *StopOpts) check() error {
	switch {
	case o.Timeout < -1:
		return errors.New("Invalid timeout")
	case o.Kill && o.NoKill:
		return errors.New("-k can't be used with --nokill")
	case o.Kill && o.Reboot:
		return errors.New("-k can't be used with -r")
	case o.Kill && o.TimeoutSet:
		return errors.New("-k doesn't allow timeouts")
	case o.NoLock && !o.Kill:
		return errors.New("--nolock may only be used with -k")
	}
	if o.NoWait {
		o.Timeout = 0
	}
	return nil
}

// StopKill is lxc-stop -k once the options are checked: ask the monitor
// to kill init, then wait up to 30 s for STOPPED. 2 when the container
// is not running, as LXC.
func StopKill(env Env, c *cli.Ctx) int {
	ct, code, ok := env.open(c)
	if !ok {
		return code
	}
	UseConfigLog(c, ct.Item)
	if st, err := cmdsock.StateOf(ct.LXCPath, ct.Name); err != nil || st == cmdsock.STOPPED {
		c.Errorf("%s is not running", c.Name)
		return 2
	}
	if err := Kill(ct.LXCPath, ct.Name); err != nil {
		// Another stop won the race since the state query: same as
		// LXC's answer for a container that is not running.
		if errors.Is(err, ErrNotRunning) {
			c.Errorf("%s is not running", c.Name)
			return 2
		}
		return c.Fail(fmt.Errorf("%s: %v", stopFailed, err))
	}
	if !cmdsock.WaitAny(ct.LXCPath, ct.Name, []cmdsock.State{cmdsock.STOPPED}, 30*time.Second) {
		return c.Fail(errors.New("still running 30s after the kill; check its monitor process"))
	}
	return 0
}
