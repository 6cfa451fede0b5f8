package network

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
)

// checkClashes refuses an address or MAC used twice in the config, by a
// host interface, or by another running golxc container.
func (n *Network) checkClashes() error {
	seen := map[string]string{} // value -> key that uses it
	claim := func(key, cfgVal, v string) error {
		if prev, ok := seen[v]; ok {
			return fmt.Errorf("%s = %s: already used by %s", key, cfgVal, prev)
		}
		seen[v] = key
		return nil
	}
	for _, d := range n.devs {
		for i, a := range d.v4 {
			if err := claim(d.key+".ipv4.address", d.cfg.IPv4[i].String(), a.IP.String()); err != nil {
				return err
			}
		}
		for i, a := range d.v6 {
			if err := claim(d.key+".ipv6.address", d.cfg.IPv6[i].String(), a.IP.String()); err != nil {
				return err
			}
		}
		if d.hwaddr != nil {
			if err := claim(d.key+".hwaddr", d.cfg.Hwaddr, d.hwaddr.String()); err != nil {
				return err
			}
		}
	}
	if len(seen) == 0 {
		return nil // no address or MAC configured: nothing can clash
	}
	owner := map[string]string{} // address or MAC -> where it lives
	links, err := n.host.LinkList()
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return fmt.Errorf("network: list host interfaces: %w", err)
	}
	names := map[int]string{}
	for _, l := range links {
		a := l.Attrs()
		names[a.Index] = a.Name
		if len(a.HardwareAddr) == 6 {
			owner[a.HardwareAddr.String()] = "host interface " + a.Name
		}
	}
	addrs, _ := n.host.AddrList(nil, netlink.FAMILY_ALL) // one dump for all links
	for _, ad := range addrs {
		owner[ad.IP.String()] = "host interface " + names[ad.LinkIndex]
	}
	live, _ := readRecords()
	for _, r := range live {
		for _, v := range append(append([]string{}, r.Addrs...), r.MACs...) {
			owner[v] = "running container " + r.Container
		}
	}
	for _, d := range n.devs {
		for i, a := range d.v4 {
			if o, ok := owner[a.IP.String()]; ok {
				return fmt.Errorf("%s.ipv4.address = %s: address already used by %s", d.key, d.cfg.IPv4[i], o)
			}
		}
		for i, a := range d.v6 {
			if o, ok := owner[a.IP.String()]; ok {
				return fmt.Errorf("%s.ipv6.address = %s: address already used by %s", d.key, d.cfg.IPv6[i], o)
			}
		}
		if d.hwaddr != nil && d.cfg.Type != "phys" {
			if o, ok := owner[d.hwaddr.String()]; ok {
				return fmt.Errorf("%s.hwaddr = %s: MAC already used by %s", d.key, d.cfg.Hwaddr, o)
			}
		}
	}
	return nil
}
