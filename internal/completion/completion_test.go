package completion

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/templates"
	"github.com/golxc/golxc/internal/testbuild"
	"github.com/golxc/golxc/internal/tools"
)

// Every option of every tool's table is offered for that tool.
func TestEveryOptionOffered(t *testing.T) {
	all, err := specs()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range tools.Implemented() {
		s, ok := all[name]
		if !ok {
			t.Errorf("%s: no completion", name)
			continue
		}
		tool, ok := tools.Describe(name)
		if !ok {
			continue
		}
		for _, o := range append(append([]cli.Option{}, tool.Options...), cli.CommonOptions()...) {
			if o.Long != "" && !containsWord(s.opts, "--"+o.Long) {
				t.Errorf("%s: --%s not offered", name, o.Long)
			}
		}
	}
}

// completer runs the generated script in a real bash: words are the
// command line, the last one the word being completed.
type completer struct {
	t      *testing.T
	script string
	path   string // PATH with golxc first
}

func newCompleter(t *testing.T) *completer {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	_ = bash
	script, err := Bash()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "golxc.bash")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	// The real golxc, for the container names (its lxc-ls).
	bin := filepath.Join(dir, "bin")
	if err := testbuild.Golxc(filepath.Join(bin, "golxc"), filepath.Join(dir, "build")); err != nil {
		t.Fatal(err)
	}
	return &completer{t: t, script: file, path: bin + ":" + os.Getenv("PATH")}
}

func (c *completer) complete(words ...string) []string {
	c.t.Helper()
	return c.completeAfter("", words...)
}

// completeAfter completes words after running the shell code setup (for
// example to point the script's variables at scratch directories).
func (c *completer) completeAfter(setup string, words ...string) []string {
	c.t.Helper()
	fn := "__golxc_complete"
	if words[0] == "golxc" {
		fn = "__golxc_main"
	}
	prog := `source "$1"; shift; ` + setup + `
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); ` + fn + `; ` +
		`[[ ${#COMPREPLY[@]} -gt 0 ]] && printf '%s\n' "${COMPREPLY[@]}"; exit 0`
	cmd := exec.Command("bash", append([]string{"-c", prog, "bash", c.script}, words...)...)
	cmd.Env = append(os.Environ(), "PATH="+c.path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("bash completing %q: %v\n%s", words, err, out)
	}
	got := strings.Fields(string(out))
	sort.Strings(got)
	return got
}

func (c *completer) expect(want []string, words ...string) {
	c.t.Helper()
	got := c.complete(words...)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		c.t.Errorf("completing %q: got %q, want %q", words, got, want)
	}
}

func TestBashCompletion(t *testing.T) {
	c := newCompleter(t)
	lxcpath := t.TempDir()
	for _, n := range []string{"eco-c1", "eco-c2", "other"} {
		if err := os.MkdirAll(filepath.Join(lxcpath, n), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(lxcpath, n, "config"), []byte("lxc.uts.name = "+n+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Options from the table.
	c.expect([]string{"--config"}, "lxc-info", "--con")
	c.expect([]string{"--no-humanize", "--name"}, "lxc-info", "--n")
	c.expect([]string{"--format"}, "lxc-ls", "--form")
	// Container names, from the -P lxcpath, filtered by state as LXC does.
	c.expect([]string{"eco-c1", "eco-c2"}, "lxc-info", "-P", lxcpath, "-n", "eco")
	c.expect([]string{"eco-c1", "eco-c2"}, "lxc-start", "--lxcpath", "=", lxcpath, "eco-")
	c.expect(nil, "lxc-attach", "-P", lxcpath, "-n", "") // none is running
	c.expect(nil, "lxc-unfreeze", "-P", lxcpath, "")     // none is frozen
	c.expect(nil, "lxc-start", "-P", lxcpath, "-n", "eco-c1", "")
	c.expect([]string{"eco-c1", "eco-c2", "other"}, "golxc", "info", "-P", lxcpath, "-n", "")
	// Config keys, templates, argument words.
	c.expect([]string{"lxc.uts.name"}, "lxc-info", "-c", "lxc.ut")
	c.expect([]string{"lxc.tty.dir=", "lxc.tty.max="}, "lxc-start", "-s", "lxc.tty")
	if got := c.complete("lxc-create", "-n", "x", "-t", "bu"); len(got) != 1 || got[0] != "busybox" {
		t.Errorf("lxc-create -t bu: got %q, want [busybox]", got)
	}
	// The built-in templates come first, whatever the template dirs hold:
	// download is golxc's own (golxc-image), not a file in those dirs.
	noDirs := "__golxc_template_dirs=" + t.TempDir()
	if got := c.completeAfter(noDirs, "lxc-create", "-n", "x", "-t", ""); strings.Join(got, " ") != "busybox download none" {
		t.Errorf("lxc-create -t with empty template dirs: got %q, want [busybox download none]", got)
	}
	if got := c.completeAfter(noDirs, "lxc-create", "-n", "x", "--template", "=", "d"); len(got) != 1 || got[0] != "download" {
		t.Errorf("lxc-create --template=d: got %q, want [download]", got)
	}
	// The download template's options after "--", from its table; their
	// arguments are free; other templates' options are unknown.
	c.expect([]string{"--dist"}, "lxc-create", "-n", "x", "-t", "download", "--", "--di")
	c.expect([]string{"--no-validate"}, "lxc-create", "-n", "x", "--template", "=", "download", "--", "-r", "1", "--no")
	c.expect(nil, "lxc-create", "-n", "x", "-t", "download", "--", "-d", "")
	c.expect(nil, "lxc-create", "-n", "x", "-t", "busybox", "--", "--di")
	all := c.complete("lxc-create", "-n", "x", "-tdownload", "--", "")
	for _, o := range templates.DownloadOptions() {
		if !containsWord(all, "--"+o.Long) {
			t.Errorf("lxc-create -t download -- : --%s not offered (got %q)", o.Long, all)
		}
	}
	// golxc image's subcommands.
	c.expect([]string{"image"}, "golxc", "ima")
	c.expect([]string{"build", "list", "serve", "sign"}, "golxc", "image", "")
	c.expect([]string{"serve", "sign"}, "golxc", "image", "s")
	c.expect([]string{"RUNNING|STOPPED", "RUNNING|STOPPING", "RUNNING|STARTING"}, "lxc-wait", "-s", "RUNNING|ST")
	c.expect([]string{"json", "text"}, "lxc-info", "--format", "=", "")
	c.expect([]string{"start", "status", "stop"}, "lxc-net", "st")
	c.expect(nil, "lxc-net", "start", "")
	c.expect([]string{"lxc.lxcpath"}, "lxc-config", "lxc.lx")
	// After "--" comes the container's command: nothing.
	c.expect(nil, "lxc-attach", "-n", "x", "--", "--")
}
