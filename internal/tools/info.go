package tools

import (
	"fmt"
	"io"
	"strings"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-info", runInfo) }

const infoHelp = `--name=NAME

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

type infoOpts struct {
	keys                        []string
	ips, state, pid, stats, raw bool
	selectors                   int
	json                        bool // --format json (golxc's)
}

func runInfo(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &infoOpts{}
	flag := func(p *bool, weight int) func(string) error {
		return func(string) error { *p = true; o.selectors += weight; return nil }
	}
	t := &cli.Tool{
		Name: "lxc-info", Help: infoHelp,
		Options: []cli.Option{
			{Short: 'c', Long: "config", Arg: cli.RequiredArg, Set: func(v string) error { o.keys = append(o.keys, v); return nil }},
			{Short: 'i', Long: "ips", Set: flag(&o.ips, 1)},
			{Short: 's', Long: "state", Set: flag(&o.state, 1)},
			{Short: 'p', Long: "pid", Set: flag(&o.pid, 1)},
			{Short: 'S', Long: "stats", Set: flag(&o.stats, 5)},
			{Short: 'H', Long: "no-humanize", Set: func(string) error { o.raw = true; return nil }},
			{Long: "format", Arg: cli.RequiredArg, Set: formatOption(&o.json), Extra: true},
		},
		Run: func(c *cli.Ctx) int { return o.run(c) },
	}
	return t.Main(argv, stdin, stdout, stderr)
}

func infoLine(w io.Writer, label, value string) { fmt.Fprintf(w, "%-15s %s\n", label, value) }

func (o *infoOpts) run(c *cli.Ctx) int {
	ct, code := openSteps{say: sayPlain, rcfile: "Failed to load rcfile",
		control: "Insufficent privileges to control {name}"}.open(c, c.RCFile)
	if ct == nil {
		return code
	}
	all := o.json || (!o.ips && !o.state && !o.pid && !o.stats && len(o.keys) == 0)
	// One batch to the monitor, and only for what is printed.
	info := ct.Info(lxc.InfoRequest{IPs: all || o.ips, Stats: all || o.stats})
	running := info.State != lxc.STOPPED
	if !running && !ct.Defined() {
		fmt.Fprintf(c.Stderr, "%s doesn't exist\n", c.Name)
		return 1
	}
	if err := ct.ConfigError(); err != nil {
		fmt.Fprintf(c.Stderr, "%s: %v\n", c.Prog, err)
		return 1
	}
	if o.json {
		return o.printJSON(c, ct, info)
	}
	bare := o.raw && o.selectors == 1
	w := c.Stdout
	if all {
		infoLine(w, "Name:", c.Name)
	}
	if all || o.state {
		o.print(w, bare, "State:", info.State.String())
	}
	if (all || o.pid) && running && info.InitPid > 0 {
		o.print(w, bare, "PID:", fmt.Sprint(info.InitPid))
	}
	if (all || o.ips) && running {
		for _, ip := range info.IPs {
			o.print(w, bare, "IP:", ip)
		}
	}
	if (all || o.stats) && running && info.Stats != nil {
		o.printStats(w, *info.Stats)
	}
	o.printKeys(c, ct)
	return 0
}

// printJSON is --format json: every field, whatever the selectors, and the
// -c keys from the on-disk config.
func (o *infoOpts) printJSON(c *cli.Ctx, ct *lxc.Container, info lxc.Info) int {
	rec := newInfoRecord(c.Name, info)
	for _, k := range o.keys {
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

func (o *infoOpts) print(w io.Writer, bare bool, label, value string) {
	if bare {
		fmt.Fprintln(w, value)
		return
	}
	infoLine(w, label, value)
}

func (o *infoOpts) size(v uint64) string {
	if o.raw {
		return fmt.Sprint(v)
	}
	return humanSize(v)
}

func (o *infoOpts) printStats(w io.Writer, st lxc.Stats) {
	if st.HasCPU {
		if o.raw {
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

// printKeys prints -c KEY from the on-disk config: "KEY = VALUE", or the
// bare value with -H and a single key.
func (o *infoOpts) printKeys(c *cli.Ctx, ct *lxc.Container) {
	for _, k := range o.keys {
		v, err := ct.ConfigItemText(k)
		if err != nil {
			fmt.Fprintf(c.Stderr, "%s invalid\n", k)
			continue
		}
		switch {
		case o.raw && len(o.keys) == 1:
			fmt.Fprintln(c.Stdout, v)
		case v == "":
			fmt.Fprintf(c.Stdout, "%s =\n", k)
		default:
			fmt.Fprintf(c.Stdout, "%s = %s\n", k, v)
		}
	}
}

// humanSize reproduces LXC's size_to_human_readable rounding.
func humanSize(v uint64) string {
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
