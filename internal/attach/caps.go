package attach

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/golxc/golxc/internal/initsetup"
	"golang.org/x/sys/unix"
)

// keptCaps is the bounding set the container keeps, from lxc.cap.drop or
// lxc.cap.keep, as a mask over capabilities 0..last.
func keptCaps(drop, keep []string, last int) (uint64, error) {
	all := uint64(1)<<uint(last+1) - 1
	if len(drop) > 0 && len(keep) > 0 {
		return 0, fmt.Errorf("lxc.cap.drop and lxc.cap.keep are both set: use one of them")
	}
	if len(keep) > 0 {
		var kept uint64
		for _, k := range keep {
			if k == "none" {
				continue
			}
			n, err := initsetup.CapabilityByName(k)
			if err != nil {
				return 0, fmt.Errorf("lxc.cap.keep: %v", err)
			}
			kept |= 1 << uint(n)
		}
		return kept & all, nil
	}
	kept := all
	for _, d := range drop {
		n, err := initsetup.CapabilityByName(d)
		if err != nil {
			return 0, fmt.Errorf("lxc.cap.drop: %v", err)
		}
		kept &^= 1 << uint(n)
	}
	return kept, nil
}

// lastCap reads the kernel's highest capability number.
func lastCap() int {
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return n
		}
	}
	return unix.CAP_LAST_CAP
}

// dropBounding removes every capability outside kept from the calling
// thread's bounding set; CAP_SETPCAP, which the drop needs, goes last.
func dropBounding(kept uint64, last int) error {
	drop := func(c int) error {
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && err != unix.EINVAL {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
		return nil
	}
	for c := 0; c <= last; c++ {
		if c != unix.CAP_SETPCAP && kept&(1<<uint(c)) == 0 {
			if err := drop(c); err != nil {
				return err
			}
		}
	}
	if kept&(1<<unix.CAP_SETPCAP) == 0 {
		return drop(unix.CAP_SETPCAP)
	}
	return nil
}
