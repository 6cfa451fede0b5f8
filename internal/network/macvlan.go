package network

import (
	"fmt"
	"sync"

	"github.com/vishvananda/netlink"
)

// macvlanDriver: a macvlan device mcXXXXXX on link, moved into the
// container. macvlan.mode defaults to private, as in LXC.
type macvlanDriver struct{}

var macvlanModes = sync.OnceValue(func() map[string]netlink.MacvlanMode {
	return map[string]netlink.MacvlanMode{
		"": netlink.MACVLAN_MODE_PRIVATE, "private": netlink.MACVLAN_MODE_PRIVATE,
		"vepa": netlink.MACVLAN_MODE_VEPA, "bridge": netlink.MACVLAN_MODE_BRIDGE,
		"passthru": netlink.MACVLAN_MODE_PASSTHRU,
	}
})

func (macvlanDriver) check(n *Network, d *device) error {
	if _, ok := macvlanModes()[d.cfg.MacvlanMode]; !ok {
		return fmt.Errorf("%s.macvlan.mode = %s: expected private, vepa, bridge or passthru", d.key, d.cfg.MacvlanMode)
	}
	_, err := parentLink(n, d)
	return err
}

func (macvlanDriver) create(n *Network, d *device) error {
	parent, err := parentLink(n, d)
	if err != nil {
		return err
	}
	name, err := randomName(n.host, "mc")
	if err != nil {
		return fmt.Errorf("%s: %w", d.key, err)
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.ParentIndex = name, parent.Attrs().Index
	if err := addMoved(n, d, &netlink.Macvlan{LinkAttrs: attrs, Mode: macvlanModes()[d.cfg.MacvlanMode]}, "macvlan"); err != nil {
		return err
	}
	return l2proxy(n, d)
}

func (macvlanDriver) scriptArgs(d *device) []string { return []string{"macvlan", d.cfg.Link} }

func (macvlanDriver) release(n *Network, d *device) error { return releaseMoved(n, d) }
