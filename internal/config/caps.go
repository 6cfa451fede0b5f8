package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// capNames are the capability names lxc.cap.drop/keep take (LXC's
// parse_cap): lowercase, without "cap_", in capability number order. The
// one table golxc has; CapabilityName and CapabilityByName read it.
var capNames = []string{
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid",
	"setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod",
	"lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog",
	"wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
}

const capHint = "expected lowercase capability names without \"cap_\" (e.g. sys_admin) or numbers"

// LastCap is the highest capability number the running kernel knows:
// /proc/sys/kernel/cap_last_cap as LXC reads it, else (no /proc, as in a
// stage after pivot_root) probed with PR_CAPBSET_READ.
func LastCap() int {
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n >= 0 && n < 64 {
			return n
		}
	}
	last := 0
	for c := 0; c < 64; c++ {
		if _, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0); err != nil {
			break
		}
		last = c
	}
	return last
}

// CapabilityByName resolves "sys_admin" or "21" to a capability number.
// Like LXC, names are lowercase without "cap_"; uppercase is rejected, and
// a number must be one the running kernel knows.
func CapabilityByName(name string) (int, error) {
	for i, n := range capNames {
		if n == name {
			return i, nil
		}
	}
	if n, ok := safeInt(name); ok && n >= 0 {
		if last := LastCap(); int(n) > last {
			return 0, fmt.Errorf("capability %q is beyond the kernel's last capability (%d)", name, last)
		}
		return int(n), nil
	}
	return 0, fmt.Errorf("unknown capability %q (use lowercase names without \"cap_\", e.g. sys_admin, or numbers)", name)
}

// CapabilityName is the lxc.cap.drop spelling of capability n (its number
// when golxc has no name for it).
func CapabilityName(n int) string {
	if n >= 0 && n < len(capNames) {
		return capNames[n]
	}
	return strconv.Itoa(n)
}

func validCap(tok string) bool {
	_, err := CapabilityByName(tok)
	return err == nil
}

// Caps is lxc.cap.drop or lxc.cap.keep (LXC keeps one list for both) as
// capability numbers, resolved once when the Spec is built.
type Caps struct {
	Keep bool   // lxc.cap.keep: Set is what the container keeps (empty: "none")
	Set  uint64 // bit N = capability N; with Keep false, what is dropped
}

// Kept is the capability mask the container keeps out of all (every
// capability the kernel knows).
func (c Caps) Kept(all uint64) uint64 {
	if c.Keep {
		return c.Set & all
	}
	return all &^ c.Set
}

// Keeps reports whether capability n stays in the container.
func (c Caps) Keeps(n int) bool {
	listed := n >= 0 && n < 64 && c.Set&(1<<uint(n)) != 0
	return listed == c.Keep
}

// KernelCaps is the mask of every capability the running kernel knows
// (one read of cap_last_cap).
func KernelCaps() uint64 { return 1<<uint(LastCap()+1) - 1 }

// Drops lists the capabilities of all that the container does not keep,
// in the order to drop them from a bounding set: CAP_SETPCAP, which the
// dropping needs, last.
func (c Caps) Drops(all uint64) []int {
	gone := all &^ c.Kept(all)
	var drops []int
	for n := 0; n < 64; n++ {
		if n != unix.CAP_SETPCAP && gone&(1<<uint(n)) != 0 {
			drops = append(drops, n)
		}
	}
	if gone&(1<<unix.CAP_SETPCAP) != 0 {
		drops = append(drops, unix.CAP_SETPCAP)
	}
	return drops
}

// String is the setting as a config line would write it, for logs.
func (c Caps) String() string {
	var b strings.Builder
	b.WriteString("lxc.cap.drop =")
	if c.Keep {
		b.Reset()
		b.WriteString("lxc.cap.keep =")
		if c.Set == 0 {
			b.WriteString(" none")
		}
	}
	for n := 0; n < 64; n++ {
		if c.Set&(1<<uint(n)) != 0 {
			b.WriteString(" " + CapabilityName(n))
		}
	}
	return b.String()
}

// capsSpec resolves the names the setters already validated.
func capsSpec(v *values) Caps {
	c := Caps{Keep: v.capsKeep}
	for _, t := range v.caps {
		if n, err := CapabilityByName(t); err == nil {
			c.Set |= 1 << uint(n)
		}
	}
	return c
}
