package tools

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-ls", runLs) }

const lsHelp = `
[-P lxcpath] [--active] [--running] [--frozen] [--stopped] [--nesting] [-g groups] [--filter regex]
[-1] [-P lxcpath] [--active] [--running] [--frozen] [--stopped] [--nesting] [-g groups] [--filter regex]
[-f] [-P lxcpath] [--active] [--running] [--frozen] [--stopped] [--nesting] [-g groups] [--filter regex]

lxc-ls list containers

Options :
  -1, --line         show one entry per line
  -f, --fancy        column-based output
  -F, --fancy-format column-based output
  --active           list only active containers
  --running          list only running containers
  --frozen           list only frozen containers
  --stopped          list only stopped containers
  --defined          list only defined containers
  --nesting=NUM      list nested containers up to NUM (default is 5) levels of nesting
  --filter=REGEX     filter container names by regular expression
  -g --groups        comma separated list of groups a container must have to be displayed
  --format=json      golxc: every -F field of each container as JSON
`

type lsOpts struct {
	line, fancy                             bool
	format                                  string
	active, running, frozen, stopped, defin bool
	groups                                  []string
	filter                                  string
	filterSet                               bool
	json                                    bool // --format json (golxc's)
}

func runLs(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &lsOpts{}
	t := &cli.Tool{
		Name: "lxc-ls", Help: lsHelp, NameMode: cli.NameOptional,
		Options: []cli.Option{
			{Short: '1', Long: "line", Set: func(string) error { o.line = true; return nil }},
			{Short: 'f', Long: "fancy", Set: func(string) error { o.fancy = true; return nil }},
			{Short: 'F', Long: "fancy-format", Arg: cli.RequiredArg, Set: func(v string) error { o.format = v; return nil }},
			{Long: "active", Set: func(string) error { o.active = true; return nil }},
			{Long: "running", Set: func(string) error { o.running = true; return nil }},
			{Long: "frozen", Set: func(string) error { o.frozen = true; return nil }},
			{Long: "stopped", Set: func(string) error { o.stopped = true; return nil }},
			{Long: "defined", Set: func(string) error { o.defin = true; return nil }},
			{Long: "nesting", Arg: cli.OptionalArg, Set: func(string) error { return nil }},
			{Short: 'g', Long: "groups", Arg: cli.RequiredArg, Set: func(v string) error { o.groups = strings.Split(v, ","); return nil }},
			{Long: "filter", Arg: cli.RequiredArg, Set: func(v string) error { o.filter, o.filterSet = v, true; return nil }},
			{Long: "format", Arg: cli.RequiredArg, Set: formatOption(&o.json), Extra: true},
		},
		Run: func(c *cli.Ctx) int { return o.run(c) },
	}
	return t.Main(argv, stdin, stdout, stderr)
}

