package manpage

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/golxc/golxc/internal/buildinfo"
	"github.com/golxc/golxc/internal/tools"
)

// Pages returns every manual page, keyed by its path under a man
// directory ("man1/lxc-info.1", "man5/lxc.container.conf.5").
func Pages() (map[string]string, error) {
	pages := map[string]string{}
	plain := plainTools()
	for _, name := range tools.Implemented() {
		if t, ok := tools.Describe(name); ok {
			text, err := toolPage(t)
			if err != nil {
				return nil, err
			}
			pages["man1/"+name+".1"] = text
			continue
		}
		pt, ok := plain[name]
		if !ok {
			return nil, fmt.Errorf("%s: no option table and no hand-written entry in manpage's plainTools", name)
		}
		pages["man1/"+name+".1"] = plainPage(name, pt)
	}
	pages["man1/golxc.1"] = golxcPage()
	for alias, target := range aliasPages() {
		if pages[target] == "" {
			return nil, fmt.Errorf("%s: the page it stands for, %s, is not generated", alias, target)
		}
		pages[alias] = soPage(target)
	}
	conf, err := containerConfPage()
	if err != nil {
		return nil, err
	}
	pages["man5/lxc.container.conf.5"] = conf
	sys, err := systemConfPage()
	if err != nil {
		return nil, err
	}
	pages["man5/lxc.system.conf.5"] = sys
	pages["man5/lxc-usernet.5"] = usernetPage()
	return pages, nil
}

// Generate writes every page under dir (dir/man1, dir/man5) and returns
// the paths written, sorted.
func Generate(dir string) ([]string, error) {
	pages, err := Pages()
	if err != nil {
		return nil, err
	}
	var written []string
	for rel, text := range pages {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return nil, err
		}
		written = append(written, path)
	}
	sort.Strings(written)
	return written, nil
}

// aliasPages: the programs documented in another program's page (path
// under the man root, both ways).
func aliasPages() map[string]string {
	return map[string]string{"man1/golxc-query.1": "man1/golxc.1"}
}

// soPage is a page that is another: man reads target instead (a ".so"
// request resolves from the man root, the way man-db and groff run).
func soPage(target string) string { return ".so " + target + "\n" }

// golxcPage is golxc(1): the multi-call binary and what golxc adds.
func golxcPage() string {
	var p page
	p.header("golxc", 1, buildinfo.Version, "LXC 5.0.2's tools, reimplemented in Go")
	p.macro("SH", "SYNOPSIS")
	p.raw(bold("golxc") + " TOOL [ARG...]")
	p.raw(".br")
	p.raw(bold("lxc-TOOL") + " [ARG...]")
	p.raw(".br")
	p.raw(bold("golxc version"))
	p.macro("SH", "DESCRIPTION")
	p.para("golxc is one binary behind every lxc-* command it implements: called through a link named lxc-TOOL, or as golxc TOOL " +
		"(golxc ls is lxc-ls), it behaves as LXC 5.0.2's tool: same options, output, exit codes, configuration keys and on-disk layout. " +
		"It is not a wrapper: it does not use liblxc.")
	p.macro("SH", "COMMANDS")
	p.item(bold("golxc-query")+" lxc-wait|lxc-stop [ARG...]", "The tools that only talk to a container's monitor (lxc-wait, lxc-stop -k) "+
		"in a small binary without cgo; make install links them to it. Anything else it is called for it hands to golxc, "+
		"with the same arguments, so it answers as golxc does.")
	p.item(bold("golxc version"), "Print golxc's own version, the commit it was built from, the Go release and the LXC version it implements. "+
		"The tools' --version prints 5.0.2, which scripts parse.")
	p.item(bold("golxc --list-implemented"), "Print the names of the implemented tools, one a line (make install links exactly these).")
	p.item(bold("golxc man")+" DIR", "Write these manual pages under DIR/man1 and DIR/man5.")
	p.item(bold("golxc completion"), "Print the bash completion script for every tool.")
	p.item(bold("golxc image")+" build|sign|serve|list", "golxc's image server and client: build an image (from the built-in busybox rootfs, "+
		"a debootstrap of a Debian release, a container or a rootfs directory), sign its index and files with an OpenPGP key, "+
		"serve a directory of images over HTTP and HTTPS in the layout of LXC's download template, list what a server offers "+
		"(golxc image --help). lxc-create -t download is the client.")
	p.macro("SH", "TOOLS")
	p.text("Implemented:")
	for i, n := range tools.Implemented() {
		if i > 0 {
			p.raw(",")
		}
		p.raw(`\fB` + esc(n) + `\fR(1)`)
	}
	p.macro("SH", "ADDITIONS")
	p.item(bold("--format json"), "lxc-ls, lxc-info and lxc-snapshot -L print machine-readable JSON with stable field names (see their pages).")
	p.item(bold("legacy keys"), "LXC 1.x/2.0 configuration keys are read under their current names with a warning (lxc.container.conf(5), LEGACY KEYS).")
	p.item(bold("lxc-net"), "The lxcbr0 bridge service as a tool: golxc net start|stop|restart|status|cleanup (lxc-net(1)); started at boot by lxc-net.service or /etc/init.d/lxc-net.")
	p.item(bold("lxc-shutdown"), "LXC 1.0's name, kept: it runs lxc-stop.")
	p.item(bold("lxc-sandbox"), "A shell or command in a throw-away container over the host's root, after Fatdog64's sandbox-lxc.sh (lxc-sandbox(1)).")
	p.item(bold("log"), "The first line golxc writes to a log file names golxc's version and commit.")
	p.macro("SH", "FILES")
	p.item(bold("/var/lib/lxc"), "Containers of root (lxc.lxcpath).")
	p.item(bold("/etc/lxc/lxc.conf"), "System configuration, lxc.system.conf(5).")
	p.item(bold("/etc/lxc/default.conf"), "Configuration new containers start from.")
	p.item(bold("/etc/default/lxc-net"), "Settings of lxc-net.")
	p.item(bold("/etc/lxc/lxc-usernet"), "Network quotas of unprivileged users, lxc-usernet(5).")
	p.macro("SH", "SEE ALSO")
	p.raw(`\fBlxc.container.conf\fR(5), \fBlxc.system.conf\fR(5), \fBlxc\-usernet\fR(5)`)
	return p.b.String()
}
