package cgroup

// UnifiedView is l reduced to its cgroup2 hierarchy and treated as a
// pure cgroup2 layout: a container made with it is cloned straight into
// its cgroup2 payload (CLONE_INTO_CGROUP) and moved into no v1 hierarchy,
// its device rules become an eBPF program on that payload (which the
// kernel checks whatever hierarchy the v1 devices controller is bound
// to), and it is frozen and killed through cgroup.freeze and cgroup.kill.
// The point is what it avoids on a hybrid or legacy host: every write to
// a cgroup.procs takes the cgroup threadgroup lock for writing, which
// waits for a whole RCU grace period unless another such write came just
// before (11-17 ms per start measured on a 2-CPU VM with HZ=250, more
// than the rest of a throw-away sandbox's start). The v1 controllers'
// accounting and limits are what it gives up: the container's processes
// stay in the caller's v1 cgroups. ok is false when l has no cgroup2
// hierarchy; a pure cgroup2 layout is returned as it is.
func (l *Layout) UnifiedView() (view *Layout, ok bool) {
	u := l.Unified()
	if u == nil {
		return l, false
	}
	if l.Mode == Unified {
		return l, true
	}
	out := *l
	out.Mode = Unified
	out.Hierarchies = []*Hierarchy{u}
	return &out, true
}
