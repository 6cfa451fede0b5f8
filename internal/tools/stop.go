package tools

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/query"
	"github.com/golxc/golxc/lxc"
)

func init() {
	register("lxc-stop", runStop)
	register("lxc-shutdown", runShutdown)
}

func runStop(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return query.StopTool("lxc-stop", query.StopHelp, nil, runStopOpts).Main(argv, stdin, stdout, stderr)
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
	t := query.StopTool("lxc-shutdown", shutdownHelp, &wait, runStopOpts)
	run := t.Run
	t.Run = func(c *cli.Ctx) int {
		if !c.Quiet {
			fmt.Fprintf(c.Stderr, "lxc-shutdown: deprecated since LXC 1.0: running 'lxc-stop -n %s' (a clean halt); use lxc-stop from now on\n", c.Name)
		}
		return run(c)
	}
	return t.Main(argv, stdin, stdout, stderr)
}

// runStopOpts runs lxc-stop (or lxc-shutdown) with its checked options:
// -k through internal/query (which cmd/golxc-query runs too), the clean
// shutdown and the reboot here.
func runStopOpts(c *cli.Ctx, o *query.StopOpts) int {
	if o.Kill {
		return query.StopKill(lxcEnv, c)
	}
	ct, code := openSteps{configLog: true}.open(c, "")
	if ct == nil {
		return code
	}
	if !ct.Running() {
		c.Errorf("%s is not running", c.Name)
		return 2
	}
	timeout := time.Duration(o.Timeout) * time.Second
	if o.Timeout == -1 {
		timeout = -1
	}
	if o.Reboot {
		// As LXC: wait (-t, 60 s by default; -W not at all) for the
		// container to run again.
		if err := ct.RebootWithTimeout(timeout); err != nil {
			return c.Fail(err)
		}
		return 0
	}
	err := ct.Shutdown(timeout)
	if err == nil {
		return 0
	}
	if errors.Is(err, lxc.ErrNotRunning) {
		return 0
	}
	if !errors.Is(err, lxc.ErrShutdownFailed) {
		return c.Fail(err)
	}
	if o.NoKill {
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
