package monitor

import "github.com/golxc/golxc/internal/network"

// The real network drivers live in internal/network, which does not
// import the monitor.
func init() {
	NewNetSetup = func(p NetParams) (NetSetup, error) {
		n, err := network.New(network.Params{Name: p.Name, LXCPath: p.LXCPath, Spec: p.Spec,
			NetnsShared: p.NetnsShared, Hook: p.Hook})
		if err != nil {
			return nil, err
		}
		if n == nil { // shared host namespace: nothing to do
			return noNet{}, nil
		}
		return n, nil
	}
}
