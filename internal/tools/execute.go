package tools

import (
	"errors"
	"io"
	"strconv"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-execute", runExecute) }

const executeHelp = `--name=NAME -- COMMAND

lxc-execute creates a container with the identifier NAME
and execs COMMAND into this container.

Options :
  -n, --name=NAME      NAME of the container
  -d, --daemon         Daemonize the container
  -f, --rcfile=FILE    Load configuration file FILE
  -s, --define KEY=VAL Assign VAL to configuration variable KEY
  -u, --uid=UID        Execute COMMAND with UID inside the container
  -g, --gid=GID        Execute COMMAND with GID inside the container
      --share-[net|ipc|uts|pid]=NAME Share a namespace with another container or pid
`

func runExecute(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f := &startFlags{}
	var rc string
	uid, gid := -1, -1
	num := func(p *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return errors.New("could not parse command line: uid and gid must be non-negative numbers")
			}
			*p = n
			return nil
		}
	}
	opts := []cli.Option{
		{Short: 'd', Long: "daemon", Set: func(string) error { f.daemon = true; return nil }},
		{Short: 'f', Long: "rcfile", Arg: cli.RequiredArg, Set: func(v string) error { rc = v; return nil }},
		f.defineOpt(),
		{Short: 'u', Long: "uid", Arg: cli.RequiredArg, Set: num(&uid)},
		{Short: 'g', Long: "gid", Arg: cli.RequiredArg, Set: num(&gid)},
	}
	t := &cli.Tool{
		Name: "lxc-execute", Help: executeHelp, AlwaysLog: true,
		Options: append(opts, f.shareOpts()...),
		Run: func(c *cli.Ctx) int {
			// LXC refuses to run with no configuration at all.
			ct, code := openForStart(c, &rc, "Executing a container with no configuration file may crash the host")
			if ct == nil {
				return code
			}
			cmd := c.Args
			if len(cmd) == 0 {
				if v := ct.ConfigItem("lxc.execute.cmd"); len(v) > 0 && v[0] != "" {
					cmd = splitShell(v[0])
				}
			}
			if len(cmd) == 0 {
				c.Errorf("Missing command to execute!")
				return 1
			}
			ct.WantDaemonize(f.daemon)
			status, err := ct.StartWith(lxc.StartOptions{
				RCFile: rc, Defines: f.defines, Command: cmd, Execute: true, Share: f.share,
				LogFile: c.LogFile, LogLevel: c.LogPriority, Quiet: c.Quiet, UID: uid, GID: gid,
				ProcessExitsAfter: true,
			})
			if err != nil {
				return c.Fail(err)
			}
			if f.daemon {
				return 0
			}
			return status
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}

// splitShell splits lxc.execute.cmd with simple shell quoting rules.
func splitShell(s string) []string {
	var out []string
	var cur []rune
	var quote rune
	inWord := false
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur = append(cur, r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, string(cur))
				cur, inWord = nil, false
			}
		default:
			cur, inWord = append(cur, r), true
		}
	}
	if inWord {
		out = append(out, string(cur))
	}
	return out
}
