package cgroup

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// v1Driver drives the legacy hierarchies.
type v1Driver struct{}

// legacyLimitDir is the payload limit directory of the v1 hierarchy that
// carries controller ctl, or "".
func legacyLimitDir(c *Container, ctl string) string {
	for _, h := range c.l.Legacy() {
		if h.Has(ctl) {
			return c.lim[h]
		}
	}
	return ""
}

func (v1Driver) canFreeze(c *Container) bool { return legacyLimitDir(c, "freezer") != "" }

func (v1Driver) freeze(c *Container, timeout time.Duration, cancel <-chan struct{}) error {
	d := legacyLimitDir(c, "freezer")
	if d == "" {
		return fmt.Errorf("freeze: no v1 freezer hierarchy is mounted (mount -t cgroup -o freezer)")
	}
	f := filepath.Join(d, "freezer.state")
	// Writing FROZEN starts freezing; the state reads FREEZING until every
	// task has stopped. Re-writing kicks tasks that raced with the first.
	ok, err := pollUntilCancel(timeout, cancel, func() (bool, error) {
		if err := writeFile(f, "FROZEN"); err != nil {
			return false, fmt.Errorf("freeze: write %s: %w", f, err)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return false, fmt.Errorf("freeze: read %s: %w", f, err)
		}
		return strings.TrimSpace(string(b)) == "FROZEN", nil
	})
	if err != nil {
		return err
	}
	if !ok {
		_ = writeFile(f, "THAWED")
		if isClosed(cancel) {
			return fmt.Errorf("freeze: %s: %w; thawed again", f, ErrFreezeCanceled)
		}
		return fmt.Errorf("freeze: %s did not reach FROZEN within %v (a task may be in uninterruptible sleep); thawed again", f, timeout)
	}
	return nil
}

func (v1Driver) thaw(c *Container) error {
	d := legacyLimitDir(c, "freezer")
	if d == "" {
		return fmt.Errorf("thaw: no v1 freezer hierarchy is mounted")
	}
	f := filepath.Join(d, "freezer.state")
	if err := writeFile(f, "THAWED"); err != nil {
		return fmt.Errorf("thaw: write %s: %w", f, err)
	}
	return nil
}

func (v1Driver) frozen(c *Container) (bool, error) {
	d := legacyLimitDir(c, "freezer")
	if d == "" {
		return false, fmt.Errorf("freezer state: no v1 freezer hierarchy is mounted")
	}
	b, err := os.ReadFile(filepath.Join(d, "freezer.state"))
	if err != nil {
		return false, fmt.Errorf("freezer state: %w", err)
	}
	return strings.TrimSpace(string(b)) == "FROZEN", nil
}

