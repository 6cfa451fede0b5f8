package manpage

import (
	"fmt"
	"strings"

	"github.com/golxc/golxc/internal/buildinfo"
	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/templates"
	"github.com/golxc/golxc/internal/tools"
)

// toolPage renders the section 1 page of a cli.Tool-based tool.
func toolPage(t *cli.Tool) (string, error) {
	doc := parseHelp(t.Help)
	fallback := parseHelp("")
	if other, ok := helpFallback()[t.Name]; ok {
		if ot, ok := tools.Describe(other); ok {
			fallback = parseHelp(ot.Help)
		}
	}
	common := parseHelp(commonBlock())
	for i, e := range common.entries {
		if e.documents(0, "help") { // -h works as well as -?, unlisted by LXC
			common.entries[i].spec = append([]string{"-h,"}, e.spec...)
		}
	}
	var p page
	p.header(t.Name, 1, buildinfo.Version, summary(t.Name))
	p.macro("SH", "SYNOPSIS")
	for i, s := range doc.synopsis {
		if i > 0 {
			p.raw(".br")
		}
		p.raw(bold(t.Name) + " " + esc(s))
	}
	if len(doc.synopsis) == 0 {
		p.raw(bold(t.Name) + " [OPTION...]")
	}
	p.macro("SH", "DESCRIPTION")
	p.para(doc.description...)
	p.macro("SH", "OPTIONS")
	documented := doc.entries
	for _, e := range doc.entries {
		if len(e.spec) == 0 {
			p.para(e.desc...)
			continue
		}
		p.item(optionTag(e.spec), e.desc...)
	}
	// Options of the table that --help leaves out: lxc-stop's text for
	// lxc-shutdown, then the few written here.
	for _, o := range t.Options {
		if findEntry(documented, o) != nil {
			continue
		}
		e := findEntry(fallback.entries, o)
		if e == nil {
			e = findEntry(supplement, o)
		}
		if e == nil {
			return "", fmt.Errorf("%s: option --%s is neither in its --help text nor in manpage's supplement", t.Name, o.Long)
		}
		documented = append(documented, *e)
		p.item(optionTag(e.spec), e.desc...)
	}
	p.macro("SH", "COMMON OPTIONS")
	p.para("These options are common to most lxc-* commands.")
	for _, e := range common.entries {
		p.item(optionTag(e.spec), e.desc...)
	}
	documented = append(documented, common.entries...)
	for _, o := range cli.CommonOptions() {
		if findEntry(documented, o) != nil {
			continue
		}
		e := findEntry(supplement, o)
		if e == nil {
			return "", fmt.Errorf("%s: common option --%s has no description", t.Name, o.Long)
		}
		documented = append(documented, *e)
		p.item(optionTag(e.spec), e.desc...)
	}
	if t.Name == "lxc-create" {
		downloadSection(&p)
	}
	golxcSection(&p, t.Name)
	return p.b.String(), nil
}

// downloadSection documents the built-in download template's options
// (lxc-create -t download -- OPTIONS) from its table.
func downloadSection(p *page) {
	p.macro("SH", "DOWNLOAD TEMPLATE")
	p.para("-t download is built in (golxc-image, no shell script): it fetches a signed image from an image server " +
		"in the layout of LXC's download template, verifies it and unpacks it. Its options follow --:")
	for _, o := range templates.DownloadOptions() {
		var spec []string
		if o.Short != 0 {
			spec = append(spec, "-"+string(o.Short)+",")
		}
		long := "--" + o.Long
		if o.Arg != "" {
			long += "=" + o.Arg
		}
		p.item(optionTag(append(spec, long)), o.Help)
	}
}

// findEntry returns the entry documenting o, or nil.
func findEntry(entries []helpEntry, o cli.Option) *helpEntry {
	for i := range entries {
		if entries[i].documents(o.Short, o.Long) {
			return &entries[i]
		}
	}
	return nil
}

// commonBlock is the common options part of --help, shaped for parseHelp.
func commonBlock() string {
	text := cli.CommonHelp()
	_, after, _ := strings.Cut(text, "Common options :\n")
	block, _, _ := strings.Cut(after, "\nMandatory")
	return "\n\nOptions :\n" + block
}

// golxcSection ends every tool page: what golxc adds or changes, and the
// related pages.
func golxcSection(p *page, name string) {
	p.macro("SH", "GOLXC")
	p.para("This is golxc's implementation of " + name + ": it accepts LXC 5.0.2's options, " +
		"prints LXC's output and exit codes, and --version prints 5.0.2 for the scripts that parse it. " +
		"golxc version names golxc's own release and commit.")
	for _, n := range notes()[name] {
		p.para(n)
	}
	p.macro("SH", "SEE ALSO")
	p.raw(`\fBgolxc\fR(1), \fBlxc.container.conf\fR(5), \fBlxc.system.conf\fR(5), \fBlxc\-ls\fR(1), \fBlxc\-start\fR(1)`)
}

