package network

import (
	"fmt"
	"math/rand/v2"

	"github.com/vishvananda/netlink"
)

const nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomName fills the trailing 6 characters of prefix+"XXXXXX" like
// LXC's lxc_mkifname, retrying while the name is taken on the host.
func randomName(h *netlink.Handle, prefix string) (string, error) {
	for try := 0; try < 100; try++ {
		b := []byte(prefix)
		for i := 0; i < 6; i++ {
			b = append(b, nameChars[rand.IntN(len(nameChars))])
		}
		name := string(b)
		if _, err := h.LinkByName(name); err != nil {
			return name, nil
		}
	}
	return "", fmt.Errorf("no free interface name %sXXXXXX", prefix)
}

// FreeName is a free host interface name prefix+"XXXXXX", for devices
// another program creates under a name golxc chose (criu's restore).
func FreeName(prefix string) (string, error) {
	h, err := netlink.NewHandle()
	if err != nil {
		return "", err
	}
	defer h.Close()
	return randomName(h, prefix)
}
