package network

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/hooks"
	"github.com/golxc/golxc/internal/log"
)

// Params is what one boot of a container tells the network setup.
type Params struct {
	Name    string
	LXCPath string
	Spec    *config.Spec
	// NetnsShared: the container keeps the host's network namespace
	// (lxc.net.0.type = none).
	NetnsShared bool
	// Hook is the base context for script.up/down (LXC_NAME,
	// LXC_CONFIG_FILE, rootfs, log level, lxc.hook.version).
	Hook hooks.Context
}

// Network is the network of one boot. Setup and Teardown are called by the
// monitor; ConfigItem answers get_config_item for names chosen at start.
type Network struct {
	p    Params
	devs []*device

	host   *netlink.Handle
	hostNS netns.NsHandle
	ns     *netlink.Handle
	nsFD   netns.NsHandle
	rec    *record

	mu       sync.Mutex // guards the names ConfigItem reads
	tornDown bool

	// user: the caller is not root; devices go through lxc-user-nic
	// (user.go), and nsFile keeps the container's netns for the deletes.
	user    bool
	nsFile  *os.File
	nicPath string // the setuid lxc-user-nic
}

// New checks the configuration against the host before anything is
// created, so a bad key fails the start with nothing left behind. It also
// undoes what a killed monitor of this container left on the host (its
// caller is the container's monitor, which owns the container now).
func New(p Params) (*Network, error) {
	if os.Geteuid() != 0 {
		return userNew(p)
	}
	n := &Network{p: p, hostNS: -1, nsFD: -1}
	if err := n.checkShared(); err != nil || p.NetnsShared {
		return nil, err
	}
	sweepOwn(p.LXCPath, p.Name)
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE) // one socket, not one per family
	if err != nil {
		return nil, fmt.Errorf("network: open netlink: %w", err)
	}
	n.host = h
	for _, nd := range p.Spec.Net {
		d := &device{cfg: nd, key: fmt.Sprintf("lxc.net.%d", nd.Index)}
		typ := nd.Type
		if typ == "" {
			typ = "empty"
		}
		d.drv = drivers()[typ]
		if d.drv == nil {
			n.close()
			return nil, fmt.Errorf("%s.type = %s: unknown network type", d.key, nd.Type)
		}
		if err := n.loadAddrs(d); err != nil {
			n.close()
			return nil, err
		}
		if err := d.drv.check(n, d); err != nil {
			n.close()
			return nil, err
		}
		n.devs = append(n.devs, d)
	}
	if err := n.checkClashes(); err != nil {
		n.close()
		return nil, err
	}
	return n, nil
}

// checkShared: type none shares the host's namespace, so nothing else can
// be configured next to it.
func (n *Network) checkShared() error {
	var none, other []string
	for _, d := range n.p.Spec.Net {
		if d.Type == "none" {
			none = append(none, fmt.Sprintf("lxc.net.%d", d.Index))
		} else {
			other = append(other, fmt.Sprintf("lxc.net.%d.type = %s", d.Index, d.Type))
		}
	}
	if len(none) > 0 && len(other) > 0 {
		return fmt.Errorf("%s.type = none shares the host network and cannot be combined with %s; remove one of them", none[0], other[0])
	}
	return nil
}

// loadAddrs takes the addresses, gateways and MAC of one device from the
// Spec, where they were parsed, and checks how they go together.
func (n *Network) loadAddrs(d *device) error {
	c := d.cfg
	if c.Err != nil {
		return c.Err
	}
	for _, a := range c.IPv4 {
		d.v4 = append(d.v4, ipv4Addr(a))
	}
	for _, a := range c.IPv6 {
		d.v6 = append(d.v6, ipv6Addr(a))
	}
	d.hwaddr = c.MAC
	if err := checkGateway(d, false); err != nil {
		return err
	}
	return checkGateway(d, true)
}

func checkGateway(d *device, v6 bool) error {
	key, gw, addrs := d.key+".ipv4.gateway", d.cfg.IPv4Gateway, d.v4
	if v6 {
		key, gw, addrs = d.key+".ipv6.gateway", d.cfg.IPv6Gateway, d.v6
	}
	if !gw.IsSet() {
		return nil
	}
	if !d.up() {
		return fmt.Errorf("%s = %s: a gateway needs the interface up (set %s.flags = up)", key, gw, d.key)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("%s = %s: a gateway needs an address on the interface (set %s.address)", key, gw, strings.TrimSuffix(key, ".gateway"))
	}
	switch {
	case gw.Auto:
		t := d.cfg.Type
		if t != "veth" && t != "macvlan" && t != "ipvlan" {
			return fmt.Errorf("%s = auto: only veth, macvlan and ipvlan can take the gateway from their link", key)
		}
		if d.cfg.Link == "" {
			return fmt.Errorf("%s = auto: needs %s.link to take the gateway address from", key, d.key)
		}
		// resolved at setup, when the link surely exists
	case gw.Dev && v6:
		d.gw6Dev = true
	case gw.Dev:
		d.gw4Dev = true
	case v6:
		d.gw6 = net.IP(gw.Addr.AsSlice())
	default:
		d.gw4 = net.IP(gw.Addr.AsSlice())
	}
	return nil
}

