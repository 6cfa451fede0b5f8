package monitor

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
)

// cgroups is the monitor's view of the container's cgroups: lxc.monitor.NAME
// (the monitor itself) and lxc.payload.NAME (init and everything below).
type cgroups struct {
	layout *cgroup.Layout
	cg     *cgroup.Container
	fd     *os.File // payload cgroup2 dir for CLONE_INTO_CGROUP, or nil
	// first is the start's first cgroup move, still running in the
	// background (nil: none): see newCgroups. joinFirst waits for it.
	first *cgroup.Move
}

// newCgroups creates the container's cgroups. The monitor's own move into
// lxc.monitor.NAME is the start's first write to a cgroup.procs file, which
// waits for an RCU grace period (cgroup/gracemove.go); where v1 hierarchies
// will take moves (legacy and hybrid hosts) it runs in the background,
// after the payload cgroups are made (a mkdir would wait for it), while
// the setup goes on, and the stage's moves into the v1 payload cgroups
// follow it closely enough to pay nothing more. joinFirst waits for it
// before the container's processes and hooks are forked or moved (a mount
// helper of the rootfs's storage may still start in the caller's v1
// cgroups: it ends before the container starts). On a pure cgroup2 host the stage is
// cloned into its cgroup and the monitor moves at once, as before.
// A sandbox's unifiedOnly layout (cgroup.Layout.UnifiedView) takes no v1
// move at all.
func newCgroups(name string, s *config.Spec, noMonitor, unifiedOnly bool) (c *cgroups, err error) {
	layout, err := cgroup.Detect()
	if err != nil {
		return nil, fmt.Errorf("detect cgroups: %w", err)
	}
	log.Tracef("Initialized cgroup driver: layout %v, %d hierarchies", layout.Mode, len(layout.Hierarchies))
	if unifiedOnly && layout.Mode != cgroup.Unified {
		if view, ok := layout.UnifiedView(); ok {
			layout = view
			log.Tracef("The container's cgroups are made in the cgroup2 hierarchy only (no v1 hierarchy, no move into one)")
		} else {
			log.Tracef("No cgroup2 hierarchy on this host: the container's cgroups are made in every v1 hierarchy")
		}
	}
	if layout, err = layout.Delegated(); err != nil {
		return nil, err
	}
	cg := cgroup.New(layout, cgroup.Options{
		Name:         name,
		Dir:          s.CgroupDir,
		DirContainer: s.CgroupDirContainer,
		DirMonitor:   s.CgroupDirMonitor,
		DirPivot:     s.CgroupDirPivot,
		DirInner:     s.CgroupDirInner,
		Relative:     s.CgroupRelative,

		OwnDeviceRules: hasDeviceRules(s.Cgroup2),
	})
	c = &cgroups{layout: layout, cg: cg}
	if noMonitor {
		log.Tracef("The monitor stays in its caller's cgroups (no lxc.monitor.%s)", name)
	}
	switch firstMove(layout, noMonitor) {
	case primeLock:
		// The stage's v1 moves are the first: start their grace
		// period once the payload cgroups are made (a mkdir would
		// wait for it).
		defer func() { c.first = cgroup.StartGracePeriod(layout) }()
	case monitorBeside:
		if err := cg.CreateMonitorDirs(); err != nil {
			return c, fmt.Errorf("create monitor cgroup: %w", err)
		}
		// Started whatever follows fails: the monitor ends up in its
		// cgroup (and teardown's pivot) exactly as with a move first.
		defer func() { c.first = cg.StartEnterMonitor(os.Getpid()) }()
	case monitorFirst:
		// CreateMonitor also moves this process into the monitor cgroup.
		if err := cg.CreateMonitor(); err != nil {
			return c, fmt.Errorf("create monitor cgroup: %w", err)
		}
	}
	if err := cg.CreatePayload(); err != nil {
		return c, fmt.Errorf("create payload cgroup: %w", err)
	}
	if err := cg.Apply(s.Cgroup1, s.Cgroup2); err != nil {
		return c, err
	}
	log.Tracef("Applied %d lxc.cgroup and %d lxc.cgroup2 settings", len(s.Cgroup1), len(s.Cgroup2))
	if f, err := cg.PayloadFD(); err == nil {
		c.fd = f
	}
	return c, nil
}

// hasDeviceRules: kvs (lxc.cgroup2.*) set device rules.
func hasDeviceRules(kvs []config.KeyValue) bool {
	for _, e := range kvs {
		if e.Key == "devices.allow" || e.Key == "devices.deny" {
			return true
		}
	}
	return false
}

// How a start makes its first cgroup move (newCgroups).
type firstMoveKind int

const (
	noMove        firstMoveKind = iota // nothing moves before the stage (pure cgroup2, no monitor cgroup)
	monitorFirst                       // the monitor moves into its cgroups before the payload is made
	monitorBeside                      // it moves in the background once the payload is made
	primeLock                          // no monitor move: a no-op move starts the stage's grace period
)

// firstMove: the background only pays where v1 hierarchies take moves
// (legacy and hybrid hosts); on a pure cgroup2 host the stage is cloned
// into its payload cgroup and the monitor's single move stays where it was.
func firstMove(l *cgroup.Layout, noMonitor bool) firstMoveKind {
	switch {
	case !l.HasLegacy() && noMonitor:
		return noMove
	case !l.HasLegacy():
		return monitorFirst
	case noMonitor:
		return primeLock
	default:
		return monitorBeside
	}
}

