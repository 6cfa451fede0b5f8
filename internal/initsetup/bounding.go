package initsetup

import (
	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/nsexec"
)

// BoundingDrops lists, in the order to drop them, the capabilities of the
// running kernel outside kept: CAP_SETPCAP, which dropping needs, last.
func BoundingDrops(kept uint64) []nsexec.Cap {
	k := capSet(kept)
	var drops []nsexec.Cap
	last := config.LastCap()
	for c := 0; c <= last; c++ {
		if c != unix.CAP_SETPCAP && !k.has(c) {
			drops = append(drops, nsexec.Cap{Num: c, Name: capName(c)})
		}
	}
	if !k.has(unix.CAP_SETPCAP) {
		drops = append(drops, nsexec.Cap{Num: unix.CAP_SETPCAP, Name: capName(unix.CAP_SETPCAP)})
	}
	return drops
}
