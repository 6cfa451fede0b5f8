package tools

import (
	"errors"
	"io"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-checkpoint", runCheckpoint) }

const checkpointHelp = `--name=NAME

lxc-checkpoint saves a running container's state to a directory with CRIU,
and brings the container back from it later

Options :
  -n, --name=NAME           NAME of the container
  -r, --restore             Restore the container instead of checkpointing it
  -D, --checkpoint-dir=DIR  Directory the checkpoint is written to or read from
  -v, --verbose             Have criu write a verbose log
  -A, --action-script=PATH  criu action script
  Checkpoint options:
  -s, --stop                Stop the container once it is checkpointed
  -p, --pre-dump            Dump only the memory; the container keeps running
                            and a later checkpoint writes only what changed
  --predump-dir=DIR         Images of an earlier pre-dump (relative to -D)
  Restore options:
  -d, --daemon              Run the restored container in the background (default)
  -F, --foreground          Keep the restored container's console on this terminal
  --rcfile=FILE             Load configuration file FILE
`

type checkpointOpts struct {
	dir, actionScript, predumpDir string
	stop, verbose, restore        bool
	preDump                       bool
	daemon, daemonSet             bool
}

// check is LXC's checker: the combinations it refuses, and -D required.
func (o *checkpointOpts) check() error {
	switch {
	case o.restore && o.stop:
		return errors.New("-s not compatible with -r")
	case !o.restore && o.daemonSet:
		return errors.New("-d/-F are restore options: use them with -r")
	case o.dir == "":
		return errors.New("-D is required: the directory the checkpoint is written to or read from")
	case o.preDump && o.restore:
		return errors.New("-p not compatible with -r")
	}
	return nil
}

// runCheckpoint is lxc-checkpoint: a checkpoint (or pre-dump) of a running
// container, or with -r its restore, through criu.
func runCheckpoint(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &checkpointOpts{daemon: true}
	flag := func(p *bool) func(string) error { return func(string) error { *p = true; return nil } }
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	t := &cli.Tool{
		Name: "lxc-checkpoint", Help: checkpointHelp, AlwaysLog: true,
		Options: []cli.Option{
			{Short: 'D', Long: "checkpoint-dir", Arg: cli.RequiredArg, Set: str(&o.dir)},
			{Short: 'A', Long: "action-script", Arg: cli.RequiredArg, Set: str(&o.actionScript)},
			{Short: 's', Long: "stop", Set: flag(&o.stop)},
			{Short: 'v', Long: "verbose", Set: flag(&o.verbose)},
			{Short: 'r', Long: "restore", Set: flag(&o.restore)},
			{Short: 'd', Long: "daemon", Set: func(string) error { o.daemon, o.daemonSet = true, true; return nil }},
			{Short: 'F', Long: "foreground", Set: func(string) error { o.daemon, o.daemonSet = false, true; return nil }},
			{Short: 'p', Long: "pre-dump", Set: flag(&o.preDump)},
			{Long: "predump-dir", Arg: cli.RequiredArg, Set: str(&o.predumpDir)},
		},
		Check: func(c *cli.Ctx) error { return o.check() },
		Run: func(c *cli.Ctx) int {
			ct, code := openSteps{say: sayTool, rcfile: "Failed to load rcfile: {err}",
				control: "Insufficent privileges to control {name}", defined: "{name} is not defined"}.open(c, c.RCFile)
			if ct == nil {
				return code
			}
			var err error
			if o.restore {
				_ = ct.WantDaemonize(o.daemon)
				err = ct.Restore(lxc.RestoreOptions{Directory: o.dir, Verbose: o.verbose, ActionScript: o.actionScript})
			} else {
				err = ct.Checkpoint(lxc.CheckpointOptions{Directory: o.dir, Stop: o.stop, Verbose: o.verbose,
					PreDump: o.preDump, PredumpDir: o.predumpDir, ActionScript: o.actionScript})
			}
			if err != nil {
				return c.Fail(err)
			}
			return 0
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}
