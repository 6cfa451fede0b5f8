package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"

	"github.com/golxc/golxc/internal/log"
)

// Container is the set of cgroups of one container: per hierarchy a
// monitor cgroup and a payload cgroup (limit cgroup plus optional inner
// leaf, lxc.cgroup.dir.container.inner). Create and Apply calls must not
// run concurrently with other calls; after that Freeze, Thaw, Stats, Get,
// Set, Pids and KillAll only read the Container and may overlap.
type Container struct {
	l    *Layout
	o    Options
	n    naming
	drv  driver
	base map[*Hierarchy]string // base cgroup path per hierarchy

	monitor string // created monitor cgroup relative to base ("" = none)
	limit   string // created payload limit cgroup relative to base
	payload string // payload leaf relative to base (== limit without inner)
	// Absolute directories per hierarchy, filled when created (or by FromPid).
	mon, lim, pay map[*Hierarchy]string
	monitorPid    int // process moved into the monitor cgroup
	// devDefaults is set when CreatePayload wrote DefaultDeviceRules on v1,
	// so Apply knows to reset them when the config brings its own.
	devDefaults bool
	// devMu guards devRules, the rules of the eBPF device program on the
	// unified limit cgroup (nil: none attached), which AddDeviceRule
	// extends while the container runs.
	devMu    sync.Mutex
	devRules []DeviceRule
	optErr   error
}

// New prepares (but does not create) the cgroups of container o.Name.
// Invalid options are reported by the first Create call.
func New(l *Layout, o Options) *Container {
	c := &Container{l: l, o: o, n: o.naming(), base: map[*Hierarchy]string{},
		mon: map[*Hierarchy]string{}, lim: map[*Hierarchy]string{}, pay: map[*Hierarchy]string{}}
	c.optErr = o.check()
	c.drv = newDriver(l)
	useInit := !o.Relative && l.Euid == 0
	for _, h := range l.Hierarchies {
		b := h.SelfPath
		if useInit && h.InitPath != "" {
			b = h.InitPath
		}
		if l.Euid != 0 && l.Mode == Unified && h.Unified {
			b = evacuatedBase(h, b)
		}
		c.base[h] = b
	}
	return c
}

// baseDir is the absolute base cgroup directory in h.
func (c *Container) baseDir(h *Hierarchy) string { return h.Dir(c.base[h]) }

// dir is the absolute directory of rel (relative to base) in h.
func (c *Container) dir(h *Hierarchy, rel string) string {
	return filepath.Join(c.baseDir(h), rel)
}

// CreateMonitor creates lxc.monitor.NAME (or NAME-1 ... NAME-999 when it
// exists) in every hierarchy and moves the calling process into it.
func (c *Container) CreateMonitor() error {
	if err := c.createMonitorDirs(); err != nil {
		return err
	}
	return c.EnterMonitor(os.Getpid())
}

// EnterMonitor moves pid into the monitor cgroup in every hierarchy; it is
// the process Destroy moves out to the pivot cgroup again.
func (c *Container) EnterMonitor(pid int) error {
	if c.monitor == "" {
		return fmt.Errorf("enter monitor cgroup: CreateMonitor was not called")
	}
	for _, h := range c.l.Hierarchies {
		if err := writeFile(filepath.Join(c.mon[h], "cgroup.procs"), strconv.Itoa(pid)); err != nil {
			return fmt.Errorf("move monitor %d into %s: %w", pid, c.mon[h], err)
		}
		log.Tracef("Moved monitor (%d) into cgroup %s", pid, c.mon[h])
	}
	c.monitorPid = pid
	return nil
}

func (c *Container) createMonitorDirs() error {
	if c.optErr != nil {
		return c.optErr
	}
	if c.monitor != "" {
		return fmt.Errorf("create monitor cgroup: already created (%s)", c.monitor)
	}
	rel, err := c.createEverywhere(c.n.monitor, "", "monitor")
	if err != nil {
		return err
	}
	c.monitor = rel
	for _, h := range c.l.Hierarchies {
		c.mon[h] = c.dir(h, rel)
	}
	return nil
}

