package initsetup

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/nsexec"
)

// capSet is a 64-bit capability mask.
type capSet uint64

func (c capSet) has(n int) bool { return c&(1<<uint(n)) != 0 }

// dropBounding removes drops (BoundingDrops) from this thread's bounding
// set, in their order.
func dropBounding(drops []nsexec.Cap) error {
	for _, c := range drops {
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c.Num), 0, 0, 0); err != nil {
			return fmt.Errorf("dropping capability %s from the bounding set: %v", c.Name, err)
		}
		log.Debugf("Dropped %s (%d) capability", c.Name, c.Num)
	}
	log.Debugf("Capabilities have been setup")
	return nil
}

// restrictCaps limits this thread's effective, permitted and inheritable
// sets to kept and clears the ambient set.
func restrictCaps(kept capSet) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %v", err)
	}
	for i := range data {
		m := uint32(kept >> (32 * uint(i)))
		data[i].Effective &= m
		data[i].Permitted &= m
		data[i].Inheritable &= m
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %v", err)
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil && err != unix.EINVAL {
		return fmt.Errorf("clearing ambient capabilities: %v", err)
	}
	return nil
}
