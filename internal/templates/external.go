package templates

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// RunExternal runs a template executable with LXC's calling convention (see
// Argv). The environment and cwd are inherited unchanged. As root the
// template gets its own mount namespace so its mounts never reach the host.
// quiet sends stdin, stdout and stderr to /dev/null (lxc-create -q).
func RunExternal(path string, a Args, quiet bool) error {
	argv := Argv(path, a)
	cmd := &exec.Cmd{Path: path, Args: argv}
	if !quiet {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	}
	if os.Geteuid() == 0 {
		// Go's child makes / recursively private right after unshare, which
		// is stricter than LXC's rslave: nothing propagates either way.
		cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	}
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		ws, _ := exit.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return fmt.Errorf("template %s killed by signal %d (%s)", path, ws.Signal(), ws.Signal())
		}
		return fmt.Errorf("template %s exited with status %d", path, exit.ExitCode())
	}
	if err != nil {
		return fmt.Errorf("template %s: %w", path, err)
	}
	return nil
}
