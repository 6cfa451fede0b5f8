package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
)

// Version is what --version prints: golxc speaks LXC 5.0.2's interface.
const Version = "5.0.2"

// Tool describes one lxc-* command.
type Tool struct {
	Name string // "lxc-info"
	// Help is printed after "Usage: PROG " by --help: synopsis tail,
	// description and the tool's own option list.
	Help    string
	Options []Option
	// NameMode says how the container name is obtained.
	NameMode NameMode
	// MultiLXCPath allows several -P (lxc-monitor).
	MultiLXCPath bool
	// AlwaysLog: LXC initialises logging (stderr errors) for this tool even
	// without -o/-l (§1.2 of the interface notes).
	AlwaysLog bool
	// Check validates the parsed options; an error prints
	// "PROG: could not parse command line"-style messages.
	Check func(c *Ctx) error
	Run   func(c *Ctx) int
}

// NameMode says whether and how a tool takes a container name.
type NameMode int

const (
	NameRequired  NameMode = iota // -n NAME or first operand; error when missing
	NameOptional                  // placeholder allowed (lxc-ls, lxc-monitor)
	NameNoOperand                 // only -n (lxc-unshare, lxc-autostart)
)

// Ctx is what a tool's Run gets after parsing.
type Ctx struct {
	Prog        string // basename, used in messages
	Name        string
	LXCPath     string
	LXCPaths    []string
	LogFile     string
	LogPriority string
	Quiet       bool
	RCFile      string
	Args        []string // operands left after the name
	Stdin       io.Reader
	Stdout      io.Writer
	Stderr      io.Writer
	// log is the tool's own Logger, the current one when Main set it up:
	// a preforked lxc-start that became a monitor meanwhile installed the
	// monitor's, and still ends through this one (log.Install).
	log *log.Logger
}

// toolLog is the tool's Logger (the current one before Main set it up).
func (c *Ctx) toolLog() *log.Logger {
	if c.log == nil {
		return log.Current()
	}
	return c.log
}

// Errorf prints "PROG: msg" on stderr unless quiet (LXC's lxc_error).
func (c *Ctx) Errorf(format string, args ...any) {
	c.toolLog().FileErrorf(format, args...)
	if c.Quiet {
		return
	}
	fmt.Fprintf(c.Stderr, "%s: %s\n", c.Prog, fmt.Sprintf(format, args...))
}

// Infof prints "PROG: msg" on stdout unless quiet (LXC's lxc_info).
func (c *Ctx) Infof(format string, args ...any) {
	if c.Quiet {
		return
	}
	fmt.Fprintf(c.Stdout, "%s: %s\n", c.Prog, fmt.Sprintf(format, args...))
}

// Fail prints one error line naming the container and returns 1.
func (c *Ctx) Fail(err error) int {
	if err != nil {
		c.toolLog().FileErrorf("%v", err)
	}
	if !c.Quiet && err != nil {
		if c.Name != "" && !strings.HasPrefix(err.Error(), c.Name+":") {
			fmt.Fprintf(c.Stderr, "%s: %s: %v\n", c.Prog, log.DisplayName(c.Name), err)
		} else {
			fmt.Fprintf(c.Stderr, "%s: %v\n", c.Prog, err)
		}
	}
	return 1
}

// errHelp and friends stop parsing with a given exit code.
type exitRequest struct{ code int }

func (e *exitRequest) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main parses argv (argv[0] included) and runs the tool. It returns the
// process exit code.
func (t *Tool) Main(argv []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "%s: internal error: %v (please report this)\n", t.Name, r)
			code = 1
		}
	}()
	if describeHook(t) {
		return 0
	}
	c := &Ctx{Prog: t.Name, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	argv0 := t.Name
	if len(argv) > 0 {
		argv0 = argv[0]
	}
	var nameSet bool
	common := []Option{
		{Short: 'n', Long: "name", Arg: RequiredArg, Set: func(v string) error { c.Name, nameSet = v, true; return nil }},
		{Short: 'h', Long: "help", Set: func(string) error { t.printHelp(stderr); return &exitRequest{0} }},
		{Short: '?', Long: "help", Set: func(string) error { t.printHelp(stderr); return &exitRequest{0} }},
		{Long: "usage", Set: func(string) error { t.printUsage(stderr); return &exitRequest{0} }},
		{Long: "version", Set: func(string) error { fmt.Fprintln(stdout, Version); return &exitRequest{0} }},
		{Short: 'q', Long: "quiet", Set: func(string) error { c.Quiet = true; return nil }},
		{Short: 'o', Long: "logfile", Arg: RequiredArg, Set: func(v string) error { c.LogFile = v; return nil }},
		{Short: 'l', Long: "logpriority", Arg: RequiredArg, Set: func(v string) error { c.LogPriority = v; return nil }},
		{Short: 'P', Long: "lxcpath", Arg: RequiredArg, Set: func(v string) error {
			c.LXCPaths = append(c.LXCPaths, trimSlashes(v))
			return nil
		}},
		{Long: "rcfile", Arg: RequiredArg, Set: func(v string) error { c.RCFile = v; return nil }},
	}
	opts := append(append([]Option{}, t.Options...), common...)
	operands, err := getopt(argv0, argv[1:], opts)
	if err != nil {
		var ex *exitRequest
		if errors.As(err, &ex) {
			return ex.code
		}
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, ue.msg)
			t.printHelp(stderr)
			return 1
		}
		c.Errorf("%v", err)
		return 1
	}
	if len(c.LXCPaths) > 1 && !t.MultiLXCPath {
		fmt.Fprintln(stderr, "This command only accepts 1 -P,--lxcpath arguments")
		return 1
	}
	if len(c.LXCPaths) == 0 {
		c.LXCPaths = []string{config.DefaultLXCPath()}
	}
	c.LXCPath = c.LXCPaths[0]
	if !nameSet && t.NameMode != NameNoOperand && len(operands) > 0 && t.NameMode == NameRequired {
		c.Name, operands = operands[0], operands[1:]
	}
	c.Args = operands
	if c.Name == "" && t.NameMode == NameRequired {
		fmt.Fprintf(stderr, "%s: No container name specified\n", t.Name)
		return 1
	}
	if err := t.setupLog(c); err != nil {
		c.Errorf("%v", err)
		return 1
	}
	c.log = log.Current()
	defer c.log.Close()
	if t.Check != nil {
		if err := t.Check(c); err != nil {
			if !errors.Is(err, ErrSilent) {
				c.Errorf("%v", err)
			}
			return 1
		}
	}
	return t.Run(c)
}

