package monitor

import (
	"fmt"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/hooks"
)

// NetSetup is the seam for host-side networking: Setup runs on the host after
// init exists (its netns is /proc/PID/ns/net) and before init proceeds;
// Teardown runs after init exited, on every stop path, also after a failed
// Setup (it must undo whatever part was done).
type NetSetup interface {
	Setup(pid int) error
	Teardown() error
}

// NetParams is what the network of one boot gets from the monitor.
type NetParams struct {
	Name, LXCPath string
	Spec          *config.Spec
	NetnsShared   bool          // no new netns (lxc.net.0.type = none)
	Hook          hooks.Context // base context for lxc.net.N.script.up/down
}

// NewNetSetup builds the network for a spec. internal/network replaces it
// (net_wire.go); this fallback only knows empty and none.
var NewNetSetup = func(p NetParams) (NetSetup, error) {
	for _, n := range p.Spec.Net {
		switch n.Type {
		case "", "empty", "none":
		default:
			return nil, fmt.Errorf("lxc.net.%d.type = %s: network type not supported yet (use empty or none)", n.Index, n.Type)
		}
	}
	return noNet{}, nil
}

// netConfigItem answers get_config_item for values the network chose at
// start (a generated veth.pair, the interface name inside), as LXC's
// running config does.
func netConfigItem(in *instance, key string) (string, bool) {
	if in == nil {
		return "", false
	}
	if r, ok := in.net.(interface{ ConfigItem(string) (string, bool) }); ok {
		return r.ConfigItem(key)
	}
	return "", false
}

// noNet: "empty" gives init a netns with only lo (the clone did it), "none"
// shares the host netns (handled by cloneFlags via the spec).
type noNet struct{}

func (noNet) Setup(int) error { return nil }
func (noNet) Teardown() error { return nil }
