package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
)

// vethDriver: a veth pair; the host end (veth.pair or vethXXXXXX) is
// attached to the bridge in link (bridge mode) or routed to (router
// mode), the other end becomes the container's interface.
type vethDriver struct{}

func (vethDriver) check(n *Network, d *device) error {
	c := d.cfg
	if c.VethPair != "" {
		if _, err := n.host.LinkByName(c.VethPair); err == nil {
			return fmt.Errorf("%s.veth.pair = %s: a device of that name already exists on the host; choose another name or remove it", d.key, c.VethPair)
		}
	}
	if c.Link == "" {
		if c.L2Proxy {
			return fmt.Errorf("%s.l2proxy = 1: needs %s.link", d.key, d.key)
		}
		return nil
	}
	if c.VethMode == "router" {
		// The link is only used for l2proxy entries in router mode.
		return checkLinkExists(n, d)
	}
	if err := checkBridge(n, d); err != nil {
		return err
	}
	if c.VethVlanID != 0 || len(c.VethVlanTagged) > 0 {
		return checkVlanFiltering(d)
	}
	return nil
}

// checkBridge: link must be an existing bridge, or the lxc-net bridge,
// which setup brings up when missing (or revives).
func checkBridge(n *Network, d *device) error {
	l, err := n.host.LinkByName(d.cfg.Link)
	if err != nil {
		if isLxcnetBridge(d.cfg.Link) {
			d.lxcnetLink, d.bridgeMissing = true, true
			return nil
		}
		return fmt.Errorf("%s.link = %s: no such bridge on the host; create it (ip link add %s type bridge) or fix the key", d.key, d.cfg.Link, d.cfg.Link)
	}
	switch l.Type() {
	case "bridge":
		d.lxcnetLink = isLxcnetBridge(d.cfg.Link)
		return nil
	case "openvswitch":
		return fmt.Errorf("%s.link = %s: Open vSwitch bridges are not supported by golxc; use a Linux bridge", d.key, d.cfg.Link)
	}
	kind := l.Type()
	if kind == "device" {
		kind = "physical"
	}
	return fmt.Errorf("%s.link = %s: is a %s device, not a bridge (use type macvlan or phys for it, or name a bridge)", d.key, d.cfg.Link, kind)
}

func checkLinkExists(n *Network, d *device) error {
	if _, err := n.host.LinkByName(d.cfg.Link); err != nil {
		return fmt.Errorf("%s.link = %s: no such network device on the host", d.key, d.cfg.Link)
	}
	return nil
}

// checkVlanFiltering: veth.vlan.id needs a bridge with vlan_filtering on.
func checkVlanFiltering(d *device) error {
	key, val := d.key+".veth.vlan.id", d.cfg.VethVlanID.String()
	if val == "" {
		key, val = d.key+".veth.vlan.tagged.id", vlanList(d.cfg.VethVlanTagged)
	}
	if d.bridgeMissing {
		return fmt.Errorf("%s = %s: the lxc-net bridge %s does not filter VLANs", key, val, d.cfg.Link)
	}
	b, err := os.ReadFile("/sys/class/net/" + d.cfg.Link + "/bridge/vlan_filtering")
	if err != nil {
		return fmt.Errorf("%s = %s: bridge %s has no VLAN filtering (kernel without CONFIG_BRIDGE_VLAN_FILTERING)", key, val, d.cfg.Link)
	}
	if strings.TrimSpace(string(b)) != "1" {
		return fmt.Errorf("%s = %s: bridge %s has vlan_filtering off; enable it (ip link set %s type bridge vlan_filtering 1)", key, val, d.cfg.Link, d.cfg.Link)
	}
	return nil
}

