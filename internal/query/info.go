package query

import (
	"fmt"
	"io"
	"os"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/cmdsock"
)

// InfoHelp is lxc-info's help text.
const InfoHelp = `--name=NAME

lxc-info display some information about a container with the identifier NAME

Options :
  -n, --name=NAME       NAME of the container
  -c, --config=KEY      show configuration variable KEY from running container
  -i, --ips             shows the IP addresses
  -p, --pid             shows the process id of the init container
  -S, --stats           shows usage stats
  -H, --no-humanize     shows stats as raw numbers, not humanized
  -s, --state           shows the state of the container
  --rcfile=FILE         Load configuration file FILE
  --format=json         golxc: state, pid, IPs, stats and links (and -c keys) as JSON
`

// InfoOpts are lxc-info's options.
type InfoOpts struct {
	Keys                        []string
	IPs, State, Pid, Stats, Raw bool
	selectors                   int
	// Format is --format's value ("" when not given); golxc checks it.
	Format string
}

// InfoTool is lxc-info's command line; format checks --format's value
// (nil: any value is kept in o.Format for golxc to check).
func InfoTool(o *InfoOpts, format func(string) error, run func(*cli.Ctx) int) *cli.Tool {
	flag := func(p *bool, weight int) func(string) error {
		return func(string) error { *p = true; o.selectors += weight; return nil }
	}
	setFormat := func(v string) error {
		o.Format = v
		if format != nil {
			return format(v)
		}
		return nil
	}
	return &cli.Tool{
		Name: "lxc-info", Help: InfoHelp,
		Options: []cli.Option{
			{Short: 'c', Long: "config", Arg: cli.RequiredArg, Set: func(v string) error { o.Keys = append(o.Keys, v); return nil }},
			{Short: 'i', Long: "ips", Set: flag(&o.IPs, 1)},
			{Short: 's', Long: "state", Set: flag(&o.State, 1)},
			{Short: 'p', Long: "pid", Set: flag(&o.Pid, 1)},
			{Short: 'S', Long: "stats", Set: flag(&o.Stats, 5)},
			{Short: 'H', Long: "no-humanize", Set: func(string) error { o.Raw = true; return nil }},
			{Long: "format", Arg: cli.RequiredArg, Set: setFormat, Extra: true},
		},
		Run: run,
	}
}

// All: no selector given, lxc-info shows everything.
func (o *InfoOpts) All() bool {
	return !o.IPs && !o.State && !o.Pid && !o.Stats && len(o.Keys) == 0
}

// Info is lxc-info in golxc-query: the ordinary case (root, the plain
// output and its selectors, -c keys), from the same gathering and
// printing as golxc's lxc-info (internal/tools), which gets everything
// else by env.Full: --format, --rcfile, a user's container (its
// addresses are read from a process in the container's namespaces), and
// what LeanOpen leaves to golxc.
func Info(env Env, argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &InfoOpts{}
	var t *cli.Tool
	t = InfoTool(o, nil, func(c *cli.Ctx) int {
		if o.Format != "" || c.RCFile != "" || os.Geteuid() != 0 {
			return env.Full()
		}
		ct, code, ok := env.open(c)
		if !ok {
			return code
		}
		all := o.All()
		g := Gather(ct.LXCPath, ct.Name, InfoRequest{IPs: all || o.IPs, Stats: all || o.Stats}, rootAddresses)
		if g.State == cmdsock.STOPPED && !ct.Defined {
			fmt.Fprintf(c.Stderr, "%s doesn't exist\n", c.Name)
			return 1
		}
		if ct.LoadErr != nil {
			fmt.Fprintf(c.Stderr, "%s: %v\n", c.Prog, ct.LoadErr)
			return 1
		}
		o.Print(c.Stdout, c.Name, g.State.String(), g.State != cmdsock.STOPPED, g.InitPid, g.IPs, g.Stats)
		o.PrintKeys(c, ct.Item)
		return 0
	})
	return t.Main(argv, stdin, stdout, stderr)
}

