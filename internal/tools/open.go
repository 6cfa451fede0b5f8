package tools

import (
	"fmt"
	"strings"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/lxc"
)

// openSteps is how a tool opens its container before its own work: the
// steps LXC 5.0.2's tool of the same name takes, and the words it says
// when one fails. Each tool words them differently (and the tests check
// the words), so the messages are templates in which {name}, {path},
// {rcfile} and {err} stand for the container's name, its lxcpath, the
// rcfile and the step's error. An empty message skips its step.
type openSteps struct {
	say       func(c *cli.Ctx, msg string) // how a failed step is reported
	noSuch    string                       // lxc.NewContainer failed; "" is c.Fail's line
	configLog bool                         // log to the container's lxc.log.file
	clear     bool                         // drop the container's own config before the rcfile
	rcfile    string                       // the rcfile did not load
	control   string                       // not controllable by this user
	running   string                       // not running
	defined   string                       // no configuration
}

// How tools report a failed step: LXC's ERROR log line, "PROG: msg"
// (lxc_error), or the bare line on stderr (lxc-info's fprintf).
func sayLog(_ *cli.Ctx, msg string)   { log.Errorf("%s", msg) }
func sayTool(c *cli.Ctx, msg string)  { c.Errorf("%s", msg) }
func sayPlain(c *cli.Ctx, msg string) { fmt.Fprintln(c.Stderr, msg) }

// open runs the steps with rcfile ("" loads none); on a failed step it has
// said so and returns the tool's exit code with no container.
func (s openSteps) open(c *cli.Ctx, rcfile string) (*lxc.Container, int) {
	fail := func(msg string, err error) (*lxc.Container, int) {
		e := ""
		if err != nil {
			e = err.Error()
		}
		s.say(c, strings.NewReplacer("{name}", c.Name, "{path}", c.LXCPath, "{rcfile}", rcfile, "{err}", e).Replace(msg))
		return nil, 1
	}
	ct, err := lxc.NewContainer(c.Name, c.LXCPath)
	if err != nil {
		if s.noSuch == "" {
			return nil, c.Fail(err)
		}
		return fail(s.noSuch, err)
	}
	if s.configLog {
		useConfigLog(c, ct)
	}
	if rcfile != "" && s.rcfile != "" {
		if s.clear {
			ct.ClearConfig()
		}
		if err := ct.LoadConfigFile(rcfile); err != nil {
			return fail(s.rcfile, err)
		}
	}
	if s.control != "" && !ct.Controllable() {
		return fail(s.control, nil)
	}
	if s.running != "" && !ct.Running() {
		return fail(s.running, nil)
	}
	if s.defined != "" && !ct.Defined() {
		return fail(s.defined, nil)
	}
	return ct, 0
}
