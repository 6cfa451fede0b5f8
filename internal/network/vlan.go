package network

import (
	"fmt"
	"sync/atomic"

	"github.com/vishvananda/netlink"
)

// vlanDriver: an 802.1Q device vlanID-COUNTER on link, moved into the
// container (LXC's naming).
type vlanDriver struct{}

var vlanCounter atomic.Uint32

func (vlanDriver) check(n *Network, d *device) error {
	_, err := parentLink(n, d)
	return err
}

func (vlanDriver) create(n *Network, d *device) error {
	parent, err := parentLink(n, d)
	if err != nil {
		return err
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = fmt.Sprintf("vlan%d-%d", d.cfg.VlanID, vlanCounter.Add(1)-1)
	attrs.ParentIndex = parent.Attrs().Index
	if _, err := n.host.LinkByName(attrs.Name); err == nil {
		if attrs.Name, err = randomName(n.host, "vl"); err != nil {
			return fmt.Errorf("%s: %w", d.key, err)
		}
	}
	return addMoved(n, d, &netlink.Vlan{LinkAttrs: attrs, VlanId: d.cfg.VlanID}, "vlan")
}

func (vlanDriver) scriptArgs(d *device) []string { return []string{"vlan", d.cfg.Link} }

func (vlanDriver) release(n *Network, d *device) error { return releaseMoved(n, d) }
