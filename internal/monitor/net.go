package monitor

import (
	"fmt"

	"github.com/golxc/golxc/internal/config"
)

// NetSetup is the seam for host-side networking: Setup runs on the host after
// init exists (its netns is /proc/PID/ns/net) and before init proceeds;
// Teardown runs after init exited.
type NetSetup interface {
	Setup(pid int) error
	Teardown() error
}

// NewNetSetup builds the network for a spec. Another package replaces it to
// add veth, macvlan, phys ... (set before Start).
var NewNetSetup = func(name string, s *config.Spec, netnsShared bool) (NetSetup, error) {
	for _, n := range s.Net {
		switch n.Type {
		case "", "empty", "none":
		default:
			return nil, fmt.Errorf("lxc.net.%d.type = %s: network type not supported yet (use empty or none)", n.Index, n.Type)
		}
	}
	return noNet{}, nil
}

// noNet: "empty" gives init a netns with only lo (the clone did it), "none"
// shares the host netns (handled by cloneFlags via the spec).
type noNet struct{}

func (noNet) Setup(int) error { return nil }
func (noNet) Teardown() error { return nil }