// helpFallback: a tool whose --help points at another tool's options.
func helpFallback() map[string]string { return map[string]string{"lxc-shutdown": "lxc-stop"} }

// supplement describes the options LXC's --help texts leave out.
var supplement = []helpEntry{
	{spec: []string{"-n,", "--name=NAME"}, desc: []string{"NAME of the container."}},
	{spec: []string{"--rcfile=FILE"}, desc: []string{"Load the configuration file FILE instead of the container's own config."}},
}

// summary is the one line of the NAME section.
func summary(name string) string {
	if s, ok := summaries()[name]; ok {
		return s
	}
	return "an LXC 5.0.2 command, as implemented by golxc"
}

func summaries() map[string]string {
	return map[string]string{
		"lxc-attach":        "start a process inside a running container",
		"lxc-autostart":     "start, stop, kill or reboot the containers marked lxc.start.auto",
		"lxc-cgroup":        "read or write a cgroup file of a running container",
		"lxc-checkconfig":   "check the running kernel for what containers need",
		"lxc-config":        "print the system configuration items (lxc.system.conf)",
		"lxc-console":       "attach the terminal to a tty of a container",
		"lxc-create":        "create a container from a template",
		"lxc-destroy":       "destroy a container and its root file system",
		"lxc-device":        "add a host device or network interface to a running container",
		"lxc-execute":       "run one command as init of a new container",
		"lxc-freeze":        "freeze every process of a container",
		"lxc-info":          "show a container's state, pid, addresses and resource use",
		"lxc-ls":            "list the containers of an lxcpath",
		"lxc-monitor":       "follow the state changes of containers",
		"lxc-net":           "manage the lxcbr0 bridge with NAT and DHCP (golxc's lxc-net service)",
		"lxc-sandbox":       "run a shell or command in a throw-away container over the host's root (golxc's addition)",
		"lxc-shutdown":      "halt a container cleanly (LXC 1.0's name for lxc-stop)",
		"lxc-start":         "start a container",
		"lxc-stop":          "stop, reboot or kill a container",
		"lxc-top":           "show the resource use of running containers",
		"lxc-unfreeze":      "thaw a frozen container",
		"lxc-unshare":       "run a command in new namespaces",
		"lxc-update-config": "convert an LXC 1.x/2.0 container config to current keys",
		"lxc-usernsexec":    "run a command as root in a new user namespace",
		"lxc-wait":          "wait for a container to reach a state",
	}
}

// notes are golxc's additions to a tool, in its GOLXC section.
func notes() map[string][]string {
	return map[string][]string{
		"lxc-ls": {
			"--format json (golxc's addition) prints a JSON array with one object per container holding every -F field: " +
				"name, state, pid, ram_bytes, swap_bytes, autostart, groups, interfaces, ipv4, ipv6, unprivileged. " +
				"Absent values are null or empty lists, never \"-\". --format text, the default, and lxc-ls -f are LXC's output unchanged.",
		},
		"lxc-info": {
			"--format json (golxc's addition) prints one JSON object: name, state, pid, ips, stats " +
				"(cpu_ns, blkio_bytes, memory_bytes, kmem_bytes) and links (name, tx_bytes, rx_bytes), " +
				"and config with the values of the -c keys. Absent values are null.",
		},
		"lxc-start": {
			"Container configs may still use LXC 1.x/2.0 keys: golxc reads them under their current names " +
				"and warns once per key (see lxc.container.conf(5), LEGACY KEYS).",
		},
		"lxc-sandbox": {
			"lxc-sandbox is golxc's own tool (LXC has none), after Fatdog64's sandbox-lxc.sh and rw-sandbox-lxc.sh. " +
				"The sandbox is a volatile container: an overlay of the host's root file system (other file systems show as empty directories) " +
				"under the --layer layers under a tmpfs or --rw DIR, mounted in RUNDIR/golxc-sandbox/ID; hostname sandbox (or NAME), " +
				"an own network namespace with lo, sys_module, sys_time and syslog dropped without --idmap, block devices denied. " +
				"When it ends, or when lxc-sandbox is killed, a guard process in its own session removes its cgroups, mounts and directories. " +
				"It needs root for now.",
		},
		"lxc-shutdown": {
			"lxc-shutdown is kept for LXC 1.0 scripts: golxc runs lxc-stop (a clean halt) and says so on stderr.",
		},
	}
}
