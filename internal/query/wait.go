package query

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/cmdsock"
)

const waitHelp = `--name=NAME --state=STATE

lxc-wait waits for NAME container state to reach STATE

Options :
  -n, --name=NAME   NAME of the container
  -s, --state=STATE ORed states to wait for
                    STOPPED, STARTING, RUNNING, STOPPING,
                    ABORTING, FREEZING, FROZEN, THAWED
  -t, --timeout=TMO Seconds to wait for state changes
  --rcfile=FILE     Load configuration file FILE
`

// Wait is lxc-wait.
func Wait(env Env, argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var states string
	timeout := int64(-1)
	t := &cli.Tool{
		Name: "lxc-wait", Help: waitHelp, AlwaysLog: true,
		Options: []cli.Option{
			{Short: 's', Long: "state", Arg: cli.RequiredArg, Set: func(v string) error { states = v; return nil }},
			{Short: 't', Long: "timeout", Arg: cli.RequiredArg, Set: func(v string) error {
				n, _ := strconv.ParseInt(v, 10, 64) // atol: garbage reads as 0
				timeout = n
				return nil
			}},
		},
		Check: func(c *cli.Ctx) error {
			if states == "" {
				return fmt.Errorf("could not parse command line: -s STATES is required (e.g. -s RUNNING)")
			}
			return nil
		},
		Run: func(c *cli.Ctx) int {
			var want []cmdsock.State
			for _, s := range strings.Split(states, "|") {
				st, err := cmdsock.ParseState(s)
				if err != nil {
					c.Errorf("invalid state '%s'", s)
					return 1
				}
				want = append(want, st)
			}
			ct, code, ok := env.open(c)
			if !ok {
				return code
			}
			d := time.Duration(-1)
			if timeout >= 0 {
				d = time.Duration(timeout) * time.Second
			}
			if cmdsock.WaitAny(ct.LXCPath, ct.Name, want, d) {
				return 0
			}
			return 1
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}
