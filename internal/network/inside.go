package network

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/vishvananda/netlink"

	"github.com/golxc/golxc/internal/log"
)

// configureInside gives the moved device its name, MAC and addresses
// inside the container, sets it up and adds the gateways, in LXC's order.
func (n *Network) configureInside(d *device) error {
	h := n.ns
	l, err := h.LinkByName(d.moveName)
	if err != nil {
		return fmt.Errorf("%s: find %s in the container: %w", d.key, d.moveName, err)
	}
	idx := l.Attrs().Index
	want := d.cfg.Name
	if want == "" {
		want = "eth%d" // the kernel picks the lowest free ethN
		if d.cfg.Type == "phys" {
			want = d.cfg.Link
		}
	}
	if l.Attrs().Name != want {
		if err := h.LinkSetName(l, want); err != nil {
			return fmt.Errorf("%s.name = %s: rename %s inside the container: %w", d.key, want, d.moveName, err)
		}
		if l, err = h.LinkByIndex(idx); err != nil {
			return fmt.Errorf("%s: device vanished inside the container: %w", d.key, err)
		}
		log.Tracef("%s: renamed network device from %q to %q", d.key, d.moveName, l.Attrs().Name)
	}
	n.mu.Lock()
	d.ifname, d.ifindex = l.Attrs().Name, idx
	n.mu.Unlock()
	if d.hwaddr != nil {
		if err := h.LinkSetHardwareAddr(l, d.hwaddr); err != nil {
			return fmt.Errorf("%s.hwaddr = %s: %w", d.key, d.cfg.Hwaddr, err)
		}
	}
	for i, a := range d.v4 {
		if err := h.AddrAdd(l, a); err != nil {
			return fmt.Errorf("%s.ipv4.address = %s: %w", d.key, d.cfg.IPv4[i], err)
		}
		log.Debugf("%s: added address %s to %q", d.key, d.cfg.IPv4[i], d.ifname)
	}
	for i, a := range d.v6 {
		if err := h.AddrAdd(l, a); err != nil {
			return fmt.Errorf("%s.ipv6.address = %s: %w", d.key, d.cfg.IPv6[i], err)
		}
		log.Debugf("%s: added address %s to %q", d.key, d.cfg.IPv6[i], d.ifname)
	}
	if !d.up() {
		log.Debugf("Network device %q has been setup (down)", d.ifname)
		return nil
	}
	if err := h.LinkSetUp(l); err != nil {
		return fmt.Errorf("%s.flags = up: set %s up: %w", d.key, d.ifname, err)
	}
	log.Debugf("Network device %q has been setup (up)", d.ifname)
	// Gateways only after up: the kernel adds the prefix routes then.
	if err := addGateway(h, idx, d.gw4, d.gw4Dev, netlink.FAMILY_V4); err != nil {
		return fmt.Errorf("%s.ipv4.gateway = %s: %w", d.key, d.cfg.IPv4Gateway, err)
	}
	if err := addGateway(h, idx, d.gw6, d.gw6Dev, netlink.FAMILY_V6); err != nil {
		return fmt.Errorf("%s.ipv6.gateway = %s: %w", d.key, d.cfg.IPv6Gateway, err)
	}
	return nil
}

// addGateway adds the default route. A gateway outside every prefix of
// the device gets a host route first, as LXC does.
func addGateway(h *netlink.Handle, idx int, gw net.IP, dev bool, family int) error {
	if gw == nil && !dev {
		return nil
	}
	r := &netlink.Route{LinkIndex: idx, Family: family}
	if dev {
		r.Scope = netlink.SCOPE_LINK
		return h.RouteAdd(r)
	}
	r.Gw = gw
	err := h.RouteAdd(r)
	if errors.Is(err, syscall.ENETUNREACH) {
		host := &netlink.Route{LinkIndex: idx, Family: family, Scope: netlink.SCOPE_LINK,
			Dst: &net.IPNet{IP: gw, Mask: hostMask(gw)}}
		if err := h.RouteAdd(host); err != nil {
			return fmt.Errorf("host route to the gateway: %w", err)
		}
		err = h.RouteAdd(r)
	}
	return err
}

// resolveAutoGateways turns "auto" into the first address of the link.
func (n *Network) resolveAutoGateways(d *device) error {
	for _, v6 := range []bool{false, true} {
		gwc, key, family := d.cfg.IPv4Gateway, d.key+".ipv4.gateway", netlink.FAMILY_V4
		if v6 {
			gwc, key, family = d.cfg.IPv6Gateway, d.key+".ipv6.gateway", netlink.FAMILY_V6
		}
		if !gwc.Auto {
			continue
		}
		l, err := n.host.LinkByName(d.cfg.Link)
		if err != nil {
			return fmt.Errorf("%s = auto: link %s: %w", key, d.cfg.Link, err)
		}
		addrs, err := n.host.AddrList(l, family)
		if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
			return fmt.Errorf("%s = auto: addresses of %s: %w", key, d.cfg.Link, err)
		}
		var gw net.IP
		for _, a := range addrs {
			if !v6 || a.IP.IsGlobalUnicast() {
				gw = a.IP
				break
			}
		}
		if gw == nil {
			return fmt.Errorf("%s = auto: %s has no IPv%s address to use as the gateway", key, d.cfg.Link, map[bool]string{false: "4", true: "6"}[v6])
		}
		if v6 {
			d.gw6 = gw
		} else {
			d.gw4 = gw.To4()
		}
	}
	return nil
}
