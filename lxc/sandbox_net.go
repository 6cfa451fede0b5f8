package lxc

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"golang.org/x/sys/unix"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/golxc/golxc/internal/lxcnet"
)

// netConfig: without --net an own network namespace with lo only, up
// (LXC's "empty"); with it a veth on the bridge with a static address, since
// nothing inside the sandbox runs a DHCP client.
func (sb *sandbox) netConfig(line func(string, ...any)) error {
	if !sb.o.Net {
		line("lxc.net.0.type = empty")
		line("lxc.net.0.flags = up") // brings lo up, as LXC does
		return nil
	}
	addr, gw, err := sb.pickAddress()
	if err != nil {
		return err
	}
	line("lxc.net.0.type = veth")
	line("lxc.net.0.link = %s", sb.o.Bridge)
	line("lxc.net.0.name = eth0")
	line("lxc.net.0.flags = up")
	line("lxc.net.0.ipv4.address = %s", addr)
	if gw != "" {
		line("lxc.net.0.ipv4.gateway = %s", gw)
	}
	return nil
}

// pickAddress returns --ip, or a random address of the bridge's IPv4
// subnet that the bridge, its ARP table and its dnsmasq leases do not
// use; the gateway is the bridge's address. A missing lxcbr0 is the
// subnet lxc-net will give it (golxc starts lxc-net on demand).
func (sb *sandbox) pickAddress() (addr, gw string, err error) {
	bridgeNet, err := bridgeIPv4(sb.o.Bridge)
	if err != nil {
		return "", "", err
	}
	if sb.o.IPv4 != "" {
		if _, _, err := net.ParseCIDR(sb.o.IPv4); err != nil {
			return "", "", fmt.Errorf("--ip %q: want ADDRESS/PREFIX (e.g. 10.0.3.50/24)", sb.o.IPv4)
		}
		if bridgeNet == nil {
			return sb.o.IPv4, "", nil
		}
		return sb.o.IPv4, bridgeNet.IP.String(), nil
	}
	if bridgeNet == nil {
		return "", "", fmt.Errorf("--net: bridge %s has no IPv4 address to pick one from; give --ip ADDRESS/PREFIX", sb.o.Bridge)
	}
	ones, bits := bridgeNet.Mask.Size()
	if bits != 32 || ones > 30 {
		return "", "", fmt.Errorf("--net: bridge %s's subnet %s is too small; give --ip ADDRESS/PREFIX", sb.o.Bridge, bridgeNet)
	}
	used := usedAddresses(sb.o.Bridge)
	used[bridgeNet.IP.String()] = true
	base := binary.BigEndian.Uint32(bridgeNet.IP.To4().Mask(bridgeNet.Mask))
	hosts := uint32(1)<<(32-ones) - 2
	var r [4]byte
	for try := 0; try < 64; try++ {
		if _, err := unix.Getrandom(r[:], 0); err != nil {
			return "", "", err
		}
		ip := make(net.IP, 4)
		binary.BigEndian.PutUint32(ip, base+1+binary.BigEndian.Uint32(r[:])%hosts)
		if !used[ip.String()] {
			return fmt.Sprintf("%s/%d", ip, ones), bridgeNet.IP.String(), nil
		}
	}
	return "", "", fmt.Errorf("--net: no free address found on %s; give --ip ADDRESS/PREFIX", sb.o.Bridge)
}

// bridgeIPv4 is the bridge's first IPv4 address with its mask (IP is the
// bridge's own address), nil when it has none.
func bridgeIPv4(bridge string) (*net.IPNet, error) {
	ifc, err := net.InterfaceByName(bridge)
	if err != nil {
		if bridge != "lxcbr0" {
			return nil, fmt.Errorf("--net: there is no bridge %s: create it, or leave --bridge out for lxcbr0", bridge)
		}
		s, err := lxcnet.LoadSettings()
		if err != nil {
			return nil, fmt.Errorf("--net: lxc-net settings: %v", err)
		}
		ip, m := net.ParseIP(s.Addr), net.ParseIP(s.Netmask)
		if ip == nil || m == nil || ip.To4() == nil || m.To4() == nil {
			return nil, fmt.Errorf("--net: lxc-net's LXC_ADDR %q / LXC_NETMASK %q", s.Addr, s.Netmask)
		}
		return &net.IPNet{IP: ip.To4(), Mask: net.IPMask(m.To4())}, nil
	}
	addrs, err := ifc.Addrs()
	if err != nil {
		return nil, fmt.Errorf("--net: bridge %s: %v", bridge, err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			return &net.IPNet{IP: n.IP.To4(), Mask: n.Mask}, nil
		}
	}
	return nil, nil
}

// usedAddresses are the neighbours the host knows on bridge and the
// addresses lxc-net's dnsmasq leased there.
func usedAddresses(bridge string) map[string]bool {
	used := map[string]bool{}
	if f, err := os.Open("/proc/net/arp"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) >= 6 && fs[5] == bridge {
				used[fs[0]] = true
			}
		}
		f.Close()
	}
	if s, err := lxcnet.LoadSettings(); err == nil {
		if b, err := os.ReadFile(filepath.Join(s.LeaseDir, "dnsmasq."+bridge+".leases")); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if fs := strings.Fields(l); len(fs) >= 3 {
					used[fs[2]] = true
				}
			}
		}
	}
	return used
}
