package monitor

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/selfexe"
)

// Start starts the container described by o. Daemonized, it returns once the
// container is RUNNING (0, nil) or has failed (1, one-line error). In the
// foreground (and for lxc-execute) it returns when the container stopped:
// status 0 for lxc-start, the command's exit status for Execute (128+N
// after a signal). Already running: (0, ErrAlreadyRunning).
func Start(o Options) (int, error) {
	o.LXCPath = strings.TrimRight(o.LXCPath, "/")
	if o.LXCPath == "" {
		o.LXCPath = "/"
	}
	if o.Name == "" || strings.Contains(o.Name, "/") {
		return 1, errors.New("invalid container name " + `"` + o.Name + `"`)
	}
	if o.ConfigFile != "" {
		o.ConfigFile = filepath.Clean(o.ConfigFile)
	}
	if o.LogPrefix == "" {
		o.LogPrefix = log.Prefix()
	}
	if selfexe.IsMain() {
		// Another program's descriptors are its own business: the
		// daemonized monitor closes what leaks to it (closeLeakedFDs)
		// and the container's init closes the rest before its exec.
		inheritedFDs = markInheritedCloseOnExec()
	}
	if isRunning(o.LXCPath, o.Name) {
		return 0, ErrAlreadyRunning
	}
	if o.Daemonize {
		return startDaemon(o)
	}
	return run(o, &reporter{ch: make(chan status, 1)})
}
