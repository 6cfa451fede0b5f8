package initsetup

import (
	"fmt"
	"syscall"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
)

// rlimitByName maps lxc.prlimit.<name> to RLIMIT_* numbers.
var rlimitByName = map[string]int{
	"cpu": 0, "fsize": 1, "data": 2, "stack": 3, "core": 4, "rss": 5,
	"nproc": 6, "nofile": 7, "memlock": 8, "as": 9, "locks": 10,
	"sigpending": 11, "msgqueue": 12, "nice": 13, "rtprio": 14, "rttime": 15,
}

// applyRlimits sets lxc.prlimit.* on this process. syscall.Setrlimit (not
// a raw prlimit) is used on purpose: it tells the Go runtime not to restore
// its saved RLIMIT_NOFILE at exec.
func applyRlimits(limits []config.Rlimit) error {
	for _, l := range limits {
		res, ok := rlimitByName[l.Name]
		if !ok {
			return fmt.Errorf("lxc.prlimit.%s: unknown resource (use e.g. nofile, nproc, core)", l.Name)
		}
		if err := syscall.Setrlimit(res, &syscall.Rlimit{Cur: l.Soft, Max: l.Hard}); err != nil {
			return fmt.Errorf("lxc.prlimit.%s: setting %d:%d: %v", l.Name, l.Soft, l.Hard, err)
		}
		log.Debugf("Set limit %s to %d:%d", l.Name, l.Soft, l.Hard)
	}
	return nil
}