// CreatePayload creates lxc.payload.NAME (with LXC's collision suffix) in
// every hierarchy, with the inner leaf when lxc.cgroup.dir.container.inner
// is set. On v1 it initialises cpuset inheritance and writes the default
// device allowlist.
func (c *Container) CreatePayload() error {
	if c.optErr != nil {
		return c.optErr
	}
	if c.limit != "" {
		return fmt.Errorf("create payload cgroup: already created (%s)", c.limit)
	}
	rel, err := c.createEverywhere(c.n.limit, c.n.inner, "payload")
	if err != nil {
		return err
	}
	c.limit = rel
	c.payload = rel
	if c.n.inner != "" {
		c.payload = path.Join(rel, c.n.inner)
	}
	for _, h := range c.l.Hierarchies {
		c.lim[h] = c.dir(h, c.limit)
		c.pay[h] = c.dir(h, c.payload)
	}
	return nil
}

// createEverywhere makes rel (trying suffixes when allowed) in all
// hierarchies and returns the name that worked. A name taken in any
// hierarchy is given up in all of them, removing only what we made.
func (c *Container) createEverywhere(rel, inner, what string) (string, error) {
	tries := 1
	if c.n.retryable {
		tries = maxSuffix
	}
	for idx := 0; idx < tries; idx++ {
		name := withSuffix(rel, idx)
		var made []*Hierarchy
		taken := false
		for _, h := range c.l.Hierarchies {
			created, err := c.createIn(h, name, inner, what)
			if created {
				made = append(made, h)
			}
			if err == nil {
				continue
			}
			for _, m := range made {
				_ = pruneTree(c.dir(m, name))
			}
			if !errors.Is(err, os.ErrExist) {
				return "", err
			}
			taken = true
			break
		}
		if !taken {
			return name, nil
		}
	}
	if tries == 1 {
		return "", fmt.Errorf("create %s cgroup %s: it already exists; stop whatever uses it or choose another lxc.cgroup.dir.* path", what, rel)
	}
	return "", fmt.Errorf("create %s cgroup %s: %s ... %s-%d all exist; remove stale lxc.* cgroups", what, rel, rel, rel, maxSuffix-1)
}

// createIn makes one cgroup (and its inner leaf) in h. created reports
// whether the top directory was made here, so a failure can be undone.
func (c *Container) createIn(h *Hierarchy, rel, inner, what string) (created bool, err error) {
	base := c.baseDir(h)
	cpusetV1 := !h.Unified && h.Has("cpuset")
	created, err = mkTree(base, rel, cpusetV1, false)
	if err != nil {
		return false, err
	}
	log.Tracef("Created %s cgroup %s", what, c.dir(h, rel))
	if h.Unified && c.l.Mode == Unified {
		if err := delegate(base, rel, c.l.Euid); err != nil {
			return true, err
		}
	}
	if what == "payload" && h.Has("devices") && !h.Unified && c.l.Euid != 0 {
		// Only CAP_SYS_ADMIN on the host writes v1 device rules; a
		// user's container is confined by its user namespace instead
		// (LXC warns and goes on as well).
		log.Debugf("Not writing the default device rules in %s: not root", c.dir(h, rel))
	} else if what == "payload" && h.Has("devices") && !h.Unified {
		// Like LXC, device rules go on before any inner cgroup exists:
		// a v1 devices cgroup with children cannot take "a" rules.
		if err := writeDeviceRules(c.dir(h, rel), DefaultDeviceRules()); err != nil {
			return true, err
		}
		log.Tracef("Set up legacy device cgroup controller limits in %s", c.dir(h, rel))
		c.devDefaults = true
	}
	if what == "payload" && h.Unified && c.l.Mode == Unified && c.l.Euid != 0 {
		// Attaching an eBPF program needs CAP_SYS_ADMIN on the host (LXC
		// finds bpf device support missing and goes on as well).
		log.Debugf("Not attaching the default device program to %s: not root", c.dir(h, rel))
	} else if what == "payload" && h.Unified && c.l.Mode == Unified && c.o.OwnDeviceRules && inner == "" {
		log.Tracef("No default device program on %s: the configuration's lxc.cgroup2.devices rules replace it", c.dir(h, rel))
	} else if what == "payload" && h.Unified && c.l.Mode == Unified && isCgroup2(c.dir(h, rel)) {
		// Pure cgroup2: the same defaults as an eBPF device program. (A
		// layout read from fake sources has plain directories: skipped.)
		rules, err := DefaultDeviceRuleList()
		if err == nil {
			err = AttachDeviceRules(c.dir(h, rel), rules)
		}
		if err != nil {
			return true, fmt.Errorf("create payload cgroup: default device rules: %w", err)
		}
		c.setDeviceRules(rules)
		log.Tracef("Set up cgroup2 device controller limits in %s (%d rules)", c.dir(h, rel), len(rules))
	}
	if inner == "" {
		return created, nil
	}
	if _, err := mkTree(c.dir(h, rel), inner, false, false); err != nil {
		if errors.Is(err, os.ErrExist) {
			err = fmt.Errorf("create payload cgroup %s: %w", c.dir(h, path.Join(rel, inner)), err)
		}
		return true, err
	}
	if h.Unified && c.l.Mode == Unified {
		if err := delegate(base, path.Join(rel, inner), c.l.Euid); err != nil {
			return true, err
		}
	}
	return true, nil
}

