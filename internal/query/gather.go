package query

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
)

// InfoRequest picks what Gather looks at besides state and init pid.
type InfoRequest struct {
	IPs   bool // the container's addresses (lxc-info -i)
	Stats bool // cgroup and traffic counters (lxc-info -S)
}

// Gathered is one look at a container: what lxc-info prints. State is
// the monitor's (cmdsock) state.
type Gathered struct {
	State   cmdsock.State
	InitPid int // -1 unless running
	IPs     []string
	Stats   *Stats // nil unless asked for and readable
}

// NetStats is the traffic of one host-side interface of the container,
// from the container's point of view (TX = what it sent).
type NetStats struct {
	Link   string
	TX, RX uint64
}

// Stats is what lxc-info -S shows.
type Stats struct {
	cgroup.Stats
	Net []NetStats
}

// netsInInfoBatch: Gather asks about this many network devices in its
// batch; a container with more gets the rest asked one by one.
const netsInInfoBatch = 2

// Gather asks the monitor of lxcpath/name everything in one batch, one
// round trip (LXC's monitor refuses batches: then one query at a time),
// and looks only at what r asks for; ips lists the addresses of init
// pid's network namespace. A container nobody serves is STOPPED.
func Gather(lxcpath, name string, r InfoRequest, ips func(pid int) ([]string, error)) Gathered {
	out := Gathered{State: cmdsock.STOPPED, InitPid: -1}
	cl, err := cmdsock.Dial(lxcpath, name)
	if err != nil {
		return out
	}
	defer cl.Close()
	reqs := []*cmdsock.Request{{Cmd: cmdsock.GetState}, {Cmd: cmdsock.GetInitPID}}
	if r.Stats {
		for i := 0; i < netsInInfoBatch; i++ {
			reqs = append(reqs, NetItems(i)...)
		}
	}
	var known []*cmdsock.Response
	resps, err := cl.Batch(reqs)
	switch {
	case err == nil:
		out.State = cmdsock.State(int32(uint32(resps[0].Value)))
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
		out.State = st
		if out.State != cmdsock.STOPPED {
			if pid, err := cl.InitPID(); err == nil && pid > 0 {
				out.InitPid = pid
			}
		}
	default:
		return out
	}
	if out.State == cmdsock.STOPPED || out.InitPid <= 0 {
		return out
	}
	if r.IPs {
		out.IPs, _ = ips(out.InitPid)
	}
	if r.Stats {
		if st, err := StatsOf(name, out.InitPid, NetLinks(cl, known)); err == nil {
			out.Stats = &st
		}
	}
	return out
}

// StatsOf reads the usage of the payload cgroups of container name, found
// from its init pid's /proc entry, and the traffic of links.
func StatsOf(name string, pid int, links []string) (Stats, error) {
	if pid <= 0 {
		return Stats{}, ErrNotRunning
	}
	l, err := cgroup.Detect()
	if err != nil {
		return Stats{}, err
	}
	cg, err := cgroup.FromPid(l, pid, name)
	if err != nil {
		return Stats{}, err
	}
	st, err := cg.Stats()
	if err != nil {
		return Stats{}, err
	}
	return Stats{Stats: st, Net: hostNetStats(links)}, nil
}

// NetItems are the running-config queries NetLinks needs for lxc.net.i.
func NetItems(i int) []*cmdsock.Request {
	item := func(k string) *cmdsock.Request {
		return &cmdsock.Request{Cmd: cmdsock.GetConfigItem, Data: append([]byte(fmt.Sprintf("lxc.net.%d.%s", i, k)), 0)}
	}
	return []*cmdsock.Request{item("type"), item("veth.pair"), item("link")}
}

// NetLinks names the host-side device of each lxc.net.N of the running
// config, as lxc-info does: veth.pair for veth (the monitor reports the
// generated name), link otherwise; none for empty and none. known holds
// the answers to NetItems(0), NetItems(1), ... asked already (in a batch);
// the devices after those are asked about one query at a time.
func NetLinks(cl *cmdsock.Client, known []*cmdsock.Response) []string {
	answer := func(r *cmdsock.Response) string {
		if r == nil || r.Ret != 0 {
			return ""
		}
		return strings.TrimRight(string(r.Data), "\x00")
	}
	var links []string
	for i := 0; ; i++ {
		var typ, pair, link string
		if len(known) >= 3*(i+1) {
			typ, pair, link = answer(known[3*i]), answer(known[3*i+1]), answer(known[3*i+2])
		} else {
			typ, _ = cl.ConfigItem(fmt.Sprintf("lxc.net.%d.type", i))
			if typ == "veth" {
				pair, _ = cl.ConfigItem(fmt.Sprintf("lxc.net.%d.veth.pair", i))
			} else if typ != "" && typ != "empty" && typ != "none" {
				link, _ = cl.ConfigItem(fmt.Sprintf("lxc.net.%d.link", i))
			}
		}
		switch {
		case typ == "":
			return links
		case typ == "empty" || typ == "none":
		case typ == "veth" && pair != "":
			links = append(links, pair)
		case typ != "veth" && link != "":
			links = append(links, link)
		}
	}
}

