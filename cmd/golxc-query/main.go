// Command golxc-query runs the lxc-* tools that only talk to a
// container's monitor (lxc-wait, lxc-stop -k, lxc-info: the cgroup files
// and network namespace it reads are plain syscalls; internal/query) in a small
// binary built without cgo: no C library start, no cgo template thread,
// a third of golxc's pages. make install points those tools' links here.
// Anything else it is called for (another tool, lxc-stop without -k, a
// case internal/query leaves to golxc) it hands to golxc, installed next
// to it, by exec with the same arguments, so every tool answers exactly
// as golxc does.
//
// The Go runtime must not size itself from the cgroup CPU files (as in
// cmd/golxc).
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/query"
)

// Tools lists what this binary runs itself (make install's links).
var Tools = []string{"lxc-info", "lxc-stop", "lxc-wait"}

var env = query.Env{Open: query.LeanOpen, Full: full}

func main() {
	os.Exit(run(os.Args))
}

func run(argv []string) int {
	if len(argv) == 2 && argv[1] == "--list-tools" {
		for _, t := range Tools {
			fmt.Println(t)
		}
		return 0
	}
	switch filepath.Base(argv[0]) {
	case "lxc-info":
		return query.Info(env, argv, os.Stdin, os.Stdout, os.Stderr)
	case "lxc-wait":
		return query.Wait(env, argv, os.Stdin, os.Stdout, os.Stderr)
	case "lxc-stop":
		t := query.StopTool("lxc-stop", query.StopHelp, nil, func(c *cli.Ctx, o *query.StopOpts) int {
			if o.Kill {
				return query.StopKill(env, c)
			}
			return full()
		})
		return t.Main(argv, os.Stdin, os.Stdout, os.Stderr)
	}
	return full()
}

// full execs golxc, from this binary's directory, with our arguments and
// environment; it returns only when that fails. The exec'ing thread gets
// the caller's timer slack back first (entry_amd64.s set a coarse one for
// this binary's own tools): golxc decides its own, and a tool that starts
// processes must not pass ours on.
func full() int {
	self, err := os.Readlink("/proc/self/exe")
	if err == nil {
		golxc := filepath.Join(filepath.Dir(self), "golxc")
		runtime.LockOSThread()
		// 0: the slack this process started with, inherited at fork.
		syscall.RawSyscall(syscall.SYS_PRCTL, unix.PR_SET_TIMERSLACK, 0, 0)
		err = syscall.Exec(golxc, os.Args, os.Environ())
		err = fmt.Errorf("%s: %w", golxc, err)
	}
	fmt.Fprintf(os.Stderr, "%s: cannot hand over to golxc: %v; install golxc next to golxc-query\n", filepath.Base(os.Args[0]), err)
	return 1
}