func (o *lsOpts) run(c *cli.Ctx) int {
	if !o.filterSet && len(c.Args) > 0 {
		o.filter, o.filterSet = c.Args[0], true
	}
	var cols []string
	if o.fancy {
		var err error
		if cols, err = lsColumns(o.format); err != nil {
			fmt.Fprintln(c.Stderr, err)
			return 0
		}
	}
	var re *regexp.Regexp
	if o.filterSet {
		var err error
		if re, err = regexp.Compile(o.filter); err != nil {
			return 0 // LXC: an invalid regex filters everything out
		}
	}
	var names []string
	for _, name := range lxc.ContainerNames(c.LXCPath) {
		if re == nil || re.MatchString(name) {
			names = append(names, name)
		}
	}
	// Each row waits on its monitor's socket and enters its netns: query
	// the containers concurrently, print in name order.
	type result struct {
		row     *lsRow
		rec     lsRecord
		loadErr error
	}
	res := make([]result, len(names))
	parallel(len(names), lsWorkers, func(i int) {
		ct, err := lxc.NewContainer(names[i], c.LXCPath)
		if err != nil {
			return
		}
		// NewContainer removes a container whose create was interrupted:
		// gone now, it is not listed (LXC 5.0.2 still lists it once, as
		// STOPPED, while it removes its config).
		if !ct.Defined() && !ct.Running() {
			return
		}
		if err := ct.ConfigError(); err != nil {
			res[i].loadErr = err
			return
		}
		if r := newLsRow(ct, o.fancy && !o.json, cols); o.keep(ct, r) {
			res[i].row = r
			if o.json {
				res[i].rec = newLsRecord(ct, r.state)
			}
		}
	})
	var rows []*lsRow
	recs := []lsRecord{}
	for i, r := range res {
		if r.loadErr != nil {
			fmt.Fprintf(c.Stderr, "Failed to load config for %s: %v\n", names[i], r.loadErr)
		}
		if r.row != nil {
			rows = append(rows, r.row)
			recs = append(recs, r.rec)
		}
	}
	switch {
	case o.json:
		if err := writeJSON(c.Stdout, recs); err != nil {
			return c.Fail(err)
		}
	case o.fancy:
		printFancy(c.Stdout, cols, rows)
	case o.line:
		for _, r := range rows {
			fmt.Fprintln(c.Stdout, r.name)
		}
	default:
		printPlain(c.Stdout, rows)
	}
	return 0
}

// lsWorkers bounds the containers lxc-ls queries at once.
const lsWorkers = 16

// parallel runs fn(0..n-1) on at most workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	if n < workers {
		workers = n
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

func (o *lsOpts) keep(ct *lxc.Container, r *lsRow) bool {
	st := r.state
	switch {
	case o.active && st != lxc.RUNNING && st != lxc.FROZEN && st != lxc.STARTING && st != lxc.STOPPING && st != lxc.FREEZING && st != lxc.THAWED:
		return false
	case o.running && st == lxc.STOPPED:
		return false
	case o.frozen && !o.active && st != lxc.FROZEN:
		return false
	case o.stopped && st != lxc.STOPPED:
		return false
	case o.defin && !ct.Defined():
		return false
	}
	if len(o.groups) > 0 {
		have := map[string]bool{}
		for _, g := range ct.ConfigItem("lxc.group") {
			have[g] = true
		}
		for _, g := range o.groups {
			if !have[g] {
				return false
			}
		}
	}
	return true
}

var lsDefaultColumns = []string{"NAME", "STATE", "AUTOSTART", "GROUPS", "IPV4", "IPV6", "UNPRIVILEGED"}
var lsKnownColumns = map[string]bool{"NAME": true, "STATE": true, "PID": true, "RAM": true, "SWAP": true, "AUTOSTART": true, "GROUPS": true, "INTERFACE": true, "IPV4": true, "IPV6": true, "UNPRIVILEGED": true}

func lsColumns(format string) ([]string, error) {
	if format == "" {
		return lsDefaultColumns, nil
	}
	var cols []string
	for _, f := range strings.Split(format, ",") {
		u := strings.ToUpper(f)
		if !lsKnownColumns[u] {
			return nil, fmt.Errorf("Invalid key: %s", f)
		}
		cols = append(cols, u)
	}
	return cols, nil
}

type lsRow struct {
	name    string
	state   lxc.State
	running bool
	cells   map[string]string
	ram     float64
	swap    float64
}