// hostNetStats reads /sys/class/net/LINK/statistics of each link. The
// host's rx is the container's tx, so the two are swapped, as LXC does.
func hostNetStats(links []string) []NetStats {
	var out []NetStats
	for _, link := range links {
		rx, err1 := readCounter(link, "rx_bytes")
		tx, err2 := readCounter(link, "tx_bytes")
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, NetStats{Link: link, TX: rx, RX: tx})
	}
	return out
}

func readCounter(link, name string) (uint64, error) {
	b, err := os.ReadFile(filepath.Join("/sys/class/net", link, "statistics", name))
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}

// IfaceAddrs is one interface of a container's network namespace.
type IfaceAddrs struct {
	Name string
	IPs  []net.IP
}

// inNetNS runs fn with the calling thread in the network namespace of pid.
// Sockets fn opens stay in that namespace, so plain net.Interfaces works
// without attaching a process to the container.
func inNetNS(pid int, fn func() error) error {
	runtime.LockOSThread()
	// Plain descriptors, not os.Files: no poller registration to undo.
	orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return &os.PathError{Op: "open", Path: "/proc/thread-self/ns/net", Err: err}
	}
	defer unix.Close(orig)
	p := fmt.Sprintf("/proc/%d/ns/net", pid)
	target, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return &os.PathError{Op: "open", Path: p, Err: err}
	}
	defer unix.Close(target)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("enter network namespace of pid %d: %w", pid, err)
	}
	ferr := fn()
	if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
		// Leave the thread locked: Go discards it when the goroutine ends,
		// so no other goroutine runs in the wrong namespace.
		return fmt.Errorf("return to host network namespace: %w", err)
	}
	runtime.UnlockOSThread()
	return ferr
}

// Interfaces lists the interfaces of the calling thread's network
// namespace with their addresses (root's NetViewInNS, a user's
// lxc-netview stage).
func Interfaces() ([]IfaceAddrs, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]IfaceAddrs, 0, len(ifs))
	for _, i := range ifs {
		ia := IfaceAddrs{Name: i.Name}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				ia.IPs = append(ia.IPs, n.IP)
			}
		}
		out = append(out, ia)
	}
	return out, nil
}

// NetViewInNS lists the interfaces of init pid's network namespace by
// entering it on this thread (root only; a user's tools look from a
// process attached to the container's user namespace).
func NetViewInNS(pid int) ([]IfaceAddrs, error) {
	var out []IfaceAddrs
	err := inNetNS(pid, func() (err error) {
		out, err = Interfaces()
		return err
	})
	return out, err
}

// SortedUnique sorts byte-wise and drops repeats: LXC's get_interfaces and
// get_ips keep their results that way (lxc-ls lists "eth0, lo", lxc-info
// -i "10.1.0.1" before "9.0.0.1"), whatever order the kernel reports.
func SortedUnique(l []string) []string {
	sort.Strings(l)
	out := l[:0]
	for i, s := range l {
		if i == 0 || s != l[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// FilterIPs returns addresses of every interface but lo (or of only);
// IPv6 only global scope, as LXC lists them.
func FilterIPs(v []IfaceAddrs, v4, v6 bool, only string) []string {
	var out []string
	for _, i := range v {
		if (only == "" && i.Name == "lo") || (only != "" && i.Name != only) {
			continue
		}
		for _, ip := range i.IPs {
			is4 := ip.To4() != nil
			if is4 && v4 {
				out = append(out, ip.String())
			}
			if !is4 && v6 && ip.IsGlobalUnicast() {
				out = append(out, ip.String())
			}
		}
	}
	return SortedUnique(out)
}

// Addresses lists IPv4 and IPv6 addresses (not of lo) in one sorted list,
// as LXC's get_ips does.
func Addresses(v []IfaceAddrs) []string {
	return SortedUnique(append(FilterIPs(v, true, false, ""), FilterIPs(v, false, true, "")...))
}