// joinFirst waits for the start's first cgroup move (newCgroups) and
// returns its error as newCgroups would have: before anything is forked
// (a child must start in the monitor's cgroups) or moved.
func (c *cgroups) joinFirst() error {
	if c == nil || c.first == nil {
		return nil
	}
	if err := c.first.Wait(); err != nil {
		return fmt.Errorf("create monitor cgroup: %w", err)
	}
	return nil
}

// payloadFD is the payload cgroup2 dir fd for CLONE_INTO_CGROUP, or -1.
func (c *cgroups) payloadFD() int {
	if c == nil || c.fd == nil {
		return -1
	}
	return int(c.fd.Fd())
}

// enter moves pid (the stage) into the payload cgroups it was not cloned
// into: with a payload fd, clone3(CLONE_INTO_CGROUP) put it in the
// cgroup2 one already, and writing its cgroup.procs again would take the
// cgroup write lock once more (an RCU grace period when no move came
// just before).
//
// The monitor's own move (joinFirst) comes first: this move then follows
// it within its grace period.
func (c *cgroups) enter(pid int) error {
	if err := c.joinFirst(); err != nil {
		return err
	}
	enter := c.cg.Enter
	if c.fd != nil {
		enter = c.cg.EnterCloned
	}
	if err := enter(pid); err != nil {
		return fmt.Errorf("move init into the payload cgroup: %w", err)
	}
	return nil
}

// destroy kills whatever is left in the payload and removes every cgroup
// this container made (the monitor moves out of its own cgroup first).
func (c *cgroups) destroy() error {
	if c == nil || c.cg == nil {
		return nil
	}
	_ = c.joinFirst() // its error was the start's
	if c.fd != nil {
		c.fd.Close()
		c.fd = nil
	}
	return c.cg.Destroy() // kills what is left first
}

// path answers GET_CGROUP: the payload cgroup of a controller ("" =
// unified) relative to its hierarchy's mount point, as LXC does.
func (c *cgroups) path(controller string) (string, error) {
	key := controller
	if key == "" {
		key = "unified"
	}
	h := c.layout.ForController(key)
	if key == "unified" {
		h = c.layout.Unified()
	}
	dir, ok := c.cg.Paths()[key]
	if h == nil || !ok {
		return "", fmt.Errorf("no cgroup hierarchy for controller %q", controller)
	}
	rel := strings.TrimPrefix(dir, h.Mount)
	if rel == "" {
		rel = "/"
	}
	return rel, nil
}

// controllerDir is the payload (or limit) directory of controller for
// GET_(LIMIT_)CGROUP_FD; v2 tells whether it is in the cgroup2 tree. Like
// LXC, "" names the cgroup2 tree only on a pure cgroup2 host (EINVAL
// otherwise) and an unknown controller is ENOENT.
func (c *cgroups) controllerDir(controller string, limit bool) (dir string, v2 bool, err error) {
	if c == nil || c.cg == nil {
		return "", false, syscall.ENOENT
	}
	paths := c.cg.Paths()
	if limit {
		paths = c.cg.LimitPaths()
	}
	key := controller
	if key == "" {
		if !c.pureUnified() {
			return "", false, syscall.EINVAL
		}
		key = "unified"
	} else if key == "unified" && !c.pureUnified() {
		return "", false, syscall.ENOENT
	}
	d, ok := paths[key]
	if !ok {
		return "", false, syscall.ENOENT
	}
	h := c.layout.ForController(key)
	if key == "unified" {
		h = c.layout.Unified()
	}
	return d, h != nil && h.Unified, nil
}

// lxcLayout is the layout in LXC's numbering (0 legacy, 1 hybrid, 2 unified).
func (c *cgroups) lxcLayout() int32 {
	switch c.layout.Mode {
	case cgroup.Legacy:
		return 0
	case cgroup.Hybrid:
		return 1
	case cgroup.Unified:
		return 2
	}
	return -1
}

// pureUnified reports a cgroup2-only host.
func (c *cgroups) pureUnified() bool { return c != nil && c.layout.Mode == cgroup.Unified }

// freeze waits at most timeout (<= 0: no limit).
func (c *cgroups) freeze(timeout time.Duration, cancel <-chan struct{}) error {
	return c.cg.FreezeCancel(timeout, cancel)
}
func (c *cgroups) thaw() error { return c.cg.Thaw() }

// addDeviceRule serves ADD_BPF_DEVICE_CGROUP: one more rule in the
// container's cgroup2 device program (LXC answers -EINVAL for a malformed
// item and -1 when the rule cannot be applied).
func addDeviceRule(req *cmdsock.Request, in *instance) *cmdsock.Response {
	d, err := cmdsock.ParseDeviceItem(req.Data)
	if err != nil {
		log.Errorf("Refusing a device rule: %v", err)
		return errno(unix.EINVAL)
	}
	r := cgroup.DeviceRule{Allow: d.Allow, Type: d.Type, Major: int64(d.Major), Minor: int64(d.Minor), Access: d.Access}
	if in.cg == nil || in.cg.cg == nil {
		return &cmdsock.Response{Ret: -1}
	}
	if err := in.cg.cg.AddDeviceRule(r); err != nil {
		log.Errorf("Failed to add device rule %q: %v", r.String(), err)
		return &cmdsock.Response{Ret: -1}
	}
	verb := map[bool]string{true: "allow", false: "deny"}[r.Allow]
	log.Infof("Added device rule %s %q to the cgroup2 device program", verb, r.String())
	return &cmdsock.Response{}
}