// ErrSilent makes Check fail without printing (the checker printed already).
var ErrSilent = errors.New("silent")

// setupLog applies -o/-l before any container config is read (log.Choose):
// -o wins; -l alone opens LXC's default log file.
func (t *Tool) setupLog(c *Ctx) error {
	def := ""
	if c.LogPriority != "" {
		def = log.DefaultFile(c.LXCPath, config.DefaultLXCPath(), c.Name)
	}
	return log.Choose(c.LogFile, c.LogPriority, "", "", def).Apply(t.Name, c.Name, c.Quiet)
}

func trimSlashes(p string) string {
	for len(p) > 1 && strings.HasSuffix(p, "/") {
		p = p[:len(p)-1]
	}
	return p
}

const commonHelp = `
Common options :
  -o, --logfile=FILE               Output log to FILE instead of stderr
  -l, --logpriority=LEVEL          Set log priority to LEVEL
  -q, --quiet                      Don't produce any output
  -P, --lxcpath=PATH               Use specified container path
  -?, --help                       Give this help list
      --usage                      Give a short usage message
      --version                    Print the version number

Mandatory or optional arguments to long options are also mandatory or optional
for any corresponding short options.

See the %s man page for further information.

`

func (t *Tool) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s %s", t.Name, t.Help)
	fmt.Fprintf(w, commonHelp, t.Name)
}

// printUsage writes LXC's --usage text: every option of the table in order,
// four per line.
func (t *Tool) printUsage(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s ", t.Name)
	var entries []Option
	for _, o := range t.Options {
		if !o.Extra {
			entries = append(entries, o)
		}
	}
	entries = append(entries, usageCommon...)
	for i, o := range entries {
		b.WriteString(usageEntry(o))
		b.WriteByte(' ')
		if (i+1)%4 == 0 {
			b.WriteString("\n\t")
		}
	}
	b.WriteByte('\n')
	io.WriteString(w, b.String())
}

// usageCommon mirrors the common table for --usage (the Set funcs of the
// real table close over the context, so a static copy is used here).
var usageCommon = []Option{
	{Short: 'n', Long: "name", Arg: RequiredArg}, {Short: 'h', Long: "help"}, {Short: '?', Long: "help"},
	{Long: "usage"}, {Long: "version"}, {Short: 'q', Long: "quiet"},
	{Short: 'o', Long: "logfile", Arg: RequiredArg}, {Short: 'l', Long: "logpriority", Arg: RequiredArg},
	{Short: 'P', Long: "lxcpath", Arg: RequiredArg}, {Long: "rcfile", Arg: RequiredArg},
}

func usageEntry(o Option) string {
	var s string
	if o.Short != 0 {
		s = fmt.Sprintf("[-%c|--%s", o.Short, o.Long)
	} else {
		s = "[--" + o.Long
	}
	upper := strings.ToUpper(o.Long)
	switch o.Arg {
	case RequiredArg:
		s += "=" + upper
	case OptionalArg:
		s += "[=" + upper + "]"
	}
	return s + "]"
}

// ToolName maps argv[0] to a tool name: "/usr/local/bin/lxc-ls" -> "lxc-ls".
func ToolName(argv0 string) string { return filepath.Base(argv0) }

// Std runs a tool on the process's real stdio.
func (t *Tool) Std(argv []string) int { return t.Main(argv, os.Stdin, os.Stdout, os.Stderr) }