// rootAddresses lists init pid's addresses from inside its network
// namespace (root's way; golxc's lxc package does the same).
func rootAddresses(pid int) ([]string, error) {
	v, err := NetViewInNS(pid)
	if err != nil {
		return nil, err
	}
	return Addresses(v), nil
}

func infoLine(w io.Writer, label, value string) { fmt.Fprintf(w, "%-15s %s\n", label, value) }

// Print is lxc-info's plain output of what the options select.
func (o *InfoOpts) Print(w io.Writer, name, state string, running bool, pid int, ips []string, st *Stats) {
	all := o.All()
	bare := o.Raw && o.selectors == 1
	if all {
		infoLine(w, "Name:", name)
	}
	if all || o.State {
		o.print(w, bare, "State:", state)
	}
	if (all || o.Pid) && running && pid > 0 {
		o.print(w, bare, "PID:", fmt.Sprint(pid))
	}
	if (all || o.IPs) && running {
		for _, ip := range ips {
			o.print(w, bare, "IP:", ip)
		}
	}
	if (all || o.Stats) && running && st != nil {
		o.printStats(w, *st)
	}
}

func (o *InfoOpts) print(w io.Writer, bare bool, label, value string) {
	if bare {
		fmt.Fprintln(w, value)
		return
	}
	infoLine(w, label, value)
}

func (o *InfoOpts) size(v uint64) string {
	if o.Raw {
		return fmt.Sprint(v)
	}
	return HumanSize(v)
}

func (o *InfoOpts) printStats(w io.Writer, st Stats) {
	if st.HasCPU {
		if o.Raw {
			infoLine(w, "CPU use:", fmt.Sprint(st.CPU))
		} else {
			infoLine(w, "CPU use:", fmt.Sprintf("%.2f seconds", float64(st.CPU)/1e9))
		}
	}
	if st.HasBlkIO {
		infoLine(w, "BlkIO use:", o.size(st.BlkIO))
	}
	if st.HasMemory {
		infoLine(w, "Memory use:", o.size(st.Memory))
	}
	if st.HasKMem {
		infoLine(w, "KMem use:", o.size(st.KMem))
	}
	for _, n := range st.Net {
		infoLine(w, "Link:", n.Link)
		infoLine(w, " TX bytes:", o.size(n.TX))
		infoLine(w, " RX bytes:", o.size(n.RX))
		infoLine(w, " Total bytes:", o.size(n.TX+n.RX))
	}
}

// PrintKeys prints -c KEY from the on-disk config (item): "KEY = VALUE",
// or the bare value with -H and a single key.
func (o *InfoOpts) PrintKeys(c *cli.Ctx, item func(key string) (string, error)) {
	for _, k := range o.Keys {
		v, err := item(k)
		if err != nil {
			fmt.Fprintf(c.Stderr, "%s invalid\n", k)
			continue
		}
		switch {
		case o.Raw && len(o.Keys) == 1:
			fmt.Fprintln(c.Stdout, v)
		case v == "":
			fmt.Fprintf(c.Stdout, "%s =\n", k)
		default:
			fmt.Fprintf(c.Stdout, "%s = %s\n", k, v)
		}
	}
}

// HumanSize reproduces LXC's size_to_human_readable rounding.
func HumanSize(v uint64) string {
	const kib, mib, gib = 1 << 10, 1 << 20, 1 << 30
	switch {
	case v > gib:
		return fmt.Sprintf("%d.%02d GiB", v>>30, (v&(gib-1))/10737419)
	case v > mib:
		x := v + 5243
		return fmt.Sprintf("%d.%02d MiB", x>>20, ((x&(mib-1))*100)>>20)
	case v > kib:
		x := v + 5
		return fmt.Sprintf("%d.%02d KiB", x>>10, ((x&(kib-1))*100)>>10)
	default:
		return fmt.Sprintf("%d bytes", v)
	}
}
