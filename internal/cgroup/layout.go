package cgroup

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Mode is the host's cgroup layout.
type Mode int

const (
	Legacy  Mode = iota + 1 // cgroup v1 only
	Hybrid                  // v1 controllers plus a (usually empty) v2 hierarchy
	Unified                 // pure cgroup v2
)

func (m Mode) String() string {
	switch m {
	case Legacy:
		return "legacy"
	case Hybrid:
		return "hybrid"
	case Unified:
		return "unified"
	}
	return "unknown"
}

// Hierarchy is one mounted cgroup hierarchy.
type Hierarchy struct {
	ID          int      // hierarchy id from /proc/self/cgroup (0 for v2)
	Controllers []string // v1: as listed in /proc/self/cgroup ("cpu", "name=systemd"); v2: cgroup.controllers of the mount root
	Unified     bool     // cgroup2
	Mount       string   // mount point, e.g. /sys/fs/cgroup/memory
	MountRoot   string   // root of the mount inside the hierarchy (mountinfo field 4), usually "/"
	SelfPath    string   // this process's cgroup, as in /proc/self/cgroup
	InitPath    string   // pid 1's cgroup with a trailing /init.scope removed ("" when unknown)
}

// Has reports whether the hierarchy carries controller c. The unified
// hierarchy also answers for "unified".
func (h *Hierarchy) Has(c string) bool {
	if h.Unified && c == "unified" {
		return true
	}
	for _, x := range h.Controllers {
		if x == c {
			return true
		}
	}
	return false
}

// Name is the hierarchy's name in Paths(): "unified" for v2, else its
// controllers joined with "," ("cpu", "name=systemd").
func (h *Hierarchy) Name() string {
	if h.Unified {
		return "unified"
	}
	return strings.Join(h.Controllers, ",")
}

// Dir is the absolute directory of cgroup path p (as /proc/PID/cgroup shows
// it) in this hierarchy.
func (h *Hierarchy) Dir(p string) string {
	rel := p
	if h.MountRoot != "" && h.MountRoot != "/" {
		if r, ok := strings.CutPrefix(p, h.MountRoot); ok && (r == "" || r[0] == '/') {
			rel = r
		}
	}
	return filepath.Join(h.Mount, rel)
}

// Layout is the set of hierarchies a container's cgroups are made in.
type Layout struct {
	Mode        Mode
	Hierarchies []*Hierarchy // in /proc/self/cgroup order
	// Euid decides, like LXC, whether cgroups go under init's cgroup
	// (root, not relative) or under our own.
	Euid int
}

// Unified returns the v2 hierarchy, or nil.
func (l *Layout) Unified() *Hierarchy {
	for _, h := range l.Hierarchies {
		if h.Unified {
			return h
		}
	}
	return nil
}

// Legacy returns the v1 hierarchies.
func (l *Layout) Legacy() []*Hierarchy {
	var out []*Hierarchy
	for _, h := range l.Hierarchies {
		if !h.Unified {
			out = append(out, h)
		}
	}
	return out
}

// ForController returns the hierarchy that carries controller c: the v1
// hierarchy when there is one, else the unified hierarchy on a pure v2 host
// or when c is enabled there. nil when none does.
func (l *Layout) ForController(c string) *Hierarchy {
	for _, h := range l.Hierarchies {
		if !h.Unified && h.Has(c) {
			return h
		}
	}
	if u := l.Unified(); u != nil && (l.Mode == Unified || u.Has(c)) {
		return u
	}
	return nil
}

// Detect reads the running system's cgroup layout.
func Detect() (*Layout, error) {
	mi, err := readFileSized("/proc/self/mountinfo", 8192)
	if err != nil {
		return nil, fmt.Errorf("detect cgroups: %w", err)
	}
	self, err := readFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("detect cgroups: %w", err)
	}
	// pid 1's cgroups may be hidden (hidepid, unprivileged); we then only
	// support relative placement, as LXC does for non-root.
	initCg, _ := readFile("/proc/1/cgroup")
	l, err := DetectFrom(Sources{Mountinfo: string(mi), SelfCgroup: string(self), InitCgroup: string(initCg)})
	if err != nil {
		return nil, err
	}
	l.Euid = os.Geteuid()
	return l, nil
}

// Sources are the texts Detect reads, so tests can feed a fake system.
type Sources struct {
	Mountinfo  string // /proc/self/mountinfo
	SelfCgroup string // /proc/self/cgroup
	InitCgroup string // /proc/1/cgroup ("" when unreadable)
}

// DetectFrom builds a Layout from the given texts. Mount points are used as
// they are, so a fake tree under t.TempDir() works.
func DetectFrom(src Sources) (*Layout, error) {
	mounts, err := parseMountinfo(src.Mountinfo)
	if err != nil {
		return nil, err
	}
	selfLines, err := parseProcCgroup(src.SelfCgroup)
	if err != nil {
		return nil, fmt.Errorf("parse /proc/self/cgroup: %w", err)
	}
	initByID := map[int]string{}
	if src.InitCgroup != "" {
		lines, err := parseProcCgroup(src.InitCgroup)
		if err == nil {
			for _, ln := range lines {
				initByID[ln.ID] = pruneInitScope(ln.Path)
			}
		}
	}
	l := &Layout{}
	var haveV1, haveV2 bool
	for _, ln := range selfLines {
		unified := ln.ID == 0 && len(ln.Controllers) == 0
		m := findMount(mounts, unified, ln.Controllers)
		if m == nil {
			continue // listed by the kernel but not mounted: LXC skips it too
		}
		h := &Hierarchy{
			ID:          ln.ID,
			Controllers: ln.Controllers,
			Unified:     unified,
			Mount:       m.Point,
			MountRoot:   m.Root,
			SelfPath:    ln.Path,
			InitPath:    initByID[ln.ID],
		}
		if unified {
			h.Controllers, _ = ReadControllers(m.Point)
			haveV2 = true
		} else {
			haveV1 = true
		}
		l.Hierarchies = append(l.Hierarchies, h)
	}
	switch {
	case haveV1 && haveV2:
		l.Mode = Hybrid
	case haveV1:
		l.Mode = Legacy
	case haveV2:
		l.Mode = Unified
	default:
		return nil, fmt.Errorf("detect cgroups: no mounted cgroup hierarchy found in /proc/self/mountinfo; mount cgroup2 on /sys/fs/cgroup (or the v1 controllers under it)")
	}
	return l, nil
}

// pruneInitScope drops a trailing /init.scope: systemd keeps pid 1 there,
// and LXC puts root's containers next to it, not inside it.
func pruneInitScope(p string) string {
	if r, ok := strings.CutSuffix(p, "/init.scope"); ok {
		if r == "" {
			return "/"
		}
		return r
	}
	return p
}
