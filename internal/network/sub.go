package network

import (
	"fmt"

	"github.com/vishvananda/netlink"
)

// parentLink checks lxc.net.N.link for types that stack a device on it.
func parentLink(n *Network, d *device) (netlink.Link, error) {
	if d.cfg.Link == "" {
		return nil, fmt.Errorf("%s.link: required for type %s (name the host device to use)", d.key, d.cfg.Type)
	}
	l, err := n.host.LinkByName(d.cfg.Link)
	if err != nil {
		return nil, fmt.Errorf("%s.link = %s: no such network device on the host", d.key, d.cfg.Link)
	}
	return l, nil
}

// addMoved creates a device stacked on the link, to be moved into the
// container. It is recorded before anything else can fail.
func addMoved(n *Network, d *device, l netlink.Link, what string) error {
	name := l.Attrs().Name
	if err := n.host.LinkAdd(l); err != nil {
		return fmt.Errorf("%s.type = %s: create %s on %s: %w%s", d.key, d.cfg.Type, name, d.cfg.Link, err, kernelHint(err, d.cfg.Type))
	}
	n.mu.Lock()
	d.moveName = name
	n.mu.Unlock()
	n.rec.Created = append(n.rec.Created, name)
	if err := n.rec.save(); err != nil {
		return err
	}
	if d.cfg.MTU > 0 {
		return setMTU(n, d, l, d.cfg.MTU)
	}
	return nil
}

// releaseMoved deletes the device if it never left the host; once moved
// it dies with the container's network namespace.
func releaseMoved(n *Network, d *device) error {
	if d.moveName == "" || d.moved {
		return nil
	}
	l, err := n.host.LinkByName(d.moveName)
	if err != nil {
		return nil
	}
	if err := n.host.LinkDel(l); err != nil && !notFound(err) {
		return fmt.Errorf("%s: delete %s: %w", d.key, d.moveName, err)
	}
	return nil
}

func kernelHint(err error, typ string) string {
	if err == nil || !isNotSupported(err) {
		return ""
	}
	switch typ {
	case "vlan":
		return " (this kernel has no 802.1Q VLAN support: CONFIG_VLAN_8021Q)"
	case "ipvlan":
		return " (this kernel has no ipvlan support: CONFIG_IPVLAN)"
	case "macvlan":
		return " (this kernel has no macvlan support: CONFIG_MACVLAN)"
	}
	return ""
}
