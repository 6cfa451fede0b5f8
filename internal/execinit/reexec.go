package execinit

import "os"

// Argv0 marks the golxc binary re-executed as lxc-execute's init; it is
// also the name ps shows for PID 1 of an application container. The argv
// is [Argv0, "--", COMMAND...].
const Argv0 = "[lxc-execute] init"

// Requested reports whether this process was started as the execute init.
func Requested() bool { return len(os.Args) > 1 && os.Args[0] == Argv0 && os.Args[1] == "--" }

// Main is the execute init's entry point: a fresh process image, so every
// thread the Go runtime starts inherits the capability bounding set, ids
// and no_new_privs the init stage applied before its exec.
func Main() int {
	SetName()
	return Run(os.Args[2:], os.Environ())
}
