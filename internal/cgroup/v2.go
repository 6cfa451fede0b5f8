package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// v2Driver drives the unified hierarchy.
type v2Driver struct{}

func unifiedLimitDir(c *Container) string {
	if u := c.l.Unified(); u != nil {
		return c.lim[u]
	}
	return ""
}

func (v2Driver) canFreeze(c *Container) bool {
	d := unifiedLimitDir(c)
	if d == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(d, "cgroup.freeze"))
	return err == nil
}

func (v2Driver) freeze(c *Container, timeout time.Duration, cancel <-chan struct{}) error {
	d := unifiedLimitDir(c)
	if d == "" {
		return fmt.Errorf("freeze: no cgroup2 payload cgroup")
	}
	if err := writeFile(filepath.Join(d, "cgroup.freeze"), "1"); err != nil {
		return fmt.Errorf("freeze: write %s/cgroup.freeze: %w", d, err)
	}
	ok, err := pollUntilCancel(timeout, cancel, func() (bool, error) { return eventsFrozen(d) })
	if err != nil {
		return err
	}
	if !ok {
		_ = writeFile(filepath.Join(d, "cgroup.freeze"), "0")
		if isClosed(cancel) {
			return fmt.Errorf("freeze: %s: %w; thawed again", d, ErrFreezeCanceled)
		}
		return fmt.Errorf("freeze: %s/cgroup.events did not report \"frozen 1\" within %v; thawed again", d, timeout)
	}
	return nil
}

func (v2Driver) thaw(c *Container) error {
	d := unifiedLimitDir(c)
	if d == "" {
		return fmt.Errorf("thaw: no cgroup2 payload cgroup")
	}
	if err := writeFile(filepath.Join(d, "cgroup.freeze"), "0"); err != nil {
		return fmt.Errorf("thaw: write %s/cgroup.freeze: %w", d, err)
	}
	return nil
}

func (v2Driver) frozen(c *Container) (bool, error) {
	d := unifiedLimitDir(c)
	if d == "" {
		return false, fmt.Errorf("freezer state: no cgroup2 payload cgroup")
	}
	return eventsFrozen(d)
}

// eventsFrozen reads "frozen 0|1" from DIR/cgroup.events.
func eventsFrozen(d string) (bool, error) {
	kv, ok, err := readKeyed(filepath.Join(d, "cgroup.events"))
	if err != nil {
		return false, err
	}
	if !ok {
		return false, fmt.Errorf("freezer state: %s/cgroup.events is missing (kernel older than 5.2?)", d)
	}
	return kv["frozen"] == 1, nil
}

func (v2Driver) stats(c *Container) (Stats, error) {
	var s Stats
	d := unifiedLimitDir(c)
	if d == "" {
		return s, nil
	}
	kv, ok, err := readKeyed(filepath.Join(d, "cpu.stat"))
	if err != nil {
		return s, err
	}
	if ok {
		if v, has := kv["usage_usec"]; has {
			s.CPU, s.HasCPU = v*1000, true
		}
		// USER_HZ is 100 on every Linux ABI: 1 tick = 10000 usec.
		s.CPUUser, s.CPUSystem, s.HasCPUSplit = kv["user_usec"]/10000, kv["system_usec"]/10000, true
	}
	io, ok, err := readIOStat(filepath.Join(d, "io.stat"))
	if err != nil {
		return s, err
	}
	s.BlkIO, s.BlkIORead, s.BlkIOWrite, s.BlkIOOps, s.HasBlkIO = io.rbytes+io.wbytes, io.rbytes, io.wbytes, io.ops, ok
	if s.Memory, s.HasMemory, err = readUint(filepath.Join(d, "memory.current")); err != nil {
		return s, err
	}
	swap, hasSwap, err := readUint(filepath.Join(d, "memory.swap.current"))
	if err != nil {
		return s, err
	}
	if hasSwap && s.HasMemory {
		s.MemSwap, s.HasMemSwap = s.Memory+swap, true
	}
	return s, nil
}

// killFast uses cgroup.kill (Linux 5.14+) for SIGKILL: one write kills the
// whole subtree, with no race against forking tasks.
func (v2Driver) killFast(c *Container, sig syscall.Signal) (bool, error) {
	d := unifiedLimitDir(c)
	if sig != syscall.SIGKILL || d == "" {
		return false, nil
	}
	err := writeFile(filepath.Join(d, "cgroup.kill"), "1")
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("kill: write %s/cgroup.kill: %w", d, err)
	}
	return true, nil
}

func (v2Driver) applyLegacy(c *Container, kvs []kv) error {
	if len(kvs) > 0 {
		warnf("Ignoring legacy cgroup limits on pure cgroup2 system (%d lxc.cgroup.* keys, first %s%s); use lxc.cgroup2.*", len(kvs), kvs[0].prefix, kvs[0].key)
	}
	return nil
}

// applyUnified writes lxc.cgroup2.FILE values into the unified limit
// cgroup. devices.allow/deny lines, in order, become one eBPF device
// program that replaces the defaults (like v1, they start from "allow all").
func (v2Driver) applyUnified(c *Container, kvs []kv) error {
	u := c.l.Unified()
	if u == nil || c.lim[u] == "" {
		if len(kvs) > 0 {
			return fmt.Errorf("%s%s = %s: this host has no cgroup2 hierarchy", kvs[0].prefix, kvs[0].key, kvs[0].value)
		}
		return nil
	}
	var rules []DeviceRule
	var w keyWriter
	defer w.close()
	for _, e := range kvs {
		if e.key == "devices.allow" || e.key == "devices.deny" {
			r, err := ParseDeviceRule(e.key == "devices.allow", e.value)
			if err != nil {
				return fmt.Errorf("%s%s = %s: %w", e.prefix, e.key, e.value, err)
			}
			rules = append(rules, r)
			continue
		}
		if err := w.write(c.lim[u], e); err != nil {
			return err
		}
	}
	if len(rules) > 0 {
		if err := AttachDeviceRules(c.lim[u], rules); err != nil {
			return fmt.Errorf("lxc.cgroup2.devices.*: %w", err)
		}
		c.setDeviceRules(rules)
	}
	return nil
}
