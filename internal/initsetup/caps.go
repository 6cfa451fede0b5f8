package initsetup

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
)

// capSet is a 64-bit capability mask.
type capSet uint64

func (c capSet) has(n int) bool { return c&(1<<uint(n)) != 0 }

// keptCaps is the mask the container keeps out of every capability the
// running kernel knows.
func keptCaps(c config.Caps) capSet {
	return capSet(c.Kept(1<<uint(config.LastCap()+1) - 1))
}

// dropBounding removes every capability outside kept from this thread's
// bounding set. CAP_SETPCAP, which the drop itself needs, goes last.
func dropBounding(kept capSet) error {
	for _, c := range BoundingDrops(uint64(kept)) {
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

func capName(c int) string { return config.CapabilityName(c) }

// KeptCaps is the bounding set a container keeps (lxc.cap.drop or
// lxc.cap.keep) as a mask over the running kernel's capabilities; attach
// applies the same set to processes entering the container.
//
// It still takes the names as written because attach.Options carries
// them; once attach takes config.Caps, keptCaps is all it needs.
func KeptCaps(drop, keep []string) (uint64, error) {
	if len(drop) > 0 && len(keep) > 0 {
		return 0, fmt.Errorf("container requests lxc.cap.drop and lxc.cap.keep: either use lxc.cap.drop or lxc.cap.keep, not both")
	}
	c := config.Caps{Keep: len(keep) > 0}
	for _, name := range append(drop, keep...) {
		if name == "none" && c.Keep {
			continue
		}
		n, err := config.CapabilityByName(name)
		if err != nil {
			if c.Keep {
				return 0, fmt.Errorf("lxc.cap.keep: %v", err)
			}
			return 0, fmt.Errorf("lxc.cap.drop: %v", err)
		}
		c.Set |= 1 << uint(n)
	}
	return uint64(keptCaps(c)), nil
}

// DropBounding removes every capability outside kept from the calling
// thread's bounding set.
func DropBounding(kept uint64) error { return dropBounding(capSet(kept)) }
