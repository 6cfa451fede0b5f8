package spawn

import (
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/procenv"
)

var stages struct {
	sync.Mutex
	m map[string]func(sync *os.File, args []string) int
}

// RegisterStage names a Go entry point that Start can run in the new
// process. Register from init (or before RunStageIfRequested) so the parent
// and the re-executed child both see it. fn gets the stage's end of the
// sync socket and Request.Args; its result is the exit code.
func RegisterStage(name string, fn func(sync *os.File, args []string) int) {
	stages.Lock()
	defer stages.Unlock()
	if stages.m == nil {
		stages.m = map[string]func(*os.File, []string) int{}
	}
	if _, dup := stages.m[name]; dup || name == "" || fn == nil {
		panic(fmt.Sprintf("spawn: RegisterStage(%q): empty, nil or registered twice", name))
	}
	stages.m[name] = fn
}

func stageFunc(name string) (func(*os.File, []string) int, bool) {
	stages.Lock()
	defer stages.Unlock()
	fn, ok := stages.m[name]
	return fn, ok
}

// RunStageIfRequested must be the first thing main (and TestMain) does. In
// a process made by Start it runs the requested stage and exits with its
// code; everywhere else it returns at once.
func RunStageIfRequested() {
	info, ok := nsexec.Stage()
	if !ok {
		if name := os.Getenv(nsexec.EnvStage); name != "" {
			fmt.Fprintf(os.Stderr, "golxc: %s=%s is set, but this process was not started by golxc's namespace stage; unset it\n", nsexec.EnvStage, name)
			os.Exit(1)
		}
		return
	}
	// Whatever the stage execs must not re-arm the C stage.
	os.Unsetenv(nsexec.EnvSyncFD)
	os.Unsetenv(nsexec.EnvStage)
	procenv.Restore()
	fn, ok := stageFunc(info.Name)
	if !ok {
		fmt.Fprintf(os.Stderr, "golxc: unknown stage %q\n", info.Name)
		os.Exit(1)
	}
	if err := unix.SetNonblock(info.SyncFD, true); err != nil {
		fmt.Fprintf(os.Stderr, "golxc: stage %s: sync fd %d: %v\n", info.Name, info.SyncFD, err)
		os.Exit(1)
	}
	sync := os.NewFile(uintptr(info.SyncFD), "golxc-sync")
	os.Exit(fn(sync, os.Args[1:]))
}