// create follows LXC's instantiate_veth: the pair is made with its peer
// already in the container's network namespace (VETH_INFO_PEER carries
// IFLA_NET_NS_FD and the MTU), so no move follows and the kernel's
// namespace change (an rcu_barrier per device) is saved. Then the host
// end gets its private MAC and MTU, joins the bridge and its VLANs, goes
// up and gets its routes (router mode: the container's addresses and the
// proxy entries for its gateways); script.up runs after this, with the
// peer inside under its creation name; the rename and the configuration
// inside come last (configureInside).
func (vethDriver) create(n *Network, d *device) error {
	c := d.cfg
	veth1 := c.VethPair
	var err error
	if veth1 == "" {
		if veth1, err = randomName(n.host, "veth"); err != nil {
			return fmt.Errorf("%s: %w", d.key, err)
		}
	}
	// The peer's name only has to be free where it is created.
	veth2, err := randomName(n.ns, "veth")
	if err != nil {
		return fmt.Errorf("%s: %w", d.key, err)
	}
	mtu := vethMTU(n, d)
	v := newVeth(veth1, veth2, mtu, c.VethNRxQueues, c.VethNTxQueues, int(n.nsFD))
	// Record first: a monitor killed right after the add still gets the
	// host end (and with it the peer) deleted by the next sweep.
	n.rec.Veths = append(n.rec.Veths, veth1)
	if err := n.rec.save(); err != nil {
		return err
	}
	if err := n.host.LinkAdd(v); err != nil {
		n.rec.Veths = n.rec.Veths[:len(n.rec.Veths)-1]
		if serr := n.rec.save(); serr != nil {
			log.Warnf("%s: %v", d.key, serr)
		}
		if errors.Is(err, unix.EINVAL) && !vethTakesMTU(mtu) {
			return mtuError(d, veth2, mtu, err)
		}
		return fmt.Errorf("%s: create veth pair %s/%s: %w", d.key, veth1, veth2, err)
	}
	log.Tracef("%s: created veth pair \"%s\" and \"%s\", \"%s\" directly in the container's network namespace", d.key, veth1, veth2, veth2)
	n.mu.Lock()
	// moved: the peer was born inside, there is nothing to move.
	d.hostName, d.moveName, d.moved = veth1, veth2, true
	n.mu.Unlock()
	host, err := n.host.LinkByName(veth1)
	if err != nil {
		return fmt.Errorf("%s: veth %s vanished: %w", d.key, veth1, err)
	}
	// A high MAC byte of 0xfe keeps the bridge's own MAC from following a
	// container's (the bridge takes the lowest port MAC).
	if mac := host.Attrs().HardwareAddr; len(mac) == 6 {
		m := append(net.HardwareAddr(nil), mac...)
		m[0] = 0xfe
		if err := n.host.LinkSetHardwareAddr(host, m); err != nil {
			return fmt.Errorf("%s: set MAC of %s: %w", d.key, veth1, err)
		}
	}
	if mtu > 0 {
		if err := setMTU(n, d, host, mtu); err != nil {
			return err
		}
	}
	bridged := c.Link != "" && c.VethMode != "router"
	if bridged {
		br, err := n.host.LinkByName(c.Link)
		if err != nil {
			return fmt.Errorf("%s.link = %s: %w", d.key, c.Link, err)
		}
		if err := n.host.LinkSetMaster(host, br); err != nil {
			return fmt.Errorf("%s.link = %s: attach %s to the bridge: %w", d.key, c.Link, veth1, err)
		}
		log.Infof("%s: attached %q to bridge %q", d.key, veth1, c.Link)
		if err := vethVlan(n, d, host); err != nil {
			return err
		}
	}
	if err := n.host.LinkSetUp(host); err != nil {
		return fmt.Errorf("%s: set %s up: %w", d.key, veth1, err)
	}
	if err := vethRoutes(n, d, host); err != nil {
		return err
	}
	if c.VethMode == "router" {
		if err := routerMode(n, d, host); err != nil {
			return err
		}
	}
	if err := l2proxy(n, d); err != nil {
		return err
	}
	log.Debugf("%s: instantiated veth tunnel \"%s <--> %s\"", d.key, veth1, veth2)
	return nil
}

// newVeth is the RTM_NEWLINK request of create: the host end veth1 in
// this namespace, the peer veth2 in the namespace nsfd with the MTU (the
// host end gets it after its MAC, as in LXC), both with the queue counts
// of veth.n_rxqueues/n_txqueues. The peer's transmit queue length is the
// kernel's, as in LXC.
func newVeth(veth1, veth2 string, mtu, rxq, txq, nsfd int) *netlink.Veth {
	attrs := netlink.NewLinkAttrs()
	attrs.Name = veth1
	v := &netlink.Veth{LinkAttrs: attrs, PeerName: veth2, PeerNamespace: netlink.NsFd(nsfd), PeerTxQLen: -1}
	if rxq > 0 {
		v.NumRxQueues, v.PeerNumRxQueues = rxq, uint32(rxq)
	}
	if txq > 0 {
		v.NumTxQueues, v.PeerNumTxQueues = txq, uint32(txq)
	}
	if mtu > 0 {
		v.PeerMTU = uint32(mtu)
	}
	return v
}

// vethTakesMTU: a veth takes 68 to 65535 (ETH_MIN_MTU, ETH_MAX_MTU) or
// no MTU; an EINVAL for a creation with an MTU outside is about the MTU,
// not the queue counts.
func vethTakesMTU(mtu int) bool {
	return mtu == 0 || mtu >= 68 && mtu <= 65535
}