func (v1Driver) stats(c *Container) (Stats, error) {
	var s Stats
	var err error
	if d := legacyLimitDir(c, "cpuacct"); d != "" {
		if s.CPU, s.HasCPU, err = readUint(filepath.Join(d, "cpuacct.usage")); err != nil {
			return s, err
		}
		kv, ok, err := readKeyed(filepath.Join(d, "cpuacct.stat"))
		if err != nil {
			return s, err
		}
		if ok {
			s.CPUUser, s.CPUSystem, s.HasCPUSplit = kv["user"], kv["system"], true
		}
	}
	if d := legacyLimitDir(c, "blkio"); d != "" {
		b, ok, err := readBlkio(filepath.Join(d, "blkio.throttle.io_service_bytes"))
		if err != nil {
			return s, err
		}
		s.BlkIO, s.BlkIORead, s.BlkIOWrite, s.HasBlkIO = b.total, b.read, b.write, ok
		if b, _, err = readBlkio(filepath.Join(d, "blkio.throttle.io_serviced")); err != nil {
			return s, err
		}
		s.BlkIOOps = b.total
	}
	if d := legacyLimitDir(c, "memory"); d != "" {
		if s.Memory, s.HasMemory, err = readUint(filepath.Join(d, "memory.usage_in_bytes")); err != nil {
			return s, err
		}
		if s.MemSwap, s.HasMemSwap, err = readUint(filepath.Join(d, "memory.memsw.usage_in_bytes")); err != nil {
			return s, err
		}
		if s.KMem, s.HasKMem, err = readUint(filepath.Join(d, "memory.kmem.usage_in_bytes")); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (v1Driver) killFast(*Container, syscall.Signal) (bool, error) { return false, nil }

// applyLegacy writes each lxc.cgroup.CONTROLLER.FILE value into the limit
// cgroup of the hierarchy carrying CONTROLLER. Like LXC it sets
// memory.limit_in_bytes before memory.memsw.limit_in_bytes (the kernel
// refuses memsw below the memory limit).
func (v1Driver) applyLegacy(c *Container, kvs []kv) error {
	kvs = sortMemsw(kvs)
	restore, err := c.devicesPrepare(kvs)
	if err != nil {
		return err
	}
	var w keyWriter
	defer w.close()
	for _, e := range kvs {
		ctl, _, _ := strings.Cut(e.key, ".")
		var h *Hierarchy
		for _, x := range c.l.Legacy() {
			if x.Has(ctl) || x.Has("name="+ctl) {
				h = x
				break
			}
		}
		if h == nil {
			_ = restore()
			return fmt.Errorf("%s%s = %s: no cgroup v1 hierarchy has the %q controller mounted", e.prefix, e.key, e.value, ctl)
		}
		if err := w.write(c.lim[h], e); err != nil {
			_ = restore()
			return err
		}
	}
	return restore()
}

func (v1Driver) applyUnified(c *Container, kvs []kv) error {
	if len(kvs) > 0 {
		return fmt.Errorf("%s%s = %s: this host has no cgroup2 hierarchy; use lxc.cgroup.* keys", kvs[0].prefix, kvs[0].key, kvs[0].value)
	}
	return nil
}

// sortMemsw moves memory.memsw.* after the other keys, keeping order.
func sortMemsw(kvs []kv) []kv {
	out := append([]kv(nil), kvs...)
	sort.SliceStable(out, func(i, j int) bool {
		return !strings.HasPrefix(out[i].key, "memory.memsw.") && strings.HasPrefix(out[j].key, "memory.memsw.")
	})
	return out
}

// devicesPrepare readies the v1 devices cgroup for the config's own
// devices.* values: DefaultDeviceRules are reset to "allow all" so the
// result is exactly what the config says (in LXC the allowlist comes only
// from the config), and an empty inner leaf is removed because a devices
// cgroup with children refuses "a" rules. The returned func makes the
// inner leaf again once the values are written.
func (c *Container) devicesPrepare(kvs []kv) (restore func() error, err error) {
	restore = func() error { return nil }
	own := false
	for _, e := range kvs {
		if strings.HasPrefix(e.key, "devices.") {
			own = true
		}
	}
	if !own {
		return restore, nil
	}
	var inners []string
	for _, h := range c.l.Legacy() {
		if !h.Has("devices") || c.lim[h] == "" {
			continue
		}
		if c.pay[h] != c.lim[h] {
			if err := syscall.Rmdir(c.pay[h]); err != nil {
				return restore, fmt.Errorf("apply devices rules: %s must still be empty: %w", c.pay[h], err)
			}
			inners = append(inners, c.pay[h])
		}
		if c.devDefaults {
			if err := writeFile(filepath.Join(c.lim[h], "devices.allow"), "a"); err != nil {
				return restore, fmt.Errorf("apply devices rules: reset %s/devices.allow: %w", c.lim[h], err)
			}
		}
	}
	c.devDefaults = false
	return func() error {
		for _, d := range inners {
			if err := os.Mkdir(d, 0o755); err != nil {
				return fmt.Errorf("recreate payload cgroup %s: %w", d, err)
			}
		}
		return nil
	}, nil
}
