package lxc

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"sort"

	"golang.org/x/sys/unix"
)

// inNetNS runs fn with the calling thread in the network namespace of pid.
// Sockets fn opens stay in that namespace, so plain net.Interfaces works
// without attaching a process to the container.
func inNetNS(pid int, fn func() error) error {
	runtime.LockOSThread()
	// Plain descriptors, not os.Files: no poller registration to undo.
	orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return &os.PathError{Op: "open", Path: "/proc/thread-self/ns/net", Err: err}
	}
	defer unix.Close(orig)
	p := fmt.Sprintf("/proc/%d/ns/net", pid)
	target, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return &os.PathError{Op: "open", Path: p, Err: err}
	}
	defer unix.Close(target)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("enter network namespace of pid %d: %w", pid, err)
	}
	ferr := fn()
	if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
		// Leave the thread locked: Go discards it when the goroutine ends,
		// so no other goroutine runs in the wrong namespace.
		return fmt.Errorf("return to host network namespace: %w", err)
	}
	runtime.UnlockOSThread()
	return ferr
}

type ifaceAddrs struct {
	name string
	ips  []net.IP
}

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
	var out []ifaceAddrs
	err := inNetNS(pid, func() error {
		ifs, err := net.Interfaces()
		if err != nil {
			return err
		}
		for _, i := range ifs {
			ia := ifaceAddrs{name: i.Name}
			addrs, _ := i.Addrs()
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok {
					ia.ips = append(ia.ips, n.IP)
				}
			}
			out = append(out, ia)
		}
		return nil
	})
	return out, err
}

// Interfaces lists the network interfaces inside the container.
func (c *Container) Interfaces() ([]string, error) {
	v, err := c.netView()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, i := range v {
		names = append(names, i.name)
	}
	return sortedUnique(names), nil
}

// sortedUnique sorts byte-wise and drops repeats: LXC's get_interfaces and
// get_ips keep their results that way (lxc-ls lists "eth0, lo", lxc-info
// -i "10.1.0.1" before "9.0.0.1"), whatever order the kernel reports.
func sortedUnique(l []string) []string {
	sort.Strings(l)
	out := l[:0]
	for i, s := range l {
		if i == 0 || s != l[i-1] {
			out = append(out, s)
		}
	}
	return out
}

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
	var out []string
	for _, i := range v {
		if (only == "" && i.name == "lo") || (only != "" && i.name != only) {
			continue
		}
		for _, ip := range i.ips {
			is4 := ip.To4() != nil
			if is4 && v4 {
				out = append(out, ip.String())
			}
			if !is4 && v6 && ip.IsGlobalUnicast() {
				out = append(out, ip.String())
			}
		}
	}
	return sortedUnique(out)
}

// IPAddresses lists IPv4 and IPv6 addresses (not of lo) in one sorted
// list, as LXC's get_ips does, from one look into the network namespace.
func (c *Container) IPAddresses() ([]string, error) { return ipAddressesOf(c.InitPid()) }

func ipAddressesOf(pid int) ([]string, error) {
	v, err := netViewOf(pid)
	if err != nil {
		return nil, err
	}
	return sortedUnique(append(filterIPs(v, true, false, ""), filterIPs(v, false, true, "")...)), nil
}

// IPv4Addresses lists IPv4 addresses (not of lo).
func (c *Container) IPv4Addresses() ([]string, error) { return c.ips(true, false, "") }

// IPv6Addresses lists global IPv6 addresses (not of lo).
func (c *Container) IPv6Addresses() ([]string, error) { return c.ips(false, true, "") }

// IPAddress lists the addresses of one interface.
func (c *Container) IPAddress(iface string) ([]string, error) { return c.ips(true, true, iface) }
