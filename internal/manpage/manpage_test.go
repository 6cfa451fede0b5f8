package manpage

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/templates"
	"github.com/golxc/golxc/internal/tools"
)

func mustPages(t *testing.T) map[string]string {
	t.Helper()
	pages, err := Pages()
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

// optionInPage reports whether the page names the option in bold, as
// its option tag does.
func optionInPage(text, opt string) bool { return strings.Contains(text, `\fB`+esc(opt)) }

// Every option of every tool's table, and every common option, is in the
// tool's page: the pages cannot drift from what the tools parse.
func TestEveryToolOptionInItsPage(t *testing.T) {
	pages := mustPages(t)
	for _, name := range tools.Implemented() {
		text, ok := pages["man1/"+name+".1"]
		if !ok {
			t.Errorf("%s: no page", name)
			continue
		}
		tool, ok := tools.Describe(name)
		if !ok {
			continue // plain tools: TestPlainToolEntriesMatchUsage
		}
		for _, o := range append(append([]cli.Option{}, tool.Options...), cli.CommonOptions()...) {
			if o.Long != "" && !optionInPage(text, "--"+o.Long) {
				t.Errorf("%s: --%s missing from the page", name, o.Long)
			}
			// lxc-create's digit codes stand for long-only options.
			if o.Short != 0 && (!unicode.IsDigit(o.Short) || strings.Contains(tool.Help, "-"+string(o.Short)+",")) &&
				!optionInPage(text, "-"+string(o.Short)) {
				t.Errorf("%s: -%c missing from the page", name, o.Short)
			}
		}
	}
}

// A plain tool's hand-written options are the ones its usage text names.
func TestPlainToolEntriesMatchUsage(t *testing.T) {
	pages := mustPages(t)
	for name, pt := range plainTools() {
		if _, ok := pages["man1/"+name+".1"]; !ok {
			t.Errorf("%s: no page", name)
		}
		if len(pt.entries) == 0 {
			continue
		}
		run, ok := tools.Lookup(name)
		if !ok {
			t.Fatalf("%s: not a tool", name)
		}
		var out bytes.Buffer
		run(append([]string{name}, pt.usageArgs...), strings.NewReader(""), &out, &out)
		for _, e := range pt.entries {
			word := strings.TrimSuffix(e.spec[0], ",")
			if strings.HasPrefix(word, "lxc.") {
				continue // lxc-config's items: TestEveryKeyInItsPage
			}
			if !strings.Contains(out.String(), word) {
				t.Errorf("%s: page documents %q, its usage text does not name it:\n%s", name, word, out.String())
			}
		}
	}
}

// Every key of the parser's tables is in lxc.container.conf(5), every
// system item in lxc.system.conf(5).
func TestEveryKeyInItsPage(t *testing.T) {
	pages := mustPages(t)
	conf := pages["man5/lxc.container.conf.5"]
	for _, k := range config.Keys() {
		if !strings.Contains(conf, `\fB`+esc(strings.TrimSuffix(k.Name, "."))) {
			t.Errorf("lxc.container.conf(5): %s missing", k.Name)
		}
	}
	for _, s := range config.NetSubkeys() {
		if !strings.Contains(conf, esc("lxc.net.N."+s.Name)) {
			t.Errorf("lxc.container.conf(5): lxc.net.N.%s missing", s.Name)
		}
	}
	for _, l := range config.LegacyKeys() {
		if !strings.Contains(conf, `\fB`+esc(l.Old)) {
			t.Errorf("lxc.container.conf(5): legacy key %s missing", l.Old)
		}
	}
	sys := pages["man5/lxc.system.conf.5"]
	for _, k := range config.GlobalKeys() {
		if !strings.Contains(sys, `\fB`+esc(k)) {
			t.Errorf("lxc.system.conf(5): %s missing", k)
		}
	}
	for _, want := range []string{"man5/lxc-usernet.5", "man1/golxc.1"} {
		if pages[want] == "" {
			t.Errorf("%s missing", want)
		}
	}
}

// An option --help does not document must stop the generator (instead of
// a page that silently lacks it).
func TestUndocumentedOptionFails(t *testing.T) {
	tool := &cli.Tool{Name: "lxc-info", Help: "--name=NAME\n\nd\n\nOptions :\n  -i, --ips   shows the IP addresses\n",
		Options: []cli.Option{{Short: 'i', Long: "ips"}, {Short: 'Z', Long: "zzz-undocumented"}}}
	if _, err := toolPage(tool); err == nil || !strings.Contains(err.Error(), "zzz-undocumented") {
		t.Fatalf("toolPage with an undocumented option: err = %v, want one naming --zzz-undocumented", err)
	}
}

// The pages are valid roff: groff renders each without a warning.
func TestPagesRenderCleanly(t *testing.T) {
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff not installed")
	}
	dir := t.TempDir()
	paths, err := Generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		rel, _ := filepath.Rel(dir, p)
		// From the man root, as man runs it: a page's ".so man1/X.1"
		// resolves there.
		cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z", rel)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("groff %s: %v\n%s", rel, err, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "man1", "lxc-attach.1")); err != nil {
		t.Error(err)
	}
}

