package network

import (
	"fmt"
	"sync"

	"github.com/vishvananda/netlink"
)

// ipvlanDriver: an ipvlan device ipXXXXXX on link, moved into the
// container. ipvlan.mode defaults to l3, ipvlan.isolation to bridge.
type ipvlanDriver struct{}

var ipvlanModes = sync.OnceValue(func() map[string]netlink.IPVlanMode {
	return map[string]netlink.IPVlanMode{
		"": netlink.IPVLAN_MODE_L3, "l3": netlink.IPVLAN_MODE_L3,
		"l3s": netlink.IPVLAN_MODE_L3S, "l2": netlink.IPVLAN_MODE_L2,
	}
})

var ipvlanIsolations = sync.OnceValue(func() map[string]netlink.IPVlanFlag {
	return map[string]netlink.IPVlanFlag{
		"": netlink.IPVLAN_FLAG_BRIDGE, "bridge": netlink.IPVLAN_FLAG_BRIDGE,
		"private": netlink.IPVLAN_FLAG_PRIVATE, "vepa": netlink.IPVLAN_FLAG_VEPA,
	}
})

func (ipvlanDriver) check(n *Network, d *device) error {
	if _, ok := ipvlanModes()[d.cfg.IpvlanMode]; !ok {
		return fmt.Errorf("%s.ipvlan.mode = %s: expected l3, l3s or l2", d.key, d.cfg.IpvlanMode)
	}
	if _, ok := ipvlanIsolations()[d.cfg.IpvlanIsolation]; !ok {
		return fmt.Errorf("%s.ipvlan.isolation = %s: expected bridge, private or vepa", d.key, d.cfg.IpvlanIsolation)
	}
	_, err := parentLink(n, d)
	return err
}

func (ipvlanDriver) create(n *Network, d *device) error {
	parent, err := parentLink(n, d)
	if err != nil {
		return err
	}
	name, err := randomName(n.host, "ip")
	if err != nil {
		return fmt.Errorf("%s: %w", d.key, err)
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.ParentIndex = name, parent.Attrs().Index
	l := &netlink.IPVlan{LinkAttrs: attrs, Mode: ipvlanModes()[d.cfg.IpvlanMode], Flag: ipvlanIsolations()[d.cfg.IpvlanIsolation]}
	if err := addMoved(n, d, l, "ipvlan"); err != nil {
		return err
	}
	return l2proxy(n, d)
}

func (ipvlanDriver) scriptArgs(d *device) []string { return []string{"ipvlan", d.cfg.Link} }

func (ipvlanDriver) release(n *Network, d *device) error { return releaseMoved(n, d) }
