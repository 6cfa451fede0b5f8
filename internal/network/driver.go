package network

import (
	"net"
	"sync"

	"github.com/vishvananda/netlink"

	"github.com/golxc/golxc/internal/config"
)

// driver is one lxc.net.N.type. check runs before anything is created and
// must reject every bad value; create makes the host side and names the
// device to move into the container (moveName), or, for a device it
// created inside the container's namespace already (veth's peer), names
// it there and sets moved; release undoes create after the container
// stopped (or after a failed start).
type driver interface {
	check(n *Network, d *device) error
	create(n *Network, d *device) error
	scriptArgs(d *device) []string // TYPE PARENT [PEER] for script.up/down
	release(n *Network, d *device) error
}

var drivers = sync.OnceValue(func() map[string]driver {
	return map[string]driver{
		"veth":    vethDriver{},
		"macvlan": macvlanDriver{},
		"ipvlan":  ipvlanDriver{},
		"vlan":    vlanDriver{},
		"phys":    physDriver{},
		"empty":   emptyDriver{},
		"none":    noneDriver{},
	}
})

// device is one lxc.net.N during one boot.
type device struct {
	cfg    config.NetDev
	key    string // "lxc.net.N"
	drv    driver
	v4, v6 []*netlink.Addr
	hwaddr net.HardwareAddr

	gw4, gw6       net.IP // resolved gateways (auto included)
	gw4Dev, gw6Dev bool   // "dev": default route through the device

	// lxcnetLink: link is lxc-net's bridge, which setup brings up when
	// missing (bridgeMissing) and whose dead dnsmasq it restarts.
	lxcnetLink, bridgeMissing bool

	hostName string // host-side device that stays on the host (veth1)
	moveName string // device to move into the container, by host name (veth: its creation name inside)
	moved    bool   // moveName is in the container (moved, or created there)
	upRan    bool   // script.up ran, so script.down runs at stop
	ifname   string // name inside the container once configured
	ifindex  int    // index inside the container
	phys     *physRecord
	proxies  []proxyRecord
}

// up reports lxc.net.N.flags = up.
func (d *device) up() bool { return d.cfg.Flags == "up" }
