package initsetup

import (
	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

// setupCaps are the capabilities the init stage may use between the
// namespace stage and the payload: mounts and pivot_root, device nodes,
// file ownership and access, id switches, the bounding-set drop, rlimits,
// sysctls.
const setupCaps = 1<<unix.CAP_SYS_ADMIN | 1<<unix.CAP_MKNOD | 1<<unix.CAP_CHOWN | 1<<unix.CAP_FOWNER |
	1<<unix.CAP_FSETID | 1<<unix.CAP_DAC_OVERRIDE | 1<<unix.CAP_DAC_READ_SEARCH | 1<<unix.CAP_SETUID |
	1<<unix.CAP_SETGID | 1<<unix.CAP_SETPCAP | 1<<unix.CAP_SYS_RESOURCE | 1<<unix.CAP_NET_ADMIN |
	1<<unix.CAP_SYS_CHROOT

// inContainerHooks run from the init stage, inside the namespaces.
var inContainerHooks = []string{"pre-mount", "mount", "autodev", "start"}

// InProcessInit decides whether lxc-execute's init can stay in the setup
// process instead of re-executing golxc. A Go process cannot narrow the
// capability sets of its other threads, so that is only safe when the
// namespace stage narrows them before the runtime starts, which in turn
// needs the setup to lose nothing it uses: no setup capability dropped,
// no hook run inside the container (hooks would run with the container's
// capabilities instead of the setup's). keep is the container's
// capability set for the stage.
func InProcessInit(s *config.Spec) (keep uint64, ok bool) {
	kept := s.Caps.Kept(config.KernelCaps())
	if kept&setupCaps != setupCaps {
		return 0, false
	}
	for _, h := range inContainerHooks {
		if len(s.Hooks[h]) > 0 {
			return 0, false
		}
	}
	return kept, true
}
