package tools

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-autostart", runAutostart) }

const autostartHelp = `
lxc-autostart managed auto-started containers

Options:
  -k, --kill        kill the containers instead of starting them
  -L, --list        list all affected containers and wait delay
  -r, --reboot      reboot the containers instead of starting them
  -s, --shutdown    shutdown the containers instead of starting them

  -a, --all         list all auto-started containers (ignore groups)
  -A, --ignore-auto ignore lxc.start.auto and select all matching containers
  -g, --groups      list of groups (comma separated) to select
  -t, --timeout=T   wait T seconds before hard-stopping
`

type autostartOpts struct {
	action     autostartAction
	list       bool
	all        bool
	ignoreAuto bool
	groups     []string // -g, accumulated; nil: only the NULL group
	timeout    int
}

func runAutostart(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &autostartOpts{timeout: 60} // LXC 5.0.2's default for -s
	var gs []string
	setAction := func(a autostartAction) func(string) error {
		return func(string) error { o.action = a; return nil }
	}
	t := &cli.Tool{
		Name: "lxc-autostart", Help: autostartHelp, NameMode: cli.NameNoOperand,
		Options: []cli.Option{
			{Short: 'k', Long: "kill", Set: setAction(autostartKill)},
			{Short: 'L', Long: "list", Set: func(string) error { o.list = true; return nil }},
			{Short: 'r', Long: "reboot", Set: setAction(autostartReboot)},
			{Short: 's', Long: "shutdown", Set: setAction(autostartShutdown)},
			{Short: 'a', Long: "all", Set: func(string) error { o.all = true; return nil }},
			{Short: 'A', Long: "ignore-auto", Set: func(string) error { o.ignoreAuto = true; return nil }},
			{Short: 'g', Long: "groups", Arg: cli.RequiredArg, Set: func(v string) error {
				gs = append(gs, v)
				return nil
			}},
			{Short: 't', Long: "timeout", Arg: cli.RequiredArg, Set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil {
					return fmt.Errorf("could not parse command line: -t %q is not a number of seconds", v)
				}
				o.timeout = n
				return nil
			}},
		},
		Run: func(c *cli.Ctx) int {
			if len(gs) > 0 {
				var dups []string
				o.groups, dups = accumulateGroups(gs)
				for _, d := range dups {
					log.Errorf("%s", d)
				}
			}
			return o.run(c)
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}

// autostartAction is what lxc-autostart does to the selected containers.
type autostartAction int

const (
	autostartStart autostartAction = iota
	autostartReboot
	autostartShutdown
	autostartKill
)

// autostartEntry is one defined container as lxc-autostart sees it.
type autostartEntry struct {
	name    string
	auto    bool     // lxc.start.auto = 1
	delay   int      // lxc.start.delay, seconds
	order   int      // lxc.start.order
	groups  []string // lxc.group; nil for none (the NULL group)
	control bool     // the caller may act on it
}

// accumulateGroups joins the -g arguments (comma lists; an empty element
// is the NULL group) into one list in order, dropping duplicates with
// LXC's message. Duplicates are found with LXC's prefix comparison
// (groupListed), so "-g web,webx" keeps only "web", as LXC does.
func accumulateGroups(args []string) (groups, dups []string) {
	groups = []string{}
	for _, a := range args {
		for _, g := range splitKeep(a, ',') {
			if groupListed(g, groups) {
				if g != "" {
					dups = append(dups, fmt.Sprintf("Duplicate group %q in list - ignoring", g))
				} else {
					dups = append(dups, "Duplicate NULL group in list - ignoring")
				}
				continue
			}
			groups = append(groups, g)
		}
	}
	return groups, dups
}

// splitKeep splits s on sep keeping empty fields ("a,,b" has three).
func splitKeep(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// groupListed is LXC's list_contains_entry: the empty (NULL) group matches
// a container without groups; otherwise an entry of list matches when it is
// a prefix of group (LXC compares only the entry's length).
func groupListed(group string, list []string) bool {
	if list == nil {
		return group == ""
	}
	for _, e := range list {
		if len(e) <= len(group) && group[:len(e)] == e {
			return true
		}
	}
	return false
}

// autostartSelect returns the containers to act on, in the order LXC acts:
// sorted by lxc.start.order then name (reversed for shutdown and kill),
// taken group by group in the order the groups were given (nil groups:
// the NULL group only; all: every group), each container at most once.
func autostartSelect(entries []autostartEntry, groups []string, all, ignoreAuto bool, reverse bool) []autostartEntry {
	sorted := append([]autostartEntry(nil), entries...)
	sortAutostart(sorted, reverse)
	if groups == nil || all {
		groups = []string{""}
	}
	done := make([]bool, len(sorted))
	var out []autostartEntry
	for _, g := range groups {
		for i, e := range sorted {
			if done[i] {
				continue
			}
			if !e.control || (!ignoreAuto && !e.auto) {
				done[i] = true
				continue
			}
			if !all && !groupListed(g, e.groups) {
				continue // maybe in a later group
			}
			done[i] = true
			out = append(out, e)
		}
	}
	return out
}

// sortAutostart orders by lxc.start.order, then by name (reversed for
// shutdown and kill). LXC compares names only over the first one's length,
// which on its alphabetically listed containers gives this same order.
func sortAutostart(es []autostartEntry, reverse bool) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if reverse {
			a, b = b, a
		}
		if a.order != b.order {
			return a.order < b.order
		}
		return a.name < b.name
	})
}

