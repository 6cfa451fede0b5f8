package network

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/vishvananda/netlink"
)

// physDriver hands a host device (link) to the container and gives it
// back at stop under its old name, MAC, MTU and up state. After a killed
// monitor the kernel returns a physical device by itself (virtual ones
// such as veth die with the namespace); Sweep then restores the name.
type physDriver struct{}

// physRecord is what a phys device looked like on the host.
type physRecord struct {
	Key   string `json:"key"`
	Index int    `json:"index"`
	Name  string `json:"name"`
	MAC   string `json:"mac"`
	MTU   int    `json:"mtu"`
	Up    bool   `json:"up"`
	// SetMAC is lxc.net.N.hwaddr, the MAC it may come back with.
	SetMAC string `json:"set_mac,omitempty"`
}

func (physDriver) check(n *Network, d *device) error {
	if d.cfg.Link == "" {
		return fmt.Errorf("%s.link: required for type phys (name the host device to hand over)", d.key)
	}
	l, err := n.host.LinkByName(d.cfg.Link)
	if err != nil {
		return fmt.Errorf("%s.link = %s: no such network device on the host (or it is in use by another container)", d.key, d.cfg.Link)
	}
	if l.Attrs().Name == "lo" {
		return fmt.Errorf("%s.link = lo: the loopback device cannot be moved", d.key)
	}
	return nil
}

func (physDriver) create(n *Network, d *device) error {
	l, err := n.host.LinkByName(d.cfg.Link)
	if err != nil {
		return fmt.Errorf("%s.link = %s: no such network device on the host", d.key, d.cfg.Link)
	}
	a := l.Attrs()
	rec := physRecord{Key: d.key, Index: a.Index, Name: a.Name, MAC: a.HardwareAddr.String(),
		MTU: a.MTU, Up: a.Flags&net.FlagUp != 0}
	if d.hwaddr != nil {
		rec.SetMAC = d.hwaddr.String()
	}
	d.phys = &rec
	n.rec.Phys = append(n.rec.Phys, rec)
	if err := n.rec.save(); err != nil {
		return err
	}
	n.mu.Lock()
	d.moveName = a.Name
	n.mu.Unlock()
	if d.cfg.MTU > 0 && d.cfg.MTU != a.MTU {
		return setMTU(n, d, l, d.cfg.MTU)
	}
	return nil
}

func (physDriver) scriptArgs(d *device) []string { return []string{"phys", d.cfg.Link} }

// release moves the device back to the host, then restores it.
func (physDriver) release(n *Network, d *device) error {
	if d.phys == nil {
		return nil
	}
	if d.moved {
		if err := n.returnPhys(d); err != nil {
			return err
		}
	}
	return restorePhys(n.host, *d.phys, 0)
}

// returnPhys moves the device from the container's namespace to the
// host's. It takes its host name first: a move never renames, and the
// name it has inside (eth0) may be taken on the host.
func (n *Network) returnPhys(d *device) error {
	h := n.ns
	l, err := h.LinkByIndex(d.ifindex)
	if err != nil || d.ifindex == 0 {
		if l, err = h.LinkByName(d.moveName); err != nil {
			return fmt.Errorf("%s: phys device %s not found in the container any more", d.key, d.phys.Name)
		}
	}
	_ = h.LinkSetDown(l)
	if l.Attrs().Name != d.phys.Name {
		if err := h.LinkSetName(l, d.phys.Name); err != nil {
			// Taken inside the container too: any free name will do,
			// restorePhys renames it on the host.
			if err := h.LinkSetName(l, fmt.Sprintf("phys%d", d.phys.Index)); err != nil {
				return fmt.Errorf("%s: rename %s before returning it: %w", d.key, l.Attrs().Name, err)
			}
		}
	}
	if err := h.LinkSetNsFd(l, int(n.hostNS)); err != nil {
		return fmt.Errorf("%s: return %s to the host: %w", d.key, d.phys.Name, err)
	}
	d.moved = false
	return nil
}

// restorePhys finds a returned device by index (or by MAC) on the host
// and gives it back its name, MAC, MTU and up state. wait > 0 waits for a
// device the kernel is still handing back from a dying namespace.
func restorePhys(h *netlink.Handle, r physRecord, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	var l netlink.Link
	for {
		l = findPhys(h, r)
		if l != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if l == nil {
		return fmt.Errorf("%s: phys device %s (index %d) did not come back to the host (a virtual device dies with the container's namespace)", r.Key, r.Name, r.Index)
	}
	var errs []error
	a := l.Attrs()
	if a.Name != r.Name {
		_ = h.LinkSetDown(l)
		if err := h.LinkSetName(l, r.Name); err != nil {
			errs = append(errs, fmt.Errorf("%s: rename %s back to %s: %w", r.Key, a.Name, r.Name, err))
		}
	}
	if mac, err := net.ParseMAC(r.MAC); err == nil && a.HardwareAddr.String() != r.MAC && len(mac) > 0 {
		if err := h.LinkSetHardwareAddr(l, mac); err != nil {
			errs = append(errs, fmt.Errorf("%s: restore MAC of %s: %w", r.Key, r.Name, err))
		}
	}
	if r.MTU > 0 && a.MTU != r.MTU {
		if err := h.LinkSetMTU(l, r.MTU); err != nil {
			errs = append(errs, fmt.Errorf("%s: restore MTU of %s: %w", r.Key, r.Name, err))
		}
	}
	if r.Up {
		if err := h.LinkSetUp(l); err != nil {
			errs = append(errs, fmt.Errorf("%s: set %s up: %w", r.Key, r.Name, err))
		}
	} else {
		_ = h.LinkSetDown(l)
	}
	return errors.Join(errs...)
}

func findPhys(h *netlink.Handle, r physRecord) netlink.Link {
	macOK := func(l netlink.Link) bool {
		m := l.Attrs().HardwareAddr.String()
		return m == r.MAC || (r.SetMAC != "" && m == r.SetMAC)
	}
	if l, err := h.LinkByIndex(r.Index); err == nil && macOK(l) {
		return l
	}
	links, _ := h.LinkList()
	for _, l := range links {
		if macOK(l) && l.Type() == "device" {
			return l
		}
	}
	return nil
}
