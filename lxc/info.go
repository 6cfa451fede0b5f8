package lxc

import "github.com/golxc/golxc/internal/query"

// InfoRequest picks what Info gathers besides state and init pid.
type InfoRequest struct {
	IPs   bool // the container's addresses (lxc-info -i)
	Stats bool // cgroup and traffic counters (lxc-info -S)
}

// Info is one look at a container: what lxc-info prints.
type Info struct {
	State   State
	InitPid int // -1 unless running
	IPs     []string
	Stats   *Stats // nil unless asked for and readable
}

// Info asks the monitor everything in one batch, one round trip (LXC's
// monitor refuses batches: then one query at a time) and looks only at
// what r asks for (internal/query.Gather, which golxc-query's lxc-info
// runs too). A container nobody serves is STOPPED.
func (c *Container) Info(r InfoRequest) Info {
	g := query.Gather(c.lxcpath, c.name, query.InfoRequest(r), ipAddressesOf)
	return Info{State: fromWire(g.State), InitPid: g.InitPid, IPs: g.IPs, Stats: g.Stats}
}
