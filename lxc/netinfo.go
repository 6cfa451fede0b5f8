package lxc

import (
	"os"

	"github.com/golxc/golxc/internal/query"
)

type ifaceAddrs = query.IfaceAddrs

func (c *Container) netView() ([]ifaceAddrs, error) {
	return netViewOf(c.InitPid())
}

// netViewOf looks at the interfaces of init pid's network namespace.
func netViewOf(pid int) ([]ifaceAddrs, error) {
	if pid <= 0 {
		return nil, ErrNotRunning
	}
	if os.Geteuid() != 0 {
		return netViewUser(pid)
	}
	return query.NetViewInNS(pid)
}

// Interfaces lists the network interfaces inside the container.
func (c *Container) Interfaces() ([]string, error) {
	v, err := c.netView()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, i := range v {
		names = append(names, i.Name)
	}
	return sortedUnique(names), nil
}

func sortedUnique(l []string) []string { return query.SortedUnique(l) }

// ips returns addresses of every interface but lo; IPv6 only global scope,
// as LXC lists them.
func (c *Container) ips(v4, v6 bool, only string) ([]string, error) {
	v, err := c.netView()
	if err != nil {
		return nil, err
	}
	return filterIPs(v, v4, v6, only), nil
}

func filterIPs(v []ifaceAddrs, v4, v6 bool, only string) []string {
	return query.FilterIPs(v, v4, v6, only)
}

// IPAddresses lists IPv4 and IPv6 addresses (not of lo) in one sorted
// list, as LXC's get_ips does, from one look into the network namespace.
func (c *Container) IPAddresses() ([]string, error) { return ipAddressesOf(c.InitPid()) }

func ipAddressesOf(pid int) ([]string, error) {
	v, err := netViewOf(pid)
	if err != nil {
		return nil, err
	}
	return query.Addresses(v), nil
}

// IPv4Addresses lists IPv4 addresses (not of lo).
func (c *Container) IPv4Addresses() ([]string, error) { return c.ips(true, false, "") }

// IPv6Addresses lists global IPv6 addresses (not of lo).
func (c *Container) IPv6Addresses() ([]string, error) { return c.ips(false, true, "") }

// IPAddress lists the addresses of one interface.
func (c *Container) IPAddress(iface string) ([]string, error) { return c.ips(true, true, iface) }