// Paths maps each controller ("memory", "name=systemd", ...) and "unified"
// to the absolute payload directory. Empty before CreatePayload.
func (c *Container) Paths() map[string]string { return c.paths(c.pay) }

// LimitPaths is Paths for the limit cgroup (differs only with
// lxc.cgroup.dir.container.inner). This is what lxc-cgroup reads and writes.
func (c *Container) LimitPaths() map[string]string { return c.paths(c.lim) }

// MonitorPaths is Paths for the monitor cgroup.
func (c *Container) MonitorPaths() map[string]string { return c.paths(c.mon) }

func (c *Container) paths(dirs map[*Hierarchy]string) map[string]string {
	m := map[string]string{}
	for _, h := range c.l.Hierarchies {
		d, ok := dirs[h]
		if !ok {
			continue
		}
		if h.Unified {
			m["unified"] = d
			for _, ctl := range h.Controllers {
				if _, ok := m[ctl]; !ok && c.l.ForController(ctl) == h {
					m[ctl] = d
				}
			}
			continue
		}
		for _, ctl := range h.Controllers {
			m[ctl] = d
		}
	}
	return m
}

// Name is the payload cgroup's path relative to the base cgroup, e.g.
// "lxc.payload.c1" or "lxc.payload.c1-1".
func (c *Container) Name() string { return c.payload }

// Enter moves pid into the payload cgroup in every hierarchy.
func (c *Container) Enter(pid int) error { return c.enter(pid, false) }

// EnterCloned is Enter for a process cloned into the cgroup2 payload
// (clone3 with CLONE_INTO_CGROUP and PayloadFD): only the v1 hierarchies
// are left to join.
func (c *Container) EnterCloned(pid int) error { return c.enter(pid, true) }

func (c *Container) enter(pid int, clonedInto bool) error {
	if len(c.pay) == 0 {
		return fmt.Errorf("enter payload cgroup: CreatePayload was not called")
	}
	for _, h := range c.l.Hierarchies {
		d, ok := c.pay[h]
		if !ok || (h.Unified && clonedInto) {
			continue
		}
		if err := writeFile(filepath.Join(d, "cgroup.procs"), strconv.Itoa(pid)); err != nil {
			return fmt.Errorf("move %d into %s: %w", pid, d, err)
		}
		log.Tracef("Moved process %d into cgroup %s", pid, d)
	}
	return nil
}

// PayloadFD opens the v2 payload directory for clone3(CLONE_INTO_CGROUP)
// (SysProcAttr.UseCgroupFD). On a v1-only host it returns an error; v1
// hierarchies always need Enter.
func (c *Container) PayloadFD() (*os.File, error) {
	u := c.l.Unified()
	if u == nil {
		return nil, fmt.Errorf("payload cgroup fd: no cgroup2 hierarchy on this host (v1 only); use Enter")
	}
	d, ok := c.pay[u]
	if !ok {
		return nil, fmt.Errorf("payload cgroup fd: CreatePayload was not called")
	}
	fd, err := syscall.Open(d, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("payload cgroup fd: open %s: %w", d, err)
	}
	return os.NewFile(uintptr(fd), d), nil
}
