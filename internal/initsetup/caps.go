package initsetup

import (
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// capNames indexes Linux capability names as LXC spells them in
// lxc.cap.drop/keep: lowercase, without "cap_".
var capNames = []string{
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
	"setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service",
	"net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
	"sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
	"sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
	"setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
}

// CapabilityByName resolves "sys_admin" or "21" to a capability number.
// Like LXC, names are lowercase without "cap_"; uppercase is rejected.
func CapabilityByName(name string) (int, error) {
	for i, n := range capNames {
		if n == name {
			return i, nil
		}
	}
	if n, err := strconv.Atoi(name); err == nil && n >= 0 {
		if n > lastCap() {
			return 0, fmt.Errorf("capability %q is beyond the kernel's last capability (%d)", name, lastCap())
		}
		return n, nil
	}
	return 0, fmt.Errorf("unknown capability %q (use lowercase names without \"cap_\", e.g. sys_admin, or numbers)", name)
}

// lastCap is the highest capability the running kernel knows, probed
// through PR_CAPBSET_READ so it works without /proc.
func lastCap() int {
	last := 0
	for c := 0; c < 64; c++ {
		if _, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0); err != nil {
			break
		}
		last = c
	}
	return last
}

// capSet is a 64-bit capability mask.
type capSet uint64

func (c capSet) has(n int) bool { return c&(1<<uint(n)) != 0 }

// keptCaps computes the capabilities the container keeps from lxc.cap.drop
// and lxc.cap.keep. all is every capability the kernel knows.
func keptCaps(drop, keep []string) (capSet, error) {
	all := capSet(1<<uint(lastCap()+1) - 1)
	if len(drop) > 0 && len(keep) > 0 {
		return 0, fmt.Errorf("container requests lxc.cap.drop and lxc.cap.keep: either use lxc.cap.drop or lxc.cap.keep, not both")
	}
	if len(keep) > 0 {
		var kept capSet
		for _, k := range keep {
			if k == "none" {
				continue
			}
			n, err := CapabilityByName(k)
			if err != nil {
				return 0, fmt.Errorf("lxc.cap.keep: %v", err)
			}
			kept |= 1 << uint(n)
		}
		return kept & all, nil
	}
	kept := all
	for _, d := range drop {
		n, err := CapabilityByName(d)
		if err != nil {
			return 0, fmt.Errorf("lxc.cap.drop: %v", err)
		}
		kept &^= 1 << uint(n)
	}
	return kept, nil
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

func capName(c int) string {
	if c >= 0 && c < len(capNames) {
		return capNames[c]
	}
	return strconv.Itoa(c)
}

// KeptCaps is the bounding set a container keeps (lxc.cap.drop or
// lxc.cap.keep) as a mask over the running kernel's capabilities; attach
// applies the same set to processes entering the container.
func KeptCaps(drop, keep []string) (uint64, error) {
	k, err := keptCaps(drop, keep)
	return uint64(k), err
}

// DropBounding removes every capability outside kept from the calling
// thread's bounding set.
func DropBounding(kept uint64) error { return dropBounding(capSet(kept)) }