func newLsRow(ct *lxc.Container, fancy bool, cols []string) *lsRow {
	r := &lsRow{name: ct.Name(), cells: map[string]string{}}
	r.state = ct.State()
	r.running = r.state != lxc.STOPPED
	if !fancy {
		return r
	}
	want := map[string]bool{}
	for _, c := range cols {
		want[c] = true
	}
	r.cells["NAME"] = r.name
	r.cells["STATE"] = r.state.String()
	r.cells["AUTOSTART"] = autostartCell(ct)
	r.cells["GROUPS"] = joinOrDash(nonEmpty(ct.ConfigItem("lxc.group")))
	r.cells["UNPRIVILEGED"] = strconv.FormatBool(len(nonEmpty(ct.ConfigItem("lxc.idmap"))) > 0)
	for _, k := range []string{"PID", "INTERFACE", "IPV4", "IPV6"} {
		r.cells[k] = "-"
	}
	if !r.running {
		return r
	}
	pid := ct.InitPid()
	if want["PID"] && pid > 0 {
		r.cells["PID"] = strconv.Itoa(pid)
	}
	if want["INTERFACE"] {
		ifs, _ := ct.Interfaces()
		r.cells["INTERFACE"] = joinOrDash(ifs)
	}
	if want["IPV4"] {
		ips, _ := ct.IPv4Addresses()
		r.cells["IPV4"] = joinOrDash(ips)
	}
	if want["IPV6"] {
		ips, _ := ct.IPv6Addresses()
		r.cells["IPV6"] = joinOrDash(ips)
	}
	if want["RAM"] {
		m, _ := ct.MemoryUsage()
		r.ram = float64(m) / (1 << 20)
	}
	if want["SWAP"] {
		s, _ := ct.MemorySwapUsage()
		r.swap = float64(s) / (1 << 20)
	}
	return r
}

func autostartCell(ct *lxc.Container) string {
	v := ct.ConfigItem("lxc.start.auto")
	if len(v) == 0 || v[0] == "" {
		return "0"
	}
	return v[0]
}

func nonEmpty(v []string) []string {
	var out []string
	for _, s := range v {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func joinOrDash(v []string) string {
	if len(v) == 0 {
		return "-"
	}
	return strings.Join(v, ", ")
}

// printFancy prints LXC's table: every cell "%-*s " (so lines end with a
// space); RAM/SWAP are right-aligned "%*.2fMB ".
func printFancy(w io.Writer, cols []string, rows []*lsRow) {
	if len(rows) == 0 {
		return
	}
	width := map[string]int{}
	for _, c := range cols {
		width[c] = len(c)
	}
	for _, r := range rows {
		for _, c := range cols {
			l := len(r.cells[c])
			switch c {
			case "RAM":
				l = len(fmt.Sprintf("%.2f", r.ram))
			case "SWAP":
				l = len(fmt.Sprintf("%.2f", r.swap))
			}
			if l > width[c] {
				width[c] = l
			}
		}
	}
	var b strings.Builder
	for _, c := range cols {
		wd := width[c]
		if c == "RAM" || c == "SWAP" {
			wd += 2
		}
		fmt.Fprintf(&b, "%-*s ", wd, c)
	}
	b.WriteByte('\n')
	for _, r := range rows {
		for _, c := range cols {
			switch {
			case (c == "RAM" || c == "SWAP") && r.running:
				v := r.ram
				if c == "SWAP" {
					v = r.swap
				}
				fmt.Fprintf(&b, "%*.2fMB ", width[c], v)
			case c == "RAM" || c == "SWAP":
				fmt.Fprintf(&b, "%-*s   ", width[c], "-")
			default:
				fmt.Fprintf(&b, "%-*s ", width[c], r.cells[c])
			}
		}
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
}

// printPlain pads names to the longest (min 4); on a terminal names flow in
// rows, otherwise one padded name per line, as LXC does.
func printPlain(w io.Writer, rows []*lsRow) {
	if len(rows) == 0 {
		return
	}
	width := 4
	for _, r := range rows {
		if len(r.name) > width {
			width = len(r.name)
		}
	}
	cols := terminalColumns()
	var b strings.Builder
	line := 0
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s", width, r.name)
		line += width
		if line+width >= cols {
			b.WriteByte('\n')
			line = 0
		} else {
			b.WriteByte(' ')
			line++
		}
	}
	if line > 0 {
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
}

func terminalColumns() int {
	for _, f := range []*os.File{os.Stdout, os.Stderr, os.Stdin} {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil {
			return int(ws.Col)
		}
	}
	return 0
}
