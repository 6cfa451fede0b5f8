package initsetup

import (
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/nsexec"
)

// BoundingDrops lists, in the order to drop them, the capabilities of all
// (the running kernel's, config.KernelCaps) that c does not keep, named
// from config's capability table for the log.
func BoundingDrops(c config.Caps, all uint64) []nsexec.Cap {
	var drops []nsexec.Cap
	for _, n := range c.Drops(all) {
		drops = append(drops, nsexec.Cap{Num: n, Name: config.CapabilityName(n)})
	}
	return drops
}
