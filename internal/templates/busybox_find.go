package templates

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/golxc/golxc/internal/elfinterp"
)

// errNoStaticBusybox is the one line users see when the host lacks a usable
// busybox.
const errNoStaticBusybox = "busybox template: no static busybox found on this host; install it with: apt-get install busybox-static"

// busyboxFallbacks are tried after "busybox" in PATH (a variable so tests
// can point it elsewhere).
var busyboxFallbacks = []string{"/bin/busybox", "/usr/bin/busybox"}

// busyboxCandidates are looked at in order: PATH first, as lxc-busybox does.
func busyboxCandidates() []string {
	var c []string
	if p, err := exec.LookPath("busybox"); err == nil {
		c = append(c, p)
	}
	return append(c, busyboxFallbacks...)
}

// findStaticBusybox returns the first statically linked busybox on the host.
// A static binary is needed because the container may not see host libraries.
func findStaticBusybox() (string, error) {
	var dynamic string
	for _, p := range busyboxCandidates() {
		if executableProblem(p) != "" {
			continue
		}
		static, err := isStatic(p)
		if err != nil {
			continue
		}
		if static {
			return p, nil
		}
		if dynamic == "" {
			dynamic = p
		}
	}
	if dynamic != "" {
		return "", errors.New(errNoStaticBusybox + " (" + dynamic + " is dynamically linked)")
	}
	return "", errors.New(errNoStaticBusybox)
}

// isStatic reports whether the ELF file at p has no program interpreter,
// i.e. needs no dynamic loader (static and static-pie binaries).
func isStatic(p string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, fmt.Errorf("%s: %w", p, err)
	}
	defer f.Close()
	interp, err := elfinterp.HasInterp(f)
	if err != nil {
		return false, fmt.Errorf("%s: %w", p, err)
	}
	return !interp, nil
}

// checkBusyboxPath validates a user-given --busybox-path: like lxc-busybox
// only executability is required (the user owns that choice).
func checkBusyboxPath(p string) error {
	if why := executableProblem(p); why != "" {
		return fmt.Errorf("busybox template: --busybox-path %s: %s", p, why)
	}
	if _, err := os.Stat(p); err != nil {
		return fmt.Errorf("busybox template: --busybox-path: %w", err)
	}
	return nil
}
