package network

import (
	"testing"

	"github.com/golxc/golxc/internal/config"
)

// A user's container gets one line naming the key and what to do for
// what lxc-user-nic cannot give (LXC refuses all but veth as well).
func TestUserNewRefusals(t *testing.T) {
	for _, c := range []struct {
		dev  config.NetDev
		want string
	}{
		{config.NetDev{Index: 0, Type: "macvlan", Link: "eth0"},
			"lxc.net.0.type = macvlan: not for a user's container (as with LXC, only root may give it a macvlan device); use type veth with a bridge that /etc/lxc/lxc-usernet grants you, or empty or none, or start the container as root"},
		{config.NetDev{Index: 1, Type: "phys", Link: "eth0"},
			"lxc.net.1.type = phys: not for a user's container (as with LXC, only root may give it a phys device); use type veth with a bridge that /etc/lxc/lxc-usernet grants you, or empty or none, or start the container as root"},
		{config.NetDev{Index: 0, Type: "veth"},
			"lxc.net.0.link: a user's veth needs a bridge (lxc-user-nic attaches it to one listed for the user in /etc/lxc/lxc-usernet)"},
		{config.NetDev{Index: 2, Type: "veth", Link: "lxcbr0", VethPair: "mine0"},
			"lxc.net.2: veth.mode router, veth.pair, veth routes, l2proxy and up/down scripts need root on the host; remove them from a user's container"},
	} {
		n, err := userNew(Params{Name: "c1", Spec: &config.Spec{Net: []config.NetDev{c.dev}}})
		if err == nil || err.Error() != c.want {
			t.Errorf("%+v: got %v (%v)\nwant %s", c.dev, err, n, c.want)
		}
	}
	n, err := userNew(Params{Name: "c1", Spec: &config.Spec{Net: []config.NetDev{{Index: 0, Type: "empty"}}}})
	if err != nil || len(n.devs) != 0 || !n.user {
		t.Errorf("empty: %+v %v", n, err)
	}
}