// An alias page is a ".so man1/X.1" redirect to a page that is generated,
// and man shows that page for the alias.
func TestAliasPagesResolve(t *testing.T) {
	pages := mustPages(t)
	for alias, target := range aliasPages() {
		if got, want := pages[alias], ".so "+target+"\n"; got != want {
			t.Errorf("%s = %q, want %q", alias, got, want)
		}
		if pages[target] == "" {
			t.Errorf("%s: its target %s is not generated", alias, target)
		}
	}
	man, err := exec.LookPath("man")
	if err != nil {
		t.Skip("man not installed")
	}
	dir := t.TempDir()
	if _, err := Generate(dir); err != nil {
		t.Fatal(err)
	}
	for alias := range aliasPages() {
		name := strings.TrimSuffix(filepath.Base(alias), filepath.Ext(alias))
		cmd := exec.Command(man, "-M", dir, "-P", "cat", "1", name)
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MAN_KEEP_FORMATTING=")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "golxc-query") || !strings.Contains(string(out), "COMMANDS") {
			t.Errorf("man %s: %v\n%s", name, err, out)
		}
	}
}

// golxc(1)'s --format json entry names every tool whose option table has
// --format (lxc-snapshot with -L, the one mode it applies to).
func TestGolxcPageNamesEveryJSONTool(t *testing.T) {
	page := mustPages(t)["man1/golxc.1"]
	tag := bold("--format json") + "\n"
	i := strings.Index(page, tag)
	if i < 0 {
		t.Fatal("golxc(1): no --format json entry")
	}
	entry, _, _ := strings.Cut(page[i+len(tag):], "\n")
	mode := map[string]string{"lxc-snapshot": " -L"}
	found := 0
	for _, name := range tools.Implemented() {
		tool, ok := tools.Describe(name)
		if !ok {
			continue
		}
		for _, o := range tool.Options {
			if o.Long != "format" {
				continue
			}
			found++
			if !strings.Contains(entry, esc(name+mode[name])) {
				t.Errorf("golxc(1) --format json entry does not name %s: %q", name+mode[name], entry)
			}
		}
	}
	if found < 3 {
		t.Errorf("only %d tools with --format; want lxc-ls, lxc-info and lxc-snapshot at least", found)
	}
}

// Every field of every --format json record is named where the page
// speaks of --format json (a note or the option's entry) (and in the README's paragraph on it).
func TestEveryJSONFieldDocumented(t *testing.T) {
	pages := mustPages(t)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// The README's paragraph: from the first mention to the blank line.
	_, rest, _ := strings.Cut(string(readme), "`--format json`")
	readmePara, _, _ := strings.Cut(rest, "\n\n")
	for _, name := range []string{"lxc-ls", "lxc-info", "lxc-snapshot"} {
		fields := tools.JSONFields(name)
		if len(fields) == 0 {
			t.Errorf("%s: no JSON fields", name)
		}
		// The page's blocks (text between macro lines) on --format json.
		var para []string
		for _, block := range strings.Split(pages["man1/"+name+".1"], "\n.") {
			if strings.Contains(block, esc("--format")) && strings.Contains(block, "json") {
				para = append(para, block)
			}
		}
		pageWords := wordSet(strings.Join(para, " "))
		readmeWords := wordSet(readmePara)
		for _, f := range fields {
			leaf := f[strings.LastIndex(f, ".")+1:]
			if !pageWords[leaf] {
				t.Errorf("%s(1): JSON field %s is not in its --format json text %q", name, f, para)
			}
			if !readmeWords[leaf] {
				t.Errorf("README: %s's JSON field %s is not in the --format json paragraph", name, f)
			}
		}
	}
}

// wordSet splits text into words of letters, digits and underscores.
func wordSet(text string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	}) {
		out[w] = true
	}
	return out
}

// lxc-create(1) documents every option of the download template's table,
// in its DOWNLOAD TEMPLATE section.
func TestDownloadOptionsInCreatePage(t *testing.T) {
	page := mustPages(t)["man1/lxc-create.1"]
	_, section, ok := strings.Cut(page, ".SH \"DOWNLOAD TEMPLATE\"")
	if !ok {
		t.Fatal("lxc-create(1): no DOWNLOAD TEMPLATE section")
	}
	section, _, _ = strings.Cut(section, "\n.SH ")
	for _, o := range templates.DownloadOptions() {
		if !optionInPage(section, "--"+o.Long) {
			t.Errorf("lxc-create(1) DOWNLOAD TEMPLATE: --%s missing", o.Long)
		}
		if o.Short != 0 && !optionInPage(section, "-"+string(o.Short)) {
			t.Errorf("lxc-create(1) DOWNLOAD TEMPLATE: -%c missing", o.Short)
		}
	}
}
