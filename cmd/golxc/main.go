// Command golxc is the multi-call binary behind every lxc-* tool: it
// dispatches on argv[0] (lxc-start, lxc-ls, ...) or on its first argument
// (golxc ls, golxc lxc-ls). The same binary is re-executed as the
// container monitor and, through the C stage in internal/nsexec, as the
// process that becomes the container's init.
//
// The Go runtime must not size itself from (and keep open) the cgroup CPU
// files: inside a container those would be fds held by its init.
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/golxc/golxc/internal/buildinfo"
	"github.com/golxc/golxc/internal/execinit"
	"github.com/golxc/golxc/internal/monitor"
	_ "github.com/golxc/golxc/internal/nsexec" // the pre-Go-runtime namespace stage
	"github.com/golxc/golxc/internal/selfexe"
	"github.com/golxc/golxc/internal/spawn"
	"github.com/golxc/golxc/internal/tools"
)

func main() {
	// One P unless the user asks otherwise: every golxc process mostly
	// waits on the kernel, other processes and sockets, and a second P
	// only adds threads that wake, spin and sleep again, which costs a
	// lot where each context switch traps to a hypervisor.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	// This program is golxc: its helpers run its own image (selfexe).
	selfexe.MarkMain()
	// Internal stages first: they never return.
	spawn.RunStageIfRequested()
	monitor.ResumeIfRequested()
	monitor.RunDaemonIfRequested()
	if execinit.Requested() {
		os.Exit(execinit.Main())
	}
	// A preforked lxc-start tells its waiting parent, and goes on as the
	// container's monitor if it became one (internal/monitor, prefork.go).
	monitor.Exit(run(os.Args))
}

func run(argv []string) int {
	name := filepath.Base(argv[0])
	if r, ok := tools.Lookup(name); ok {
		return r(argv, os.Stdin, os.Stdout, os.Stderr)
	}
	if len(argv) < 2 || argv[1] == "-h" || argv[1] == "--help" || argv[1] == "help" {
		usage()
		if len(argv) < 2 {
			return 1
		}
		return 0
	}
	if argv[1] == "version" || argv[1] == "--golxc-version" {
		// The tools' --version stays LXC's 5.0.2 for scripts.
		fmt.Println(buildinfo.String())
		return 0
	}
	if argv[1] == "--list-implemented" {
		// make install links exactly these (scripts/install-links.sh).
		for _, n := range tools.Implemented() {
			fmt.Println(n)
		}
		return 0
	}
	if argv[1] == "image" {
		return runImage(argv[2:])
	}
	if argv[1] == "man" {
		return writeManPages(argv[2:])
	}
	if argv[1] == "completion" {
		return printCompletion()
	}
	tool := argv[1]
	if !strings.HasPrefix(tool, "lxc-") {
		tool = "lxc-" + tool
	}
	r, ok := tools.Lookup(tool)
	if !ok {
		fmt.Fprintf(os.Stderr, "golxc: unknown tool %q; run 'golxc help' for the list\n", argv[1])
		return 1
	}
	return r(append([]string{tool}, argv[2:]...), os.Stdin, os.Stdout, os.Stderr)
}

func usage() {
	fmt.Fprintln(os.Stderr, "Usage: golxc TOOL [ARGS...]   (or call it through an lxc-TOOL link)")
	fmt.Fprintln(os.Stderr, "Tools:")
	for _, n := range tools.Implemented() {
		fmt.Fprintf(os.Stderr, "  %s\n", n)
	}
	fmt.Fprintln(os.Stderr, "  image build|sign|serve|list   golxc's image server and client (golxc image --help)")
	fmt.Fprintln(os.Stderr, "  version               golxc's own version and commit (the tools' --version prints LXC's 5.0.2)")
	fmt.Fprintln(os.Stderr, "  --list-implemented    print the tool names, one a line")
	fmt.Fprintln(os.Stderr, "  man DIR | man --list  write the manual pages under DIR/man1, DIR/man5 (or list their paths)")
	fmt.Fprintln(os.Stderr, "  completion            print the bash completion script of every tool")
}