func (o *autostartOpts) run(c *cli.Ctx) int {
	if o.all && o.groups != nil {
		log.Errorf("Specifying -a (all) with -g (groups) doesn't make sense. All option overrides")
	}
	names := lxc.DefinedContainerNames(c.LXCPath)
	entries := make([]autostartEntry, 0, len(names))
	cts := map[string]*lxc.Container{}
	for _, n := range names {
		ct, err := lxc.NewContainer(n, c.LXCPath)
		if err != nil || ct.ConfigError() != nil {
			log.Debugf("Skipping %q: its config does not load", n)
			continue
		}
		cts[n] = ct
		entries = append(entries, autostartEntry{
			name: n, auto: configInt(ct, "lxc.start.auto") == 1,
			delay: configInt(ct, "lxc.start.delay"), order: configInt(ct, "lxc.start.order"),
			groups: configList(ct, "lxc.group"), control: ct.Controllable(),
		})
	}
	reverse := o.action == autostartShutdown || o.action == autostartKill
	failed := 0
	for _, e := range autostartSelect(entries, o.groups, o.all, o.ignoreAuto, reverse) {
		if !o.act(c, cts[e.name], e) {
			failed++
		}
	}
	// LXC 5.0.2: every defined container failed, or there is none: 1;
	// some failed: 2.
	switch {
	case failed == len(names):
		return 1
	case failed > 0:
		return 2
	}
	return 0
}

// act applies the action to one selected container (or lists it when it
// would be acted on); false when the action failed.
func (o *autostartOpts) act(c *cli.Ctx, ct *lxc.Container, e autostartEntry) bool {
	running := ct.Running()
	if (o.action == autostartStart) == running {
		return true // nothing to do: started ones are not started again, stopped ones not stopped
	}
	if o.list {
		if o.action == autostartStart || o.action == autostartReboot {
			fmt.Fprintf(c.Stdout, "%s %d\n", e.name, e.delay)
		} else {
			fmt.Fprintf(c.Stdout, "%s\n", e.name)
		}
		return true
	}
	var err error
	switch o.action {
	case autostartStart:
		ct.WantDaemonize(true)
		if err = ct.Start(); err == nil {
			log.Infof("Started %q; waiting its lxc.start.delay of %d s", e.name, e.delay)
			time.Sleep(time.Duration(e.delay) * time.Second)
		}
	case autostartReboot:
		if err = ct.Reboot(); err == nil {
			time.Sleep(time.Duration(e.delay) * time.Second)
		}
	case autostartShutdown:
		timeout := time.Duration(o.timeout) * time.Second
		if o.timeout < 0 {
			timeout = -1
		}
		if err = ct.Shutdown(timeout); err != nil {
			log.Debugf("%q did not shut down (%v): killing it", e.name, err)
			err = ct.Stop()
		}
	case autostartKill:
		err = ct.Stop()
	}
	if err != nil && !errors.Is(err, lxc.ErrNotRunning) {
		verb := map[autostartAction]string{autostartStart: "starting", autostartReboot: "rebooting",
			autostartShutdown: "shutting down", autostartKill: "killing"}[o.action]
		c.Errorf("Error %s container: %s: %v", verb, e.name, err)
		return false
	}
	return true
}

// configInt reads an integer key as LXC's get_config_integer: 0 when
// unset or not a number.
func configInt(ct *lxc.Container, key string) int {
	v := ct.ConfigItem(key)
	if len(v) == 0 {
		return 0
	}
	n, err := strconv.Atoi(v[0])
	if err != nil {
		return 0
	}
	return n
}

// configList is a list key's values, nil when it has none.
func configList(ct *lxc.Container, key string) []string {
	var out []string
	for _, v := range ct.ConfigItem(key) {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
