package lxc

import (
	"errors"

	"github.com/golxc/golxc/internal/cmdsock"
)

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

// netsInInfoBatch: Info asks about this many network devices in its
// batch; a container with more gets the rest asked one by one.
const netsInInfoBatch = 2

// Info asks the monitor everything in one batch, one round trip (LXC's
// monitor refuses batches: then one query at a time) and looks only at
// what r asks for. A container nobody serves is STOPPED.
func (c *Container) Info(r InfoRequest) Info {
	out := Info{State: STOPPED, InitPid: -1}
	cl, err := cmdsock.Dial(c.lxcpath, c.name)
	if err != nil {
		return out
	}
	defer cl.Close()
	reqs := []*cmdsock.Request{{Cmd: cmdsock.GetState}, {Cmd: cmdsock.GetInitPID}}
	if r.Stats {
		for i := 0; i < netsInInfoBatch; i++ {
			reqs = append(reqs, netItems(i)...)
		}
	}
	var known []*cmdsock.Response
	resps, err := cl.Batch(reqs)
	switch {
	case err == nil:
		out.State = fromWire(cmdsock.State(int32(uint32(resps[0].Value))))
		if p := resps[1]; p.Ret == 0 && int32(uint32(p.Value)) > 0 {
			out.InitPid = int(int32(uint32(p.Value)))
		}
		known = resps[2:]
	case errors.Is(err, cmdsock.ErrNoBatch):
		// An LXC monitor: one query at a time, only those still needed.
		st, err := cl.State()
		if err != nil {
			return out
		}
		out.State = fromWire(st)
		if out.State != STOPPED {
			if pid, err := cl.InitPID(); err == nil && pid > 0 {
				out.InitPid = pid
			}
		}
	default:
		return out
	}
	if out.State == STOPPED || out.InitPid <= 0 {
		return out
	}
	if r.IPs {
		out.IPs, _ = ipAddressesOf(out.InitPid)
	}
	if r.Stats {
		if st, err := c.statsOf(out.InitPid, netLinks(cl, known)); err == nil {
			out.Stats = &st
		}
	}
	return out
}
