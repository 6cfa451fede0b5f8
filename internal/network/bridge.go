package network

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/lxcnet"
)

// lxcnetSettings reads /etc/default/lxc-net; a variable for tests.
var lxcnetSettings = func() (lxcnet.Settings, error) { return lxcnet.LoadSettings() }

// isLxcnetBridge: link is the bridge golxc's lxc-net manages
// (LXC_BRIDGE, lxcbr0 by default) and USE_LXC_BRIDGE is true.
func isLxcnetBridge(link string) bool {
	s, err := lxcnetSettings()
	return err == nil && s.UseBridge && s.Bridge == link
}

// ensureBridges brings up the lxc-net bridge when a device needs it, or
// restarts its dnsmasq if that died.
func (n *Network) ensureBridges() error {
	for _, d := range n.devs {
		if !d.lxcnetLink {
			continue
		}
		s, err := lxcnetSettings()
		if err != nil {
			return fmt.Errorf("%s.link = %s: %w", d.key, d.cfg.Link, err)
		}
		revived, err := lxcnet.Ensure(s)
		if err != nil {
			return fmt.Errorf("%s.link = %s: bring up the lxc-net bridge: %w", d.key, d.cfg.Link, err)
		}
		if revived {
			log.Warnf("%s.link = %s: lxc-net's dnsmasq had died; restarted it", d.key, d.cfg.Link)
		}
	}
	return nil
}

func isNotSupported(err error) bool {
	return errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOTSUP)
}
