package tools

import (
	"fmt"
	"io"
	"strings"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/query"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-info", runInfo) }

// runInfo is golxc's lxc-info: every case, from the same option table,
// gathering (lxc.Container.Info runs query.Gather) and printing as
// golxc-query's (internal/query.Info), which hands golxc what it leaves.
func runInfo(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &query.InfoOpts{}
	var json bool
	t := query.InfoTool(o, formatOption(&json), func(c *cli.Ctx) int { return runInfoOpts(c, o, json) })
	return t.Main(argv, stdin, stdout, stderr)
}

func runInfoOpts(c *cli.Ctx, o *query.InfoOpts, json bool) int {
	ct, code := openSteps{say: sayPlain, rcfile: "Failed to load rcfile",
		control: "Insufficent privileges to control {name}"}.open(c, c.RCFile)
	if ct == nil {
		return code
	}
	all := json || o.All()
	// One batch to the monitor, and only for what is printed.
	info := ct.Info(lxc.InfoRequest{IPs: all || o.IPs, Stats: all || o.Stats})
	running := info.State != lxc.STOPPED
	if !running && !ct.Defined() {
		fmt.Fprintf(c.Stderr, "%s doesn't exist\n", c.Name)
		return 1
	}
	if err := ct.ConfigError(); err != nil {
		fmt.Fprintf(c.Stderr, "%s: %v\n", c.Prog, err)
		return 1
	}
	if json {
		return printInfoJSON(c, o, ct, info)
	}
	o.Print(c.Stdout, c.Name, info.State.String(), running, info.InitPid, info.IPs, info.Stats)
	o.PrintKeys(c, ct.ConfigItemText)
	return 0
}

// printInfoJSON is --format json: every field, whatever the selectors, and the
// -c keys from the on-disk config.
func printInfoJSON(c *cli.Ctx, o *query.InfoOpts, ct *lxc.Container, info lxc.Info) int {
	rec := newInfoRecord(c.Name, info)
	for _, k := range o.Keys {
		v, err := ct.ConfigItemText(k)
		if err != nil {
			fmt.Fprintf(c.Stderr, "%s invalid\n", k)
			continue
		}
		if rec.Config == nil {
			rec.Config = map[string]string{}
		}
		rec.Config[k] = strings.TrimSuffix(v, "\n") // list keys end in one
	}
	if err := writeJSON(c.Stdout, rec); err != nil {
		return c.Fail(err)
	}
	return 0
}
