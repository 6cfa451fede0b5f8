package network

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// A monitor that execs itself (monitor hibernation) hands its Network
// over as a Snapshot: what Teardown and ConfigItem need once the devices
// exist. Only what the container's namespace does not take along needs
// it: the host side of a veth, the proxy entries, the script.down
// arguments and the record of what to sweep.

// Snapshot is a set-up Network as data.
type Snapshot struct {
	Devices []DeviceSnapshot
	Record  *record `json:",omitempty"`
	// User: a user's network (lxc-user-nic), which only hands over when
	// it has no device (empty and none types).
	User bool `json:",omitempty"`
}

// DeviceSnapshot is one lxc.net.N after Setup.
type DeviceSnapshot struct {
	HostName string
	MoveName string
	Moved    bool
	UpRan    bool
	IfName   string
	IfIndex  int
	Proxies  []proxyRecord `json:",omitempty"`
}

// ErrNoSnapshot: a phys device goes back to the host through the
// container's namespace, whose handle a snapshot cannot carry.
var ErrNoSnapshot = errors.New("a phys device or a user's veth cannot be handed over")

// Snapshot records n (after Setup).
func (n *Network) Snapshot() (Snapshot, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.tornDown {
		return Snapshot{}, errors.New("network: already torn down")
	}
	s := Snapshot{Record: n.rec, User: n.user}
	if n.user && len(n.devs) > 0 {
		return Snapshot{}, fmt.Errorf("%s: %w", n.devs[0].key, ErrNoSnapshot)
	}
	for _, d := range n.devs {
		if d.phys != nil || d.cfg.Type == "phys" {
			return Snapshot{}, fmt.Errorf("%s: %w", d.key, ErrNoSnapshot)
		}
		s.Devices = append(s.Devices, DeviceSnapshot{HostName: d.hostName, MoveName: d.moveName, Moved: d.moved,
			UpRan: d.upRan, IfName: d.ifname, IfIndex: d.ifindex, Proxies: d.proxies})
	}
	return s, nil
}

// Restore rebuilds the Network s recorded for p. Unlike New it checks
// nothing against the host: the devices it would find are its own.
func Restore(p Params, s Snapshot) (*Network, error) {
	if p.NetnsShared {
		return nil, nil
	}
	if s.User {
		// Nothing on the host to give back (Snapshot refused the rest).
		return &Network{p: p, hostNS: -1, nsFD: -1, user: true}, nil
	}
	if len(s.Devices) != len(p.Spec.Net) {
		return nil, fmt.Errorf("network: restore: %d devices recorded for %d configured", len(s.Devices), len(p.Spec.Net))
	}
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("network: open netlink: %w", err)
	}
	n := &Network{p: p, hostNS: -1, nsFD: -1, host: h, rec: s.Record}
	for i, nd := range p.Spec.Net {
		d := &device{cfg: nd, key: fmt.Sprintf("lxc.net.%d", nd.Index)}
		typ := nd.Type
		if typ == "" {
			typ = "empty"
		}
		if d.drv = drivers()[typ]; d.drv == nil || typ == "phys" {
			n.close()
			return nil, fmt.Errorf("%s.type = %s: cannot be restored", d.key, nd.Type)
		}
		if err := n.loadAddrs(d); err != nil {
			n.close()
			return nil, err
		}
		ds := s.Devices[i]
		d.hostName, d.moveName, d.moved, d.upRan = ds.HostName, ds.MoveName, ds.Moved, ds.UpRan
		d.ifname, d.ifindex, d.proxies = ds.IfName, ds.IfIndex, ds.Proxies
		n.devs = append(n.devs, d)
	}
	return n, nil
}