// Setup creates every device, moves it into the netns of pid (a veth's
// peer is created there) and configures it there. On error the monitor calls Teardown, which undoes
// whatever was done.
func (n *Network) Setup(pid int) error {
	if n.user {
		return n.userSetup(pid)
	}
	var err error
	if n.hostNS, err = netns.Get(); err != nil {
		return fmt.Errorf("network: open host network namespace: %w", err)
	}
	if n.nsFD, err = netns.GetFromPid(pid); err != nil {
		return fmt.Errorf("network: open network namespace of init (pid %d): %w", pid, err)
	}
	if n.ns, err = netlink.NewHandleAt(n.nsFD, unix.NETLINK_ROUTE); err != nil {
		return fmt.Errorf("network: netlink in the container's namespace: %w", err)
	}
	if err := n.ensureBridges(); err != nil {
		return err
	}
	n.rec = newRecord(n.p.LXCPath, n.p.Name)
	for _, d := range n.devs {
		n.rec.addClaims(d)
	}
	if err := n.rec.save(); err != nil {
		return err
	}
	loUp := false
	for _, d := range n.devs {
		if err := n.setupDevice(d); err != nil {
			return err
		}
		loUp = loUp || d.up()
	}
	if loUp {
		if err := n.linkUp(n.ns, "lo"); err != nil {
			return fmt.Errorf("network: set lo up in the container: %w", err)
		}
		log.Tracef("Set network device \"lo\" up in the container")
	}
	log.Infof("Finished setting up %d network devices", len(n.devs))
	return nil
}

func (n *Network) setupDevice(d *device) error {
	if err := n.resolveAutoGateways(d); err != nil {
		return err
	}
	if err := d.drv.create(n, d); err != nil {
		return err
	}
	log.Debugf("%s: created network device (type %s, link %q)", d.key, d.cfg.Type, d.cfg.Link)
	if err := n.rec.save(); err != nil {
		return err
	}
	if d.cfg.ScriptUp != "" {
		if err := n.runScript(d, "up"); err != nil {
			return err
		}
		d.upRan = true
	}
	if d.moveName == "" {
		return nil
	}
	if d.moved {
		// Created inside (veth): nothing to move.
		return n.configureInside(d)
	}
	l, err := n.host.LinkByName(d.moveName)
	if err != nil {
		return fmt.Errorf("%s: device %s vanished before it could be moved: %w", d.key, d.moveName, err)
	}
	if err := n.host.LinkSetNsFd(l, int(n.nsFD)); err != nil {
		return fmt.Errorf("%s: move %s into the container: %w", d.key, d.moveName, err)
	}
	log.Tracef("%s: moved network device %q into the container's network namespace", d.key, d.moveName)
	d.moved = true
	return n.configureInside(d)
}

// Teardown returns physical devices, runs script.down, deletes host-side
// devices and proxy entries. Every step runs; the errors are joined.
func (n *Network) Teardown() error {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	if n.tornDown {
		n.mu.Unlock()
		return nil
	}
	n.tornDown = true
	n.mu.Unlock()
	if n.user {
		return n.userTeardown()
	}
	var errs []error
	for i := len(n.devs) - 1; i >= 0; i-- {
		d := n.devs[i]
		if d.upRan && d.cfg.ScriptDown != "" {
			if err := n.runScript(d, "down"); err != nil {
				errs = append(errs, err)
			}
		}
		if err := d.drv.release(n, d); err != nil {
			errs = append(errs, err)
		} else if d.hostName != "" {
			log.Debugf("%s: released network device %q", d.key, d.hostName)
		}
		for _, p := range d.proxies {
			if err := delProxy(n.host, p); err != nil {
				errs = append(errs, fmt.Errorf("%s: remove proxy entry %s on %s: %w", d.key, p.IP, p.Link, err))
			}
		}
	}
	if n.rec != nil {
		if len(errs) == 0 {
			n.rec.remove()
		} else {
			log.Warnf("network: cleanup incomplete, kept %s for the next start", n.rec.path())
		}
	}
	n.close()
	return errors.Join(errs...)
}

func (n *Network) close() {
	if n.ns != nil {
		n.ns.Close()
		n.ns = nil
	}
	if n.host != nil {
		n.host.Close()
		n.host = nil
	}
	if n.nsFD >= 0 {
		n.nsFD.Close()
		n.nsFD = -1
	}
	if n.hostNS >= 0 {
		n.hostNS.Close()
		n.hostNS = -1
	}
}

// ConfigItem answers get_config_item for values only known once the
// container runs: the generated veth.pair and the interface name inside.
func (n *Network) ConfigItem(key string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, d := range n.devs {
		switch key {
		case d.key + ".veth.pair":
			if d.cfg.Type == "veth" && d.hostName != "" {
				return d.hostName, true
			}
		case d.key + ".name":
			if d.ifname != "" {
				return d.ifname, true
			}
		}
	}
	return "", false
}

// linkUp sets a device up by name through handle h.
func (n *Network) linkUp(h *netlink.Handle, name string) error {
	l, err := h.LinkByName(name)
	if err != nil {
		return err
	}
	return h.LinkSetUp(l)
}

// exists reports whether err is "no such device".
func notFound(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf) || errors.Is(err, os.ErrNotExist)
}
