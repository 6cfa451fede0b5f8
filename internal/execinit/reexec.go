package execinit

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Argv0 marks the golxc binary re-executed as lxc-execute's init; it is
// also the name ps shows for PID 1 of an application container. The argv
// is [Argv0, "--", COMMAND...], or [Argv0, ReadyFlag, FD, "--", COMMAND...].
const Argv0 = "[lxc-execute] init"

// ReadyFlag names the descriptor (the monitor's sync socket, kept across
// the exec) that the init closes once it handles signals (Run's ready).
const ReadyFlag = "--ready-fd"

// Requested reports whether this process was started as the execute init.
func Requested() bool {
	return len(os.Args) > 1 && os.Args[0] == Argv0 && (os.Args[1] == "--" || os.Args[1] == ReadyFlag)
}

// ReexecArgs is the argv that re-executes golxc as the execute init of
// cmd, closing readyFD (-1: none) once it handles signals.
func ReexecArgs(readyFD int, cmd []string) []string {
	args := []string{Argv0}
	if readyFD >= 0 {
		args = append(args, ReadyFlag, strconv.Itoa(readyFD))
	}
	return append(append(args, "--"), cmd...)
}

// Main is the execute init's entry point: a fresh process image, so every
// thread the Go runtime starts inherits the capability bounding set, ids
// and no_new_privs the init stage applied before its exec.
func Main() int {
	SetName()
	// initsetup.Final left only the ready descriptor without
	// close-on-exec; Run closes it before the command is forked.
	args, ready := os.Args[1:], -1
	if len(args) >= 2 && args[0] == ReadyFlag {
		if n, err := strconv.Atoi(args[1]); err == nil && n > 2 {
			ready = n
		}
		args = args[2:]
	}
	if len(args) == 0 || args[0] != "--" {
		return ExecFailed
	}
	return Run(args[1:], os.Environ(), func() {
		if ready >= 0 {
			unix.Close(ready)
		}
	})
}
