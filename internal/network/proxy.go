package network

import (
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/vishvananda/netlink"
)

// proxyRecord is one proxy neighbour entry (ip neigh add proxy IP dev LINK).
type proxyRecord struct {
	Link string `json:"link"`
	IP   string `json:"ip"`
}

func proxyNeigh(h *netlink.Handle, p proxyRecord) (*netlink.Neigh, error) {
	l, err := h.LinkByName(p.Link)
	if err != nil {
		return nil, err
	}
	ip := net.ParseIP(p.IP)
	fam := netlink.FAMILY_V6
	if ip.To4() != nil {
		fam, ip = netlink.FAMILY_V4, ip.To4()
	}
	// Permanent, unlike LXC 5.0.2's: the kernel flushes a link's other
	// proxy entries when its carrier goes (a flapping uplink, a bridge
	// that loses its last port), and the container would stop being
	// answered for; golxc deletes its entries itself at teardown.
	return &netlink.Neigh{LinkIndex: l.Attrs().Index, Family: fam, Flags: netlink.NTF_PROXY,
		State: netlink.NUD_PERMANENT, IP: ip}, nil
}

func addProxy(h *netlink.Handle, p proxyRecord) error {
	nb, err := proxyNeigh(h, p)
	if err != nil {
		return err
	}
	return h.NeighSet(nb)
}

// delProxy removes an entry; a missing link or entry is not an error.
func delProxy(h *netlink.Handle, p proxyRecord) error {
	nb, err := proxyNeigh(h, p)
	if err != nil {
		return nil
	}
	if err := h.NeighDel(nb); err != nil && !strings.Contains(err.Error(), "no such file") {
		return err
	}
	return nil
}

// l2proxy (lxc.net.N.l2proxy = 1) answers ARP/NDP on the link for the
// container's addresses. Like LXC it requires the forwarding sysctls.
func l2proxy(n *Network, d *device) error {
	if !d.cfg.L2Proxy || d.cfg.Link == "" {
		return nil
	}
	link := d.cfg.Link
	if len(d.v4) > 0 {
		if err := needSysctl(d, "ipv4/conf/"+link+"/forwarding"); err != nil {
			return err
		}
	}
	if len(d.v6) > 0 {
		for _, s := range []string{"ipv6/conf/" + link + "/proxy_ndp", "ipv6/conf/" + link + "/forwarding"} {
			if err := needSysctl(d, s); err != nil {
				return err
			}
		}
	}
	for _, a := range append(append([]*netlink.Addr{}, d.v4...), d.v6...) {
		p := proxyRecord{Link: link, IP: a.IP.String()}
		// Record first: a crash right after the add still gets cleaned.
		d.proxies = append(d.proxies, p)
		n.rec.Proxies = append(n.rec.Proxies, p)
		if err := n.rec.save(); err != nil {
			return err
		}
		if err := addProxy(n.host, p); err != nil {
			return fmt.Errorf("%s.l2proxy = 1: proxy entry for %s on %s: %w", d.key, a.IP, link, err)
		}
	}
	return nil
}

func needSysctl(d *device, name string) error {
	b, err := os.ReadFile("/proc/sys/net/" + name)
	if err != nil || strings.TrimSpace(string(b)) != "1" {
		return fmt.Errorf("%s.l2proxy = 1: needs sysctl net.%s=1", d.key, strings.ReplaceAll(name, "/", "."))
	}
	return nil
}