// vethMTU is lxc.net.N.mtu, else the bridge's MTU (0: leave the kernel's).
func vethMTU(n *Network, d *device) int {
	mtu := d.cfg.MTU
	if mtu == 0 && d.cfg.Link != "" {
		if br, err := n.host.LinkByName(d.cfg.Link); err == nil {
			mtu = br.Attrs().MTU
			log.Infof("%s: retrieved mtu %d from %s", d.key, mtu, d.cfg.Link)
		}
	}
	return mtu
}

// vethVlan: veth.vlan.id is the port's untagged PVID (none = no untagged
// VLAN), veth.vlan.tagged.id adds tagged VLANs; the default VLAN 1 goes.
func vethVlan(n *Network, d *device, host netlink.Link) error {
	c := d.cfg
	if c.VethVlanID == 0 && len(c.VethVlanTagged) == 0 {
		return nil
	}
	if c.VethVlanID != 0 {
		if err := n.host.BridgeVlanDel(host, 1, true, true, false, true); err != nil {
			return fmt.Errorf("%s.veth.vlan.id = %s: remove default VLAN 1: %w", d.key, c.VethVlanID, err)
		}
		if c.VethVlanID != config.VlanNone {
			if err := n.host.BridgeVlanAdd(host, uint16(c.VethVlanID), true, true, false, true); err != nil {
				return fmt.Errorf("%s.veth.vlan.id = %s: %w", d.key, c.VethVlanID, err)
			}
		}
	}
	for _, id := range c.VethVlanTagged {
		if err := n.host.BridgeVlanAdd(host, id, false, false, false, true); err != nil {
			return fmt.Errorf("%s.veth.vlan.tagged.id = %d: %w", d.key, id, err)
		}
	}
	return nil
}

// vethRoutes adds veth.ipv4.route / veth.ipv6.route on the host end.
func vethRoutes(n *Network, d *device, host netlink.Link) error {
	add := func(key string, p netip.Prefix) error {
		r := &netlink.Route{LinkIndex: host.Attrs().Index, Dst: routeDst(p), Scope: netlink.SCOPE_LINK}
		if err := n.host.RouteAdd(r); err != nil {
			return fmt.Errorf("%s = %s: %w", key, p, err)
		}
		return nil
	}
	for _, p := range d.cfg.VethIPv4Routes {
		if err := add(d.key+".veth.ipv4.route", p); err != nil {
			return err
		}
	}
	for _, p := range d.cfg.VethIPv6Routes {
		if err := add(d.key+".veth.ipv6.route", p); err != nil {
			return err
		}
	}
	return nil
}

// routerMode: host routes to each container address through the host
// end, and proxy neighbour entries there for the container's gateways so
// the container reaches the host without a bridge.
func routerMode(n *Network, d *device, host netlink.Link) error {
	idx := host.Attrs().Index
	for _, a := range append(append([]*netlink.Addr{}, d.v4...), d.v6...) {
		r := &netlink.Route{LinkIndex: idx, Scope: netlink.SCOPE_LINK,
			Dst: &net.IPNet{IP: a.IP, Mask: hostMask(a.IP)}}
		if err := n.host.RouteAdd(r); err != nil {
			return fmt.Errorf("%s.veth.mode = router: host route to %s: %w", d.key, a.IP, err)
		}
	}
	for _, gw := range []net.IP{d.gw4, d.gw6} {
		if gw == nil {
			continue
		}
		p := proxyRecord{Link: host.Attrs().Name, IP: gw.String()}
		if err := addProxy(n.host, p); err != nil {
			return fmt.Errorf("%s.veth.mode = router: proxy entry for gateway %s: %w", d.key, gw, err)
		}
	}
	return nil
}

func (vethDriver) scriptArgs(d *device) []string {
	return []string{"veth", d.cfg.Link, d.hostName}
}

// release deletes the host end; the peer dies with it.
func (vethDriver) release(n *Network, d *device) error {
	if d.hostName == "" {
		return nil
	}
	l, err := n.host.LinkByName(d.hostName)
	if err != nil {
		return nil // already gone with the container's namespace
	}
	if err := n.host.LinkDel(l); err != nil && !notFound(err) {
		return fmt.Errorf("%s: delete host veth %s: %w", d.key, d.hostName, err)
	}
	return nil
}

// vlanList is veth.vlan.tagged.id as lxc-info shows it ("10,20").
func vlanList(ids []uint16) string {
	var b []byte
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(id), 10)
	}
	return string(b)
}
